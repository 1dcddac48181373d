"""Strict line reading for every format parser of :mod:`glyce_allennlp.formats` (pure Python, no AllenNLP).

:func:`read_lines` reads a file as **bytes**, splits it on ``b"\\n"`` only (so ``\\x85``, ``\\u2028`` and the like
never split a line), removes one trailing ``b"\\r"`` per line (CRLF files), and decodes each line strictly. A UTF-8
byte-order mark is removed from line 1 (for ``"utf-8"`` and ``"utf-8-sig"``; on any other line it is kept, as the
character U+FEFF). Splitting bytes on ``b"\\n"`` is safe for every accepted
encoding: in GBK, GB18030, Big5 and CP950 no byte of a multi-byte character is ``0x0A`` or ``0x0D``.

:func:`drop_whitespace` removes whitespace characters (and their tags) before tokens are made.

UTF-8 read as a legacy encoding does not fail to decode: it silently becomes other Chinese characters (mojibake),
since most UTF-8 byte sequences are valid GBK/Big5. So for ``gbk``/``gb18030``/``big5``/``cp950``, :func:`read_lines`
first looks at the file's first MiB: a UTF-8 byte-order mark, or valid UTF-8 holding at least
:data:`UTF8_SNIFF_MIN_CHARS` non-ASCII characters, raises :class:`ReaderError` at the first non-ASCII line (a real
GBK/Big5 file is practically never valid UTF-8: measured on random GB2312 text, 2% of 2-character files are, 0 in
200,000 8-character ones). Smaller UTF-8 files cannot be told apart and are decoded as asked.

A line holding U+0000 (NUL) raises :class:`ReaderError` too: text files do not contain it, binary data and UTF-16/32
files read as UTF-8 do (``"a"`` in UTF-16-LE is ``b"a\\x00"``, valid UTF-8), and code point 0 is the padding id of
the ``glyce_characters`` indexer, so a NUL token would be masked out and lose its tag. :func:`drop_whitespace`
drops NUL like whitespace, for text that does not come from :func:`read_lines` (e.g. a predictor's input).

Every malformed-input error the readers raise is a :class:`ReaderError`, whose message starts with
``"{path}:{lineno}: "`` (1-based line numbers, as an editor shows them).

:func:`warn_if_empty` passes a reader's items through and logs the readers' common warning when a file gave none.
"""
import codecs
import logging
from typing import Iterable, Iterator, Tuple, TypeVar

__all__ = ["ReaderError", "read_lines", "SUPPORTED_ENCODINGS", "normalize_encoding", "drop_whitespace",
           "UTF8_SNIFF_MIN_CHARS", "warn_if_empty"]

_T = TypeVar("_T")

# codecs.lookup(...).name of each accepted encoding.
SUPPORTED_ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030", "big5", "cp950")

_BOM = "\ufeff"
_LEGACY_ENCODINGS = ("gbk", "gb18030", "big5", "cp950")
_SNIFF_BYTES = 1 << 20
UTF8_SNIFF_MIN_CHARS = 8


class ReaderError(ValueError):
    """Malformed input: ``str(error)`` is ``"{path}:{lineno}: {message}"``.

    ``path``, ``lineno`` and ``message`` are kept as attributes. The exception pickles (for data-loader workers).
    """

    def __init__(self, path, lineno: int, message: str) -> None:
        super().__init__(path, lineno, message)
        self.path = str(path)
        self.lineno = lineno
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.lineno}: {self.message}"


def normalize_encoding(encoding: str) -> str:
    """The canonical name of ``encoding``; ``ValueError`` unless it is one of :data:`SUPPORTED_ENCODINGS`."""
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        name = None
    if name not in SUPPORTED_ENCODINGS:
        raise ValueError(f"unsupported encoding {encoding!r}; use one of {', '.join(SUPPORTED_ENCODINGS)}")
    return name


