"""SIGHAN word segmentation files (pure Python, no AllenNLP): one sentence per line, its words separated by
whitespace, e.g. ``张伟 在 北京 工作 。``.

Any Unicode whitespace separates words (ASCII spaces, tabs, U+3000 ideographic spaces). Blank (empty or
whitespace-only) lines are not sentences and are skipped. Lines are read by
:func:`~glyce_allennlp.formats.io.read_lines` (CRLF, a UTF-8 BOM on line 1, strict decoding; the SIGHAN 2005 files
come in GBK/GB18030 for PKU/MSR and Big5/CP950 for AS/CityU).
"""
from typing import Iterator, List, Tuple

from glyce_allennlp.formats.io import read_lines
from glyce_allennlp.formats.tag_schemes import words_to_bmes

__all__ = ["read_cws"]


def read_cws(path, encoding: str = "utf-8") -> Iterator[Tuple[int, List[str], List[str]]]:
    """Yield ``(lineno, chars, tags)`` per sentence: the characters of its words and their plain BMES tags (``S`` for
    a one-character word, else ``B M* E``)."""
    for lineno, line in read_lines(path, encoding):
        words = line.split()
        if not words:  # blank line: not a sentence
            continue
        yield lineno, [char for word in words for char in word], words_to_bmes(words)
