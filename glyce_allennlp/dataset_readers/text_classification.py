"""Chinese single-sentence / document classification data (``chinese_text_classification`` reader).

``format``:

================= ================================================================================ ================
format            layout                                                                           labels
================= ================================================================================ ================
``chnsenticorp``  ``label<TAB>text_a`` with a header line (the ERNIE / UER-py split)                0, 1
``tsv``           ``label<TAB>text``, no header by default (Fudan / iFeng-style corpora)            any non-empty
``jsonl``         one JSON object per line, ``{"label": ..., "text": ...}`` (keys configurable;    any non-empty
                  a numeric label is read as its string, ``1`` → ``"1"``)
================= ================================================================================ ================

Every malformed row raises :class:`~glyce_allennlp.dataset_readers.io.ReaderError` ``"{path}:{lineno}: ..."``,
nothing is skipped silently: an empty line, a wrong number of tab-separated columns (a tab inside the text counts:
replace it before), an empty label or one outside ``labels``, a text with no characters once whitespace is dropped,
invalid JSON / a missing key / a value of the wrong type (``jsonl``), undecodable bytes. With ``header: true``
and a label set (``chnsenticorp``, or ``labels`` given), line 1 must not be a data row (a valid label there is a
``ReaderError``); with ``header: false`` a header line fails as a label outside the set.

Tokens are characters, whitespace dropped (COMPAT F6). ``max_chars`` keeps the first characters of long texts
(ChnSentiCorp reviews reach 5,860 characters; the number of cut texts is logged per file).

Instance fields: ``tokens`` (``TextField`` of characters) and ``label`` (``LabelField``, namespace ``labels``;
omitted when :meth:`text_to_instance` gets no label) — what ``basic_classifier`` expects.
"""
import json
import logging
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

from allennlp.common.checks import ConfigurationError
from allennlp.common.file_utils import cached_path
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.fields import LabelField, TextField
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Token

from glyce_allennlp.dataset_readers.io import ReaderError, normalize_encoding, read_lines, warn_if_empty
from glyce_allennlp.dataset_readers.sentence_common import TruncationCounter, check_label, split_tsv, text_to_chars

logger = logging.getLogger(__name__)

TEXT_FORMATS = ("chnsenticorp", "tsv", "jsonl")
_DEFAULT_HEADER = {"chnsenticorp": True, "tsv": False, "jsonl": False}
_DEFAULT_LABELS = {"chnsenticorp": ("0", "1"), "tsv": None, "jsonl": None}


