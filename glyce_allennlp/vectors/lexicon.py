"""The word lexicon of SoftLexicon (Ma et al., ACL 2020, "Simplify the Usage of Lexicon in Chinese NER"), no AllenNLP.

For the character ``c_i`` of a sentence ``c_1 … c_n``, the four word sets hold the lexicon words matched in the
sentence that contain it::

    B(c_i) = {w_{i,k}: w_{i,k} ∈ L, i < k}        words that begin with c_i
    M(c_i) = {w_{j,k}: w_{j,k} ∈ L, j < i < k}    words that have c_i inside
    E(c_i) = {w_{j,i}: w_{j,i} ∈ L, j < i}        words that end with c_i
    S(c_i) = {c_i: c_i ∈ L}                       the character as a one-character word

(``w_{j,k}`` = ``c_j … c_k``). Each set becomes one vector, weighted by the word frequencies ``z(w)``::

    v(S) = (4 / Z) · Σ_{w ∈ S} z(w) · e(w),        Z = Σ_{w ∈ B ∪ M ∪ E ∪ S} z(w)

and the four vectors are concatenated to the character's representation. ``z(w)`` is static, counted once on the
training text (:func:`count_frequencies`): an occurrence of ``w`` counts unless a longer matched word covers it ("the
frequency of w does not increase if w is covered by another sub-sequence that matches the lexicon").

Two rules the paper leaves open follow the authors' implementation (v-mipeng/LexiconAugmentedNER), so that ``Z > 0``
always: an empty set holds the special word NONE (id :data:`NONE_ID`) with ``z = 1``; a set whose words all have
``z = 0`` (never seen in the training text) counts each of them as 1. A word with ``z = 0`` in a set with counted
words gets weight 0.

Lexicon file
------------
UTF-8 text, one ``word<TAB>count`` a line, as ``glyce-allennlp lexicon`` writes it (:func:`build_lexicon`): the words
and their training-text frequencies in one file, so the indexer reads both from the file its config names. Line
``k`` (1-based) is the word with id ``k + 1``: id 0 is padding, id 1 (:data:`NONE_ID`) is NONE. A malformed line
raises :class:`~glyce_allennlp.formats.io.ReaderError` naming the file and line.
"""
import os
import time
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from glyce_allennlp.formats.io import ReaderError
from glyce_allennlp.vectors.manifest import describe_input, write_manifest
from glyce_allennlp.vectors.text import read_text_lines, sentence_chars

__all__ = ["PADDING_ID", "NONE_ID", "SET_NAMES", "Lexicon", "count_frequencies", "word_sets", "softlexicon_inputs",
           "read_sentences", "read_vector_words", "jieba_dictionary_words", "build_lexicon"]

PADDING_ID = 0
NONE_ID = 1
SET_NAMES = ("B", "M", "E", "S")


