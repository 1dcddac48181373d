"""Helpers shared by the sentence-level formats (:mod:`.classification`, :mod:`.sentence_pair`) and their predictors.

Pure Python (no AllenNLP). Characters are the tokens: whitespace is dropped before tokens are made (no word
tokenizer), and an optional ``max_chars`` keeps the first characters of a long text.
"""
import csv
from typing import Iterator, List, Optional, Sequence, Tuple

from glyce_allennlp.formats.io import ReaderError, read_lines

__all__ = ["text_to_chars", "check_label", "split_tsv", "read_csv_records", "TruncationCounter"]


def text_to_chars(text: str, max_chars: Optional[int] = None) -> List[str]:
    """The characters of ``text`` without whitespace (nor U+0000, the glyce padding id, as
    :func:`~glyce_allennlp.formats.io.drop_whitespace`), cut to the first ``max_chars`` when given."""
    chars = [c for c in text if not c.isspace() and c != "\x00"]
    if max_chars is not None and len(chars) > max_chars:
        chars = chars[:max_chars]
    return chars


def check_label(path, lineno: int, label: str, allowed: Optional[Sequence[str]], hint: str = "") -> str:
    """``label`` stripped; :class:`ReaderError` when it is empty or (with ``allowed``) not one of ``allowed``."""
    label = label.strip()
    if not label:
        raise ReaderError(path, lineno, "empty label" + hint)
    if allowed is not None and label not in allowed:
        raise ReaderError(path, lineno, f"label {label!r} is not one of {list(allowed)}{hint}")
    return label


def split_tsv(path, lineno: int, line: str, num_columns: int, layout: str) -> List[str]:
    """``line`` split on tabs; :class:`ReaderError` unless it has exactly ``num_columns`` fields."""
    if not line.strip():
        raise ReaderError(path, lineno, f"empty line (expected {layout})")
    fields = line.split("\t")
    if len(fields) != num_columns:
        raise ReaderError(path, lineno, f"expected {num_columns} tab-separated columns ({layout}), found "
                                        f"{len(fields)}: {line[:200]!r}")
    return fields


def read_csv_records(path, encoding: str) -> Iterator[Tuple[int, List[str]]]:
    """``(first lineno, fields)`` per CSV record (RFC 4180 quoting: ``"a, b"``, ``""`` inside quotes; a quoted field
    may span lines). A UTF-8 BOM on line 1 is removed; quoting errors raise :class:`ReaderError`."""
    state = {"lineno": 0}

    def lines():
        for lineno, line in read_lines(path, encoding):
            state["lineno"] = lineno
            yield line + "\n"

    reader = csv.reader(lines(), strict=True)
    while True:
        first = state["lineno"] + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ReaderError(path, max(first, state["lineno"]), f"malformed CSV: {error}") from None
        yield first, record


class TruncationCounter:
    """Counts texts cut by ``max_chars`` while a file is read (logged once at the end of the file)."""

    def __init__(self) -> None:
        self.count = 0

    def chars(self, text: str, max_chars: Optional[int]) -> List[str]:
        chars = text_to_chars(text)
        if max_chars is not None and len(chars) > max_chars:
            self.count += 1
            chars = chars[:max_chars]
        return chars
