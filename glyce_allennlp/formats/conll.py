"""Strict CoNLL-U / CoNLL-X sentence reading (pure Python, no AllenNLP).

Both formats have one word per line with 10 columns, a blank line after each sentence::

    CoNLL-U: ID FORM LEMMA UPOS   XPOS   FEATS HEAD DEPREL DEPS  MISC
    CoNLL-X: ID FORM LEMMA CPOSTAG POSTAG FEATS HEAD DEPREL PHEAD PDEPREL

so the 4th column is the coarse POS (UPOS in UD; CPOSTAG, e.g. in the CTB5 dependency files) and the 5th the fine
POS (XPOS / POSTAG). :func:`read_conll` returns the **syntactic words** of each sentence, as the UD spec defines them:

* ``# ...`` lines are comments (kept in :attr:`ConllSentence.comments`);
* a multi-word token range ``4-5`` (CoNLL-U only) is the surface token of the words 4 and 5: it is recorded in
  :attr:`ConllSentence.multiword_tokens` and its words (lines ``4`` and ``5``) are what is read; the range must start
  at the next word id and cover at least two words that all follow in the sentence;
* an empty node ``8.1`` (CoNLL-U only) belongs to the enhanced graph only: it is skipped (its major number must be
  the id of the last word read, or 0 before the first word); basic-tree HEADs never point to it;
* HEAD and DEPREL are either given for every word of a sentence, or ``_`` for every word (unannotated text);
* one or more blank (or whitespace-only) lines end a sentence; the end of the file ends the last one.

Columns are separated by tabs (a FORM may contain spaces in CoNLL-U). CoNLL-X rows that contain no tab at all are
split on runs of whitespace (some CTB5 conversions use spaces). Every malformed row raises
:class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``: a wrong number of columns, an
ID that is not ``N`` / ``N-M`` / ``N.K`` or is out of sequence, an empty FORM, a HEAD that is not a number, points
outside the sentence or to the word itself, a DEPREL missing while HEAD is given (or the reverse), a sentence with
heads on some words only, a range not followed by its words, a block of only ranges / empty nodes.
"""
import re
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Tuple

from glyce_allennlp.formats.io import ReaderError, read_lines

__all__ = ["ConllSentence", "read_conll", "FORMATS", "POS_COLUMNS"]

FORMATS = ("conllu", "conllx")
POS_COLUMNS = ("upos", "xpos")  # the 4th and the 5th column (ConllSentence.pos)
_WORD = re.compile(r"^[1-9][0-9]*$")
_RANGE = re.compile(r"^([1-9][0-9]*)-([1-9][0-9]*)$")
_EMPTY = re.compile(r"^([0-9]+)\.([1-9][0-9]*)$")
_HEAD = re.compile(r"^(0|[1-9][0-9]*)$")


@dataclass
class ConllSentence:
    """The syntactic words of one sentence. ``heads`` / ``deprels`` are ``None`` for unannotated text."""

    words: List[str]
    lemmas: List[str]
    upos: List[str]  # 4th column (CoNLL-X: CPOSTAG)
    xpos: List[str]  # 5th column (CoNLL-X: POSTAG)
    feats: List[str]
    heads: Optional[List[int]]
    deprels: Optional[List[str]]
    linenos: List[int]  # line of each word
    comments: List[str] = field(default_factory=list)
    multiword_tokens: List[Tuple[int, int, str]] = field(default_factory=list)  # (first id, last id, surface form)

    def pos(self, which: str) -> List[str]:
        """``"upos"`` (4th column) or ``"xpos"`` (5th column); ``ValueError`` for anything else."""
        if which not in POS_COLUMNS:
            raise ValueError(f"pos must be one of {POS_COLUMNS}, got {which!r}")
        return self.upos if which == "upos" else self.xpos


class _Block:
    def __init__(self) -> None:
        self.rows: List[Tuple[int, List[str]]] = []  # (lineno, columns) of word lines
        self.comments: List[str] = []
        self.ranges: List[Tuple[int, int, int, str]] = []  # (lineno, first, last, form)
        self.first_lineno: Optional[int] = None  # first non-comment line (range / empty node / word)