class Lexicon:
    """Words with their frequencies, in id order (``words[k]`` has id ``k + 2``), and the matching of a sentence.

    ``counts``: word → frequency (``int >= 0``), in the order that gives the ids. A word must be non-empty and hold
    no whitespace (``ValueError``)."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.words: List[str] = list(counts)
        self.counts: Dict[str, int] = {word: int(count) for word, count in counts.items()}
        for word, count in self.counts.items():
            if not word or any(char.isspace() for char in word):
                raise ValueError(f"lexicon word {word!r} is empty or holds whitespace")
            if count < 0:
                raise ValueError(f"lexicon word {word!r} has a negative count {count}")
        self.ids: Dict[str, int] = {word: k + 2 for k, word in enumerate(self.words)}
        self.max_length = max((len(word) for word in self.words), default=0)
        self._prefixes = {word[:k] for word in self.words for k in range(1, len(word))}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.ids

    def matches(self, chars: Sequence[str]) -> List[Tuple[int, int]]:
        """``(start, end)`` (end exclusive) of every lexicon word occurring in the character sequence ``chars``,
        ordered by start, then end. A word is tried from each start only while the text read so far is the prefix of
        some lexicon word, so a sentence costs O(n · longest word)."""
        text = "".join(chars)
        if len(text) != len(chars):
            raise ValueError("lexicon matching needs single characters")
        spans = []
        for start in range(len(text)):
            for end in range(start + 1, min(len(text), start + self.max_length) + 1):
                piece = text[start:end]
                if piece in self.ids:
                    spans.append((start, end))
                if piece not in self._prefixes:
                    break
        return spans

    @classmethod
    def read(cls, path) -> "Lexicon":
        """The lexicon of the file ``path`` (see the module docstring)."""
        counts: Dict[str, int] = {}
        for lineno, line in read_text_lines(path):
            fields = line.split("\t")
            if len(fields) != 2 or not fields[0] or any(char.isspace() for char in fields[0]):
                raise ReaderError(path, lineno, f"expected word<TAB>count (a word without whitespace), got {line!r}")
            try:
                count = int(fields[1])
            except ValueError:
                count = -1
            if count < 0:
                raise ReaderError(path, lineno, f"the count {fields[1]!r} is not an integer >= 0")
            if fields[0] in counts:
                raise ReaderError(path, lineno, f"the word {fields[0]!r} occurs twice")
            counts[fields[0]] = count
        return cls(counts)

    def write(self, path) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            for word in self.words:
                handle.write(f"{word}\t{self.counts[word]}\n")


def count_frequencies(lexicon: Lexicon, sentences: Iterable[Sequence[str]]) -> Dict[str, int]:
    """word → number of its occurrences in ``sentences`` (character sequences) that no longer matched word covers
    (a matched span ``(j, k)`` covers ``(s, e)`` when ``j <= s``, ``e <= k`` and the two differ). Every lexicon word
    is a key (0 when never counted)."""
    counts = dict.fromkeys(lexicon.words, 0)
    for chars in sentences:
        text = "".join(chars)
        spans = lexicon.matches(chars)
        longest_end = [0] * (len(text) + 1)  # the furthest end of a span starting at each position
        for start, end in spans:
            longest_end[start] = max(longest_end[start], end)
        furthest_before = 0  # the furthest end of a span starting before the current position
        position = 0
        for start, end in spans:  # ordered by start
            while position < start:
                furthest_before = max(furthest_before, longest_end[position])
                position += 1
            if furthest_before < end and longest_end[start] <= end:
                counts[text[start:end]] += 1
    return counts


def word_sets(chars: Sequence[str], lexicon: Lexicon) -> List[Dict[str, List[str]]]:
    """For each character, its sets ``{"B": [...], "M": [...], "E": [...], "S": [...]}`` of matched words, each
    ordered by the word's start, then end (empty sets stay empty here; see :func:`softlexicon_inputs`)."""
    sets = [{name: [] for name in SET_NAMES} for _ in chars]
    text = "".join(chars)
    for start, end in lexicon.matches(chars):
        word = text[start:end]
        if end - start == 1:
            sets[start]["S"].append(word)
            continue
        sets[start]["B"].append(word)
        for inside in range(start + 1, end - 1):
            sets[inside]["M"].append(word)
        sets[end - 1]["E"].append(word)
    return sets  # spans come ordered by start, then end: so does every set


def softlexicon_inputs(chars: Sequence[str], lexicon: Lexicon) -> Tuple[List[List[List[int]]], List[List[List[float]]]]:
    """``(ids, weights)``, each ``[character][set B, M, E, S][word]``: the ids of each set's words (``[NONE_ID]`` for
    an empty set) and their weights ``4 · z(w) / Z`` (see the module docstring), so that
    ``v(S) = Σ_k weights[i][s][k] · e(ids[i][s][k])``. Not padded: sets differ in length."""
    all_ids, all_weights = [], []
    for char_sets in word_sets(chars, lexicon):
        ids, z = [], []
        for name in SET_NAMES:
            words = char_sets[name]
            if not words:
                ids.append([NONE_ID])
                z.append([1])
                continue
            counts = [lexicon.counts[word] for word in words]
            ids.append([lexicon.ids[word] for word in words])
            z.append(counts if any(counts) else [1] * len(counts))
        total = float(sum(sum(counts) for counts in z))
        all_ids.append(ids)
        all_weights.append([[4.0 * count / total for count in counts] for counts in z])
    return all_ids, all_weights


# ---------------------------------------------------------------- building a lexicon file
def read_sentences(path, fmt: str = "text") -> Iterator[List[str]]:
    """The character sequences of the sentences of ``path``: ``fmt`` ``"text"`` (a sentence a line, plain or
    ``.gz``, whitespace dropped), ``"char_ner"`` (CoNLL ``char tag`` lines, tag scheme detected) or ``"cws"`` (words
    separated by whitespace). Sentences without characters are left out."""
    if fmt == "text":
        for _, line in read_text_lines(path):
            chars = sentence_chars(line)
            if chars:
                yield chars
    elif fmt == "char_ner":
        from glyce_allennlp.formats.char_ner import detect_file_scheme, read_char_ner

        for _, chars, _ in read_char_ner(path, scheme=detect_file_scheme(path)):
            yield chars
    elif fmt == "cws":
        from glyce_allennlp.formats.cws import read_cws

        for _, chars, _ in read_cws(path):
            yield chars
    else:
        raise ValueError(f"unknown text format {fmt!r}; use text, char_ner or cws")


