"""Character-level NER files in the CoNLL layout (pure Python, no AllenNLP).

One ``char<whitespace>tag`` per line (space or tab), a blank (empty or whitespace-only) line between sentences; extra
blank lines and a missing final blank line are fine. E.g. (BMES)::

    张 B-PER
    伟 E-PER
    在 O
    京 S-LOC

Tags are converted to BIOUL (see :mod:`glyce_allennlp.formats.tag_schemes` for the conversion and for the repair of
ill-formed sequences). Errors, all :class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``: a line
with a number of columns other than 2; a first column that is not exactly one character (after
``strip_char_suffix_digits``); a tag that is not ``O`` or ``PREFIX-TYPE`` with a prefix of the scheme; with
:func:`detect_file_scheme`, a file whose prefixes fit no single scheme (at the line of the first conflicting tag); an
ill-formed sentence under the ``"error"`` policy (at the sentence's first line); undecodable bytes.
"""
import re
from typing import Iterator, List, Tuple

from glyce_allennlp.formats.io import ReaderError, read_lines
from glyce_allennlp.formats.tag_schemes import (SCHEMES, detect_scheme, is_valid_bioul, repair_bioul, split_tag,
                                                to_bioul)

__all__ = ["TAG_SCHEMES", "ILL_FORMED_POLICIES", "detect_file_scheme", "read_char_ner", "sentence_to_bioul"]

TAG_SCHEMES = ("auto", "BIO", "BIOES", "BMES", "BIOUL")
ILL_FORMED_POLICIES = ("repair", "error")
_CHAR_WITH_SUFFIX = re.compile(r"(.)([0-9]+)", re.DOTALL)


def detect_file_scheme(path, encoding: str = "utf-8") -> str:
    """The scheme of the **whole file**, from its tag prefixes: ``M-`` means BMES; ``E-``/``S-`` without ``M-`` mean
    BIOES; ``L-``/``U-`` mean BIOUL; only ``B-``/``I-``/``O`` means BIO. Lines that do not have two columns are left
    to :func:`read_char_ner` to report."""
    prefixes = set()
    for lineno, line in read_lines(path, encoding):
        fields = line.split()
        if len(fields) != 2:
            continue
        prefix = split_tag(fields[1])[0]
        if prefix in prefixes:
            continue
        prefixes.add(prefix)
        try:
            detect_scheme(prefixes)
        except ValueError:
            raise ReaderError(path, lineno, f"tag {fields[1]!r} mixes tag schemes: the file's prefixes "
                                            f"{sorted(prefixes)} fit none of BIO, BIOES, BMES, BIOUL") from None
    return detect_scheme(prefixes)


def read_char_ner(path, encoding: str = "utf-8", scheme: str = "BMES",
                  strip_char_suffix_digits: bool = False) -> Iterator[Tuple[int, List[str], List[str]]]:
    """Yield ``(first lineno, chars, tags)`` per sentence, the tags as in the file, each checked against ``scheme``
    (one of BIO, BIOES, BMES, BIOUL: use :func:`detect_file_scheme` for "auto").

    ``strip_char_suffix_digits``: for Weibo's ``weiboNER_2nd_conll.*`` files, whose characters carry a trailing
    word-position digit (``科0``, ``技1``, ``80`` = the digit ``8`` at position 0): a first column of exactly one
    character followed by ASCII digits becomes that character. Any other first column is kept as is.
    """
    allowed = SCHEMES[scheme] - {"O"}
    first, chars, tags = 0, [], []
    for lineno, line in read_lines(path, encoding):
        fields = line.split()
        if not fields:
            if chars:
                yield first, chars, tags
            first, chars, tags = 0, [], []
            continue
        if len(fields) != 2:
            raise ReaderError(path, lineno, f"expected 2 columns (character, tag), found {len(fields)}: {line!r}")
        char, tag = fields
        if strip_char_suffix_digits:
            match = _CHAR_WITH_SUFFIX.fullmatch(char)
            if match:
                char = match.group(1)
        if len(char) != 1:
            raise ReaderError(path, lineno, f"the first column {char!r} is not a single character")
        prefix, label = split_tag(tag)
        if tag != "O" and not (prefix in allowed and label):
            raise ReaderError(path, lineno, f"tag {tag!r} is not a {scheme} tag (expected O or one of "
                                            f"{'/'.join(sorted(allowed))} + '-TYPE')")
        if not chars:
            first = lineno
        chars.append(char)
        tags.append(tag)
    if chars:
        yield first, chars, tags


def sentence_to_bioul(path, first: int, tags: List[str], scheme: str,
                      ill_formed: str = "repair") -> Tuple[List[str], bool]:
    """``(BIOUL tags, repaired)`` of one sentence read with :func:`read_char_ner`. A sentence whose converted tags are
    not valid spans is repaired (``ill_formed="repair"``, see :func:`~glyce_allennlp.formats.tag_schemes.repair_bioul`)
    or raises :class:`ReaderError` at its first line ``first`` (``ill_formed="error"``)."""
    if ill_formed not in ILL_FORMED_POLICIES:
        raise ValueError(f"ill_formed must be one of {ILL_FORMED_POLICIES}, got {ill_formed!r}")
    bioul = to_bioul(tags, scheme)
    if is_valid_bioul(bioul):
        return bioul, False
    if ill_formed == "error":
        raise ReaderError(path, first, f"ill-formed {scheme} tag sequence in the sentence starting at this line: "
                                       f"{' '.join(tags)}")
    return repair_bioul(bioul)[0], True