def read_lines(path, encoding: str = "utf-8") -> Iterator[Tuple[int, str]]:
    """Yield ``(lineno, line)`` for every line of ``path``, 1-based, without the line terminator.

    A final ``"\\n"`` does not start an extra (empty) line, and a file that is only a UTF-8 byte-order mark has no
    line. A line that does not decode strictly with ``encoding`` raises :class:`ReaderError`
    ``"{path}:{lineno}: cannot decode as {encoding}: ..."``.
    """
    name = normalize_encoding(encoding)
    codec = "utf-8" if name == "utf-8-sig" else name  # the BOM is handled here, on line 1 only
    if codec in _LEGACY_ENCODINGS:
        _reject_utf8(path, encoding)
    with open(path, "rb") as handle:
        for lineno, raw in enumerate(handle, start=1):  # binary iteration splits on b"\n" only
            if lineno == 1 and codec == "utf-8" and raw == codecs.BOM_UTF8:
                return  # the whole file is a byte-order mark: no line (an empty file)
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            try:
                line = raw.decode(codec, errors="strict")
            except UnicodeDecodeError as error:
                raise ReaderError(path, lineno, f"cannot decode as {encoding}: {error}") from error
            if lineno == 1 and codec == "utf-8" and line.startswith(_BOM):
                line = line[1:]
            if "\x00" in line:
                raise ReaderError(path, lineno, f"NUL character (U+0000) at column {line.index(chr(0)) + 1}: binary "
                                                f"data, or a UTF-16/UTF-32 file read as {encoding}?")
            yield lineno, line


def warn_if_empty(items: Iterable[_T], path, holds_only: str, logger: logging.Logger) -> Iterator[_T]:
    """Yield ``items`` (lazily, in order); when there were none, log with ``logger`` (the reader module's, so log
    capture by module name keeps working) the warning
    ``"{path}: no sentences (the file is empty or holds only {holds_only})"``.

    Nothing is logged when iteration stops early (an exception, or a consumer that stops before the end).
    """
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        logger.warning("%s: no sentences (the file is empty or holds only %s)", path, holds_only)


def _reject_utf8(path, encoding: str) -> None:
    """ReaderError when a file to be read with a legacy encoding is evidently UTF-8 (see the module docstring)."""
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        raise ReaderError(path, 1, f"the file starts with a UTF-8 byte-order mark but is read as {encoding}: it is "
                                   f"UTF-8, read it with encoding 'utf-8'")
    try:  # incremental: the first MiB may end inside a character
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _SNIFF_BYTES)
    except UnicodeDecodeError:
        return  # not UTF-8: decode as asked (errors are reported per line)
    non_ascii = [i for i, ch in enumerate(text) if ord(ch) > 127]
    if len(non_ascii) >= UTF8_SNIFF_MIN_CHARS:
        lineno = text.count("\n", 0, non_ascii[0]) + 1
        raise ReaderError(path, lineno, f"the file is valid UTF-8 ({len(non_ascii)} non-ASCII characters in its "
                                        f"first MiB) but is read as {encoding}, which would silently turn its "
                                        f"characters into others (mojibake): read it with encoding 'utf-8'")


def drop_whitespace(chars, tags=None):
    """``(chars, tags)`` without the whitespace characters (and their tags): whitespace never becomes a token.
    Neither does U+0000 (NUL), dropped the same way (code point 0 is the padding id of the ``glyce_characters``
    indexer).

    ``chars`` is a string or a sequence of single characters (``ValueError`` otherwise); ``tags`` is ``None`` or a
    sequence of the same length (``ValueError`` otherwise). Returns lists (``tags`` stays ``None``).
    """
    chars = list(chars)
    for char in chars:
        if not isinstance(char, str) or len(char) != 1:
            raise ValueError(f"expected single characters, got {char!r}")
    if tags is None:
        return [c for c in chars if not _is_dropped(c)], None
    tags = list(tags)
    if len(tags) != len(chars):
        raise ValueError(f"{len(chars)} characters but {len(tags)} tags")
    kept = [(c, t) for c, t in zip(chars, tags) if not _is_dropped(c)]
    return [c for c, _ in kept], [t for _, t in kept]


def _is_dropped(char: str) -> bool:
    return char.isspace() or char == "\x00"
