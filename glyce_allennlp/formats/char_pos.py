"""Joint word segmentation + POS as per-character typed BMES tags (pure Python, no AllenNLP).

Each word's characters get ``B-POS M-POS … E-POS`` (``S-POS`` for a one-character word), e.g. ``看似/VERB 簡單/ADJ``
→ ``看 似 簡 單`` / ``B-VERB E-VERB B-ADJ E-ADJ``. Two sources:

* CTB-style files (:func:`read_ctb_pos`): one sentence per line of whitespace-separated ``word_TAG`` tokens, e.g.
  ``张伟_NR 在_P 北京_NR 工作_VV 。_PU``. A token is split on its **last** underscore (so ``__PU`` is the word ``_``
  tagged ``PU``). Blank (empty or whitespace-only) lines are not sentences and are skipped. A token without ``_``, or
  with an empty word or tag, raises :class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``; so
  does a line that does not decode.
* CoNLL-U / CoNLL-X treebanks (:func:`read_conll_char_pos`): the **syntactic words** read by
  :func:`~glyce_allennlp.formats.conll.read_conll` and their UPOS or XPOS column. Whitespace inside a word form is
  not a character (``10 000`` is tagged as the 5-character word ``10000``); a word whose form is only whitespace is
  left out, and a sentence left without characters is a ``ReaderError`` at its first word.
"""
from typing import Iterator, List, Sequence, Tuple

from glyce_allennlp.formats.conll import read_conll
from glyce_allennlp.formats.io import ReaderError, read_lines
from glyce_allennlp.formats.tag_schemes import words_to_bmes

__all__ = ["words_to_char_tags", "parse_ctb_pos_line", "read_ctb_pos", "read_conll_char_pos"]


def words_to_char_tags(words: Sequence[str], pos: Sequence[str]) -> Tuple[List[str], List[str]]:
    """``(chars, tags)``: the characters of ``words`` (whitespace inside a word dropped; a word of only whitespace
    left out) and their typed BMES tags ``{B,M,E,S}-{pos of the word}``."""
    if len(words) != len(pos):
        raise ValueError(f"{len(words)} words but {len(pos)} POS tags")
    chars: List[str] = []
    tags: List[str] = []
    for word, tag in zip(words, pos):
        word_chars = [c for c in word if not c.isspace()]
        if not word_chars:
            continue
        chars.extend(word_chars)
        tags.extend(f"{prefix}-{tag}" for prefix in words_to_bmes(["".join(word_chars)]))
    return chars, tags


def parse_ctb_pos_line(path, lineno: int, line: str) -> Tuple[List[str], List[str]]:
    """``(words, pos)`` of one ``word_TAG word_TAG ...`` line (empty lists for a blank line); ``ReaderError``
    ``"{path}:{lineno}: ..."`` for a malformed token."""
    words: List[str] = []
    pos: List[str] = []
    for piece in line.split():
        word, sep, tag = piece.rpartition("_")
        if not sep:
            raise ReaderError(path, lineno, f"token {piece!r} has no '_' (expected word_TAG)")
        if not word or not tag:
            raise ReaderError(path, lineno, f"token {piece!r} has an empty word or tag (expected word_TAG)")
        words.append(word)
        pos.append(tag)
    return words, pos


def read_ctb_pos(path, encoding: str = "utf-8") -> Iterator[Tuple[int, List[str], List[str]]]:
    """Yield ``(lineno, chars, tags)`` per sentence of a CTB-style ``word_TAG`` file."""
    for lineno, line in read_lines(path, encoding):
        words, pos = parse_ctb_pos_line(path, lineno, line)
        if words:
            yield (lineno, *words_to_char_tags(words, pos))


def read_conll_char_pos(path, encoding: str = "utf-8", fmt: str = "conllu",
                        pos: str = "upos") -> Iterator[Tuple[int, List[str], List[str]]]:
    """Yield ``(first lineno, chars, tags)`` per sentence of a CoNLL-U (``fmt="conllu"``) or CoNLL-X
    (``fmt="conllx"``) file, with the POS of column ``pos`` (``"upos"``: 4th, ``"xpos"``: 5th). Heads and relations
    are not needed and may be ``_``."""
    for sentence in read_conll(path, encoding, fmt):
        chars, tags = words_to_char_tags(sentence.words, sentence.pos(pos))
        if not chars:  # an empty instance would crash a tagger later
            raise ReaderError(path, sentence.linenos[0], "the sentence has no characters (every FORM is whitespace)")
        yield sentence.linenos[0], chars, tags