@DatasetReader.register("chinese_text_classification")
class ChineseTextClassificationDatasetReader(DatasetReader):
    """Labelled Chinese texts as character sequences (see the module docstring for the formats).

    Registered as a ``DatasetReader`` with name ``"chinese_text_classification"``.

    Parameters
    ----------
    format : ``str`` (default ``"chnsenticorp"``)
        ``"chnsenticorp"``, ``"tsv"`` or ``"jsonl"``.
    header : ``bool``, optional
        Whether line 1 is a header to skip (default: ``True`` for ``chnsenticorp``, else ``False``; not allowed for
        ``jsonl``).
    labels : ``List[str]``, optional
        The accepted labels (default: ``0``/``1`` for ``chnsenticorp``, any non-empty label otherwise).
    text_key, label_key : ``str`` (default ``"text"``, ``"label"``)
        The keys of a ``jsonl`` object.
    max_chars : ``int``, optional
        Keep only the first ``max_chars`` characters of each text.
    encoding : ``str`` (default ``"utf-8"``)
        See :func:`~glyce_allennlp.dataset_readers.io.normalize_encoding`.
    token_indexers : ``Dict[str, TokenIndexer]`` (default ``{"tokens": SingleIdTokenIndexer()}``)
    """

    def __init__(
        self,
        format: str = "chnsenticorp",
        header: Optional[bool] = None,
        labels: Optional[List[str]] = None,
        text_key: str = "text",
        label_key: str = "label",
        max_chars: Optional[int] = None,
        encoding: str = "utf-8",
        token_indexers: Optional[Dict[str, TokenIndexer]] = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if format not in TEXT_FORMATS:
            raise ConfigurationError(f"format must be one of {TEXT_FORMATS}, got {format!r}")
        if format == "jsonl" and header:
            raise ConfigurationError("format 'jsonl' has no header line")
        if max_chars is not None and max_chars < 1:
            raise ConfigurationError(f"max_chars must be >= 1, got {max_chars}")
        normalize_encoding(encoding)
        self._format = format
        self._header = _DEFAULT_HEADER[format] if header is None else bool(header)
        self._labels = tuple(labels) if labels is not None else _DEFAULT_LABELS[format]
        self._text_key = text_key
        self._label_key = label_key
        self._max_chars = max_chars
        self._encoding = encoding
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}

    # ------------------------------------------------------------------ reading
    def _tsv_rows(self, path) -> Iterator[Tuple[int, str, str]]:
        layout = "label<TAB>text"
        for lineno, line in read_lines(path, self._encoding):
            label, text = split_tsv(path, lineno, line, 2, layout)
            if lineno == 1 and self._header:
                if self._labels is not None and label.strip() in self._labels:
                    raise ReaderError(path, lineno, f"header: true, but line 1 is a data row (label "
                                                    f"{label.strip()!r}); set header: false")
                continue
            hint = " (a header line? set header: true)" if lineno == 1 else ""
            yield lineno, check_label(path, lineno, label, self._labels, hint), text

    def _jsonl_rows(self, path) -> Iterator[Tuple[int, str, str]]:
        for lineno, line in read_lines(path, self._encoding):
            if not line.strip():
                raise ReaderError(path, lineno, "empty line (expected a JSON object)")
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError) as error:  # JSONDecodeError; > 4300 digits; nested too deep
                raise ReaderError(path, lineno, f"invalid JSON: {error}") from None
            if not isinstance(obj, dict):
                raise ReaderError(path, lineno, f"expected a JSON object, got {type(obj).__name__}")
            for key in (self._label_key, self._text_key):
                if key not in obj:
                    raise ReaderError(path, lineno, f"no {key!r} key in {sorted(obj)}")
            label, text = obj[self._label_key], obj[self._text_key]
            if isinstance(label, bool) or not isinstance(label, (str, int)):
                raise ReaderError(path, lineno, f"the label must be a string or an integer, got {label!r}")
            if not isinstance(text, str):
                raise ReaderError(path, lineno, f"the text must be a string, got {type(text).__name__}")
            for name, value in (("label", str(label)), ("text", text)):
                bad = next((c for c in value if c == "\x00" or "\ud800" <= c <= "\udfff"), None)
                if bad is not None:  # \u escapes: U+0000 is the glyce padding id, lone surrogates cannot be saved
                    kind = "NUL character (U+0000)" if bad == "\x00" else f"lone surrogate U+{ord(bad):04X}"
                    raise ReaderError(path, lineno, f"the {name} holds a {kind} (a JSON \\u escape)")
            yield lineno, check_label(path, lineno, str(label), self._labels), text

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        logger.info("Reading %s texts from %s", self._format, path)
        rows = self._jsonl_rows(path) if self._format == "jsonl" else self._tsv_rows(path)
        cut = TruncationCounter()
        for lineno, label, text in warn_if_empty(rows, path, "a header", logger):
            chars = cut.chars(text, self._max_chars)
            if not chars:
                raise ReaderError(path, lineno, "the text has no characters (empty or whitespace only)")
            yield self._instance(chars, label)
        if self._max_chars is not None:
            logger.info("%s: %d text(s) cut to max_chars=%d", path, cut.count, self._max_chars)

    # ------------------------------------------------------------------ instances
    def _instance(self, chars: List[str], label: Optional[str]) -> Instance:
        fields = {"tokens": TextField([Token(c) for c in chars], self._token_indexers)}
        if label is not None:
            fields["label"] = LabelField(label, label_namespace="labels")
        return Instance(fields)

    def text_to_instance(self, text: str, label: Optional[str] = None) -> Instance:  # type: ignore[override]
        """One instance from a raw string (whitespace dropped, ``max_chars`` applied) and an optional label.
        ``ValueError`` when the text has no characters."""
        chars = text_to_chars(text, self._max_chars)
        if not chars:
            raise ValueError("the text needs at least one non-whitespace character")
        return self._instance(chars, label)
