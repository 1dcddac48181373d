"""Raw text and the character-bigram convention (no AllenNLP, no gensim).

* :func:`read_text_lines`: the lines of a UTF-8 text file, plain or gzip (``.gz``), with the project's strict line
  reading (:func:`glyce_allennlp.formats.io.read_lines`: split on ``"\\n"`` only, CRLF accepted, a UTF-8 BOM on line 1
  removed, undecodable bytes or NUL → :class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``).
* :func:`sentence_chars`: the characters of a line as the tagging readers see them (whitespace dropped).
* :func:`reproducible_gzip`: writes a ``.gz`` file whose bytes depend on its content only (no time stamp), so that
  its sha256 (kept by the manifests and the benchmark records) identifies the content.
* :func:`char_bigrams`: the bigram each character starts, ``c_i c_{i+1}``, the last character paired with
  :data:`BIGRAM_END`. The ``char_bigrams`` token indexer and the bigram vectors of ``glyce-allennlp embeddings`` both
  use this function, so every bigram id of a sentence has a pretrained vector whenever that bigram was seen in the
  vectors' text often enough.
"""
import contextlib
import gzip
import hashlib
import os
from typing import BinaryIO, Iterator, List, Optional, Sequence, Tuple

from glyce_allennlp.formats.io import ReaderError, drop_whitespace, read_lines

__all__ = ["BIGRAM_END", "char_bigrams", "sentence_chars", "read_text_lines", "file_sha256", "reproducible_gzip"]

#: The right-hand side of the last character's bigram (no character is written like this).
BIGRAM_END = "</s>"


def char_bigrams(chars: Sequence[str], end: str = BIGRAM_END) -> List[str]:
    """``[c0c1, c1c2, ..., c_{n-1}+end]`` for the characters ``chars`` (one bigram per character; ``[]`` for none)."""
    chars = list(chars)
    return [left + right for left, right in zip(chars, chars[1:] + [end])]


def sentence_chars(line: str) -> List[str]:
    """The characters of ``line`` without whitespace (and NUL), as :func:`~glyce_allennlp.formats.io.drop_whitespace`
    keeps them for the tagging readers."""
    return drop_whitespace(line)[0]


def read_text_lines(path) -> Iterator[Tuple[int, str]]:
    """``(lineno, line)`` for every line of the UTF-8 file ``path`` (1-based, without the terminator). A name ending in
    ``.gz`` is decompressed first; the lines of both kinds follow :func:`~glyce_allennlp.formats.io.read_lines`."""
    if not str(path).endswith(".gz"):
        yield from read_lines(path, "utf-8")
        return
    with gzip.open(path, "rb") as handle:
        for lineno, raw in enumerate(handle, start=1):  # binary iteration splits on b"\n" only
            raw = raw[:-1] if raw.endswith(b"\n") else raw
            raw = raw[:-1] if raw.endswith(b"\r") else raw
            try:
                line = raw.decode("utf-8", errors="strict")
            except UnicodeDecodeError as error:
                raise ReaderError(path, lineno, f"cannot decode as utf-8: {error}") from error
            if lineno == 1 and line.startswith("\ufeff"):
                line = line[1:]
            if "\x00" in line:
                raise ReaderError(path, lineno, "NUL character (U+0000): binary data, not UTF-8 text?")
            yield lineno, line


def file_sha256(path, uncompressed: bool = False) -> str:
    """Hex sha256 of the bytes of ``path``; with ``uncompressed=True``, of the decompressed bytes of a gzip file."""
    digest = hashlib.sha256()
    opener = gzip.open if uncompressed else open
    with opener(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def reproducible_gzip(path, name: Optional[str] = None) -> Iterator[BinaryIO]:
    """A binary handle that writes ``path`` gzip-compressed (level 9) with a header holding no time stamp (mtime 0)
    and the file name ``name`` (default: the name of ``path`` without ``.gz``): the same content written twice gives
    the same bytes. Python's and gensim's gzip writers put the current time into the header, so two files of the
    same vectors would have different sha256."""
    if name is None:
        name = os.path.basename(str(path))
        name = name[:-3] if name.endswith(".gz") else name
    with open(path, "wb") as raw, gzip.GzipFile(filename=name, mode="wb", fileobj=raw, compresslevel=9,
                                                mtime=0) as packed:
        yield packed