def read_vector_words(path) -> List[str]:
    """The tokens of a word2vec text file (plain or ``.gz``), in file order; a ``"<count> <dim>"`` first line is a
    header, not a token (as AllenNLP reads these files)."""
    words = []
    for lineno, line in read_text_lines(path):
        fields = line.split(" ")
        if lineno == 1 and len(fields) == 2 and all(field.isdigit() for field in fields):
            continue
        if fields[0]:
            words.append(fields[0])
    return words


def jieba_dictionary_words() -> Tuple[List[str], str]:
    """The words of jieba's dictionary (``dict.txt`` of the installed jieba: ``word freq tag`` a line) and the
    file's path."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    return [line.split()[0] for _, line in read_text_lines(path) if line.strip()], path


def _word_list(path) -> List[str]:
    return [line.split()[0] for _, line in read_text_lines(path) if line.strip()]


def build_lexicon(out, jieba: bool = False, word_lists: Sequence = (), vectors: Optional[str] = None,
                  max_word_length: Optional[int] = None, count_files: Sequence = (), restrict_to: Sequence = (),
                  fmt: str = "text") -> Dict:
    """Write the lexicon file ``out`` and its manifest ``out + ".json"``; return the manifest.

    Words: the union of jieba's dictionary (``jieba=True``) and the word lists ``word_lists`` (first field of each
    line), in that order, kept only if they have a vector in ``vectors``; the words of ``vectors`` (in its order)
    when neither ``jieba`` nor ``word_lists`` is given. Longer words than ``max_word_length`` are left out, and with
    ``restrict_to`` every word that occurs in none of those texts. Counts: :func:`count_frequencies` on the texts
    ``count_files`` (training text only). The file lists the words by decreasing count (ties in the order above).
    ``fmt``: the format of ``count_files`` and ``restrict_to`` (:func:`read_sentences`).
    """
    started = time.time()
    sources: Dict = {"jieba": None, "word_lists": [], "vectors": None}
    words: List[str] = []
    if jieba:
        import jieba as jieba_module

        jieba_words, jieba_path = jieba_dictionary_words()
        words += jieba_words
        sources["jieba"] = describe_input(jieba_path, version=jieba_module.__version__)
    for path in word_lists:
        words += _word_list(path)
        sources["word_lists"].append(describe_input(path))
    if vectors:
        vector_words = read_vector_words(vectors)
        sources["vectors"] = describe_input(vectors)
        if jieba or word_lists:
            keep = set(vector_words)
            words = [word for word in words if word in keep]
        else:
            words = vector_words
    words = [word for word in dict.fromkeys(words) if not any(char.isspace() for char in word)]
    if max_word_length:
        words = [word for word in words if len(word) <= max_word_length]
    if not words:
        raise ValueError("the lexicon is empty: give --jieba, --words or --vectors (with words in common)")
    if restrict_to:
        lexicon = Lexicon(dict.fromkeys(words, 0))
        seen = set()
        for path in restrict_to:
            for chars in read_sentences(path, fmt):
                text = "".join(chars)
                seen.update(text[start:end] for start, end in lexicon.matches(chars))
        words = [word for word in words if word in seen]
    lexicon = Lexicon(dict.fromkeys(words, 0))
    counts = count_frequencies(lexicon, (chars for path in count_files for chars in read_sentences(path, fmt)))
    order = sorted(range(len(words)), key=lambda k: -counts[words[k]])
    Lexicon({words[k]: counts[words[k]] for k in order}).write(out)
    manifest = {
        "kind": "glyce-allennlp lexicon",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "inputs": [describe_input(path) for path in count_files],
        "restricted_to": [describe_input(path) for path in restrict_to],
        "format": fmt,
        "sources": sources,
        "max_word_length": max_word_length,
        "words": len(words),
        "words_counted": sum(1 for word in words if counts[word] > 0),
        "seconds": round(time.time() - started, 1),
    }
    write_manifest(manifest, str(out) + ".json")
    return manifest