def _finish(path, block: _Block) -> Optional[ConllSentence]:
    if not block.rows:
        if block.first_lineno is not None:
            raise ReaderError(path, block.first_lineno, "sentence has multi-word token ranges or empty nodes but "
                                                        "no words")
        return None  # comments only (or nothing)
    n = len(block.rows)
    for lineno, first, last, _ in block.ranges:
        if last > n:
            raise ReaderError(path, lineno, f"multi-word token {first}-{last} goes past the sentence's last word {n}")
    raw_heads = [cols[6] for _, cols in block.rows]
    annotated = [h != "_" for h in raw_heads]
    if any(annotated) and not all(annotated):
        lineno = block.rows[annotated.index(False)][0]
        raise ReaderError(path, lineno, "HEAD is '_' here but given on other words of the sentence")
    heads = deprels = None
    if all(annotated):
        heads, deprels = [], []
        for i, (lineno, cols) in enumerate(block.rows, start=1):
            head = int(cols[6])
            if head > n:
                raise ReaderError(path, lineno, f"HEAD {head} points outside the sentence (words 1..{n})")
            if head == i:
                raise ReaderError(path, lineno, f"HEAD {head} points to the word itself")
            heads.append(head)
            deprels.append(cols[7])
    return ConllSentence(
        words=[cols[1] for _, cols in block.rows],
        lemmas=[cols[2] for _, cols in block.rows],
        upos=[cols[3] for _, cols in block.rows],
        xpos=[cols[4] for _, cols in block.rows],
        feats=[cols[5] for _, cols in block.rows],
        heads=heads,
        deprels=deprels,
        linenos=[lineno for lineno, _ in block.rows],
        comments=block.comments,
        multiword_tokens=[(first, last, form) for _, first, last, form in block.ranges],
    )


def _unfinished_range(path: str, pending_range: Tuple[int, int, int]) -> ReaderError:
    lineno, first, last = pending_range
    return ReaderError(path, lineno, f"multi-word token {first}-{last} is not followed by all its words")


def read_conll(path, encoding: str = "utf-8", fmt: str = "conllu") -> Iterator[ConllSentence]:
    """Yield the sentences of a CoNLL-U (``fmt="conllu"``) or CoNLL-X (``fmt="conllx"``) file, in order.

    Lines are read with :func:`~glyce_allennlp.formats.io.read_lines` (CRLF, UTF-8 BOM, strict decoding).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    block = _Block()
    pending_range: Optional[Tuple[int, int, int]] = None  # (lineno, first, last) not yet fully read
    for lineno, line in read_lines(path, encoding):
        if not line.strip():
            if pending_range is not None:
                raise _unfinished_range(path, pending_range)
            sentence = _finish(path, block)
            if sentence is not None:
                yield sentence
            block = _Block()
            continue
        if line.startswith("#"):
            block.comments.append(line)
            continue
        cols = line.split("\t")
        if fmt == "conllx" and len(cols) == 1:
            cols = line.split()
        if len(cols) != 10:
            raise ReaderError(path, lineno, f"expected 10 tab-separated columns ({fmt}), got {len(cols)}")
        if block.first_lineno is None:
            block.first_lineno = lineno
        wid, form = cols[0], cols[1]
        expected = len(block.rows) + 1
        if _WORD.match(wid):
            if int(wid) != expected:
                raise ReaderError(path, lineno, f"word id {wid} out of sequence (expected {expected})")
            if form == "":
                raise ReaderError(path, lineno, "empty FORM")
            if not _HEAD.match(cols[6]) and cols[6] != "_":
                raise ReaderError(path, lineno, f"HEAD {cols[6]!r} is not a non-negative integer or '_'")
            if (cols[6] == "_") != (cols[7] == "_") or cols[7] == "":
                raise ReaderError(path, lineno, f"HEAD {cols[6]!r} and DEPREL {cols[7]!r}: give both or neither")
            block.rows.append((lineno, cols))
            if pending_range is not None and expected >= pending_range[2]:
                pending_range = None
            continue
        match = _RANGE.match(wid)
        if match and fmt == "conllu":
            first, last = int(match.group(1)), int(match.group(2))
            if pending_range is not None:
                raise ReaderError(path, lineno, f"multi-word token {wid} starts inside the range "
                                                f"{pending_range[1]}-{pending_range[2]}")
            if first != expected or last <= first:
                raise ReaderError(path, lineno, f"multi-word token range {wid} must be N-M with N = the next word id "
                                                f"({expected}) and M > N")
            if form == "":
                raise ReaderError(path, lineno, "empty FORM")
            block.ranges.append((lineno, first, last, form))
            pending_range = (lineno, first, last)
            continue
        match = _EMPTY.match(wid)
        if match and fmt == "conllu":
            if int(match.group(1)) != len(block.rows):
                raise ReaderError(path, lineno, f"empty node {wid} out of sequence (it must follow word "
                                                f"{len(block.rows)})")
            continue
        kind = "N, N-M or N.K" if fmt == "conllu" else "a positive integer (CoNLL-X has no ranges or empty nodes)"
        raise ReaderError(path, lineno, f"bad ID {wid!r}: expected {kind}")
    if pending_range is not None:
        raise _unfinished_range(path, pending_range)
    sentence = _finish(path, block)
    if sentence is not None:
        yield sentence
