"""Chinese single-sentence / document classification files (pure Python, no AllenNLP).

================= ================================================================================ ================
format            layout                                                                           labels
================= ================================================================================ ================
``chnsenticorp``  ``label<TAB>text_a`` with a header line (the ERNIE / UER-py split)                0, 1
``tsv``           ``label<TAB>text``, no header by default (Fudan / iFeng-style corpora)            any non-empty
``jsonl``         one JSON object per line, ``{"label": ..., "text": ...}`` (keys configurable;    any non-empty
                  a numeric label is read as its string, ``1`` → ``"1"``)
================= ================================================================================ ================

Every malformed row raises :class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``, nothing is
skipped silently: an empty line, a wrong number of tab-separated columns (a tab inside the text counts: replace it
before), an empty label or one outside ``labels``, invalid JSON / a missing key / a value of the wrong type
(``jsonl``), a JSON ``\\u`` escape of U+0000 or of a lone surrogate, undecodable bytes. With ``header=True`` and a
label set (``chnsenticorp``, or ``labels`` given), line 1 must not be a data row (a valid label there is a
``ReaderError``); with ``header=False`` a header line fails as a label outside the set.
"""
import json
from typing import Iterator, Optional, Sequence, Tuple

from glyce_allennlp.formats.io import ReaderError, read_lines
from glyce_allennlp.formats.sentences import check_label, split_tsv

__all__ = ["TEXT_FORMATS", "DEFAULT_HEADER", "DEFAULT_LABELS", "read_classification"]

TEXT_FORMATS = ("chnsenticorp", "tsv", "jsonl")
DEFAULT_HEADER = {"chnsenticorp": True, "tsv": False, "jsonl": False}
DEFAULT_LABELS = {"chnsenticorp": ("0", "1"), "tsv": None, "jsonl": None}

Row = Tuple[int, str, str]  # lineno, label, text


def _tsv_rows(path, encoding: str, header: bool, labels: Optional[Sequence[str]]) -> Iterator[Row]:
    for lineno, line in read_lines(path, encoding):
        label, text = split_tsv(path, lineno, line, 2, "label<TAB>text")
        if lineno == 1 and header:
            if labels is not None and label.strip() in labels:
                raise ReaderError(path, lineno, f"header: true, but line 1 is a data row (label "
                                                f"{label.strip()!r}); set header: false")
            continue
        hint = " (a header line? set header: true)" if lineno == 1 else ""
        yield lineno, check_label(path, lineno, label, labels, hint), text


def _jsonl_rows(path, encoding: str, labels: Optional[Sequence[str]], text_key: str, label_key: str) -> Iterator[Row]:
    for lineno, line in read_lines(path, encoding):
        if not line.strip():
            raise ReaderError(path, lineno, "empty line (expected a JSON object)")
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as error:  # JSONDecodeError; > 4300 digits; nested too deep
            raise ReaderError(path, lineno, f"invalid JSON: {error}") from None
        if not isinstance(obj, dict):
            raise ReaderError(path, lineno, f"expected a JSON object, got {type(obj).__name__}")
        for key in (label_key, text_key):
            if key not in obj:
                raise ReaderError(path, lineno, f"no {key!r} key in {sorted(obj)}")
        label, text = obj[label_key], obj[text_key]
        if isinstance(label, bool) or not isinstance(label, (str, int)):
            raise ReaderError(path, lineno, f"the label must be a string or an integer, got {label!r}")
        if not isinstance(text, str):
            raise ReaderError(path, lineno, f"the text must be a string, got {type(text).__name__}")
        for name, value in (("label", str(label)), ("text", text)):
            bad = next((c for c in value if c == "\x00" or "\ud800" <= c <= "\udfff"), None)
            if bad is not None:  # \u escapes: U+0000 is the glyce padding id, lone surrogates cannot be saved
                kind = "NUL character (U+0000)" if bad == "\x00" else f"lone surrogate U+{ord(bad):04X}"
                raise ReaderError(path, lineno, f"the {name} holds a {kind} (a JSON \\u escape)")
        yield lineno, check_label(path, lineno, str(label), labels), text


def read_classification(path, encoding: str = "utf-8", format: str = "chnsenticorp", header: Optional[bool] = None,
                        labels: Optional[Sequence[str]] = None, text_key: str = "text",
                        label_key: str = "label") -> Iterator[Row]:
    """Yield ``(lineno, label, text)`` per row (label stripped, text as in the file).

    ``header``: whether line 1 is a header to skip (default :data:`DEFAULT_HEADER` of the format; ``jsonl`` has
    none). ``labels``: the accepted labels (default :data:`DEFAULT_LABELS` of the format, ``None`` = any non-empty).
    ``text_key`` / ``label_key``: the keys of a ``jsonl`` object.
    """
    if format not in TEXT_FORMATS:
        raise ValueError(f"format must be one of {TEXT_FORMATS}, got {format!r}")
    if format == "jsonl" and header:
        raise ValueError("format 'jsonl' has no header line")
    labels = tuple(labels) if labels is not None else DEFAULT_LABELS[format]
    if format == "jsonl":
        return _jsonl_rows(path, encoding, labels, text_key, label_key)
    return _tsv_rows(path, encoding, DEFAULT_HEADER[format] if header is None else bool(header), labels)
