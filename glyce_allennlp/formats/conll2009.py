"""Strict CoNLL-2009 reading and writing (pure Python, no AllenNLP; :class:`ReaderError` comes from
:mod:`glyce_allennlp.formats.io`).

A CoNLL-2009 file has one word per line, a blank line after each sentence, and tab-separated columns::

    ID FORM LEMMA PLEMMA POS PPOS FEAT PFEAT HEAD PHEAD DEPREL PDEPREL FILLPRED PRED APRED1 ... APREDn

The P-prefixed columns hold predicted (automatic) annotation, the others gold annotation. ``FILLPRED`` is ``Y`` on the
rows of the predicates (given, also in the test data), ``PRED`` is the predicate's sense (e.g. ``发现.01``), and there
is one ``APRED`` column per predicate, in sentence order: the role of each word for that predicate, ``_`` for none.

Rules (every violation raises :class:`ReaderError` ``"{path}:{lineno}: ..."``):

* columns are separated by tabs; a row without any tab is split on runs of whitespace;
* every row has at least 14 columns, and all rows of a sentence the same number; no column is empty;
* IDs are ``1, 2, ...`` in order; ``FILLPRED`` is ``Y`` or ``_``; ``PRED`` is ``_`` on rows that are not predicates;
* ``_`` and ``-`` both mean "none" in PRED and APRED cells (``eval09.pl`` accepts both); a cell like ``A0|A1`` gives
  the word two roles (kept as one label by the reader; the metric splits it, as ``eval09.pl`` does);
* the number of APRED columns is either the number of predicates (annotated) or 0 (unannotated input, e.g. the
  SRL-only test files: FILLPRED given, roles to be predicted);
* ``HEAD`` / ``PHEAD``: a number ``0..n`` (not the word itself) on every row of the sentence, or ``_`` on every row
  (not given); the heads must form a tree hanging from 0 (no cycle). ``DEPREL`` / ``PDEPREL`` may be ``_`` (the
  official Chinese data has punctuation rows with a HEAD and DEPREL ``_``);
* lines starting with ``#`` before a sentence's first word are comments (kept, and written back).

CRLF line ends, a UTF-8 byte-order mark and the legacy Chinese encodings are handled by
:func:`~glyce_allennlp.formats.io.read_lines`.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from glyce_allennlp.formats.io import ReaderError, read_lines

__all__ = ["FIXED_COLUMNS", "COLUMN_SETS", "Conll2009Sentence", "SrlView", "read_conll2009", "parse_conll2009_block",
           "split_sense", "join_sense", "format_conll2009", "write_conll2009", "NO_ROLE", "EMPTY"]

FIXED_COLUMNS = ("ID", "FORM", "LEMMA", "PLEMMA", "POS", "PPOS", "FEAT", "PFEAT", "HEAD", "PHEAD", "DEPREL",
                 "PDEPREL", "FILLPRED", "PRED")
COLUMN_SETS = ("gold", "predicted")
NO_ROLE = "_"
EMPTY = ("_", "-")  # "no predicate" / "no role" in PRED and APRED cells (eval09.pl: some Chinese data uses "-")
_HEAD = re.compile(r"^(0|[1-9][0-9]*)$")
_SENSE = re.compile(r"^([^.]+)\.([^.]+)$")


def split_sense(pred: str) -> Tuple[str, str]:
    """``"发现.01"`` → ``("发现", "01")``: the lemma part and the sense label, split as the official scorer does
    (exactly one ``.`` with something on both sides); any other PRED is all sense label: ``("", pred)``."""
    match = _SENSE.match(pred)
    if match:
        return match.group(1), match.group(2)
    return "", pred


def join_sense(lemma: str, sense: str) -> str:
    """Inverse of :func:`split_sense`: ``("发现", "01")`` → ``"发现.01"``; an empty lemma gives the sense label alone."""
    return f"{lemma}.{sense}" if lemma else sense


@dataclass
class SrlView:
    """One sentence with one column set chosen (``"gold"``: LEMMA POS HEAD DEPREL, ``"predicted"``: PLEMMA PPOS PHEAD
    PDEPREL). ``heads`` are CoNLL HEADs (1-based, 0 = root) or ``None`` if not given; ``predicates`` are 0-based
    positions; ``senses`` the PRED of each predicate (``_`` if not given); ``arguments`` one ``{position: role}`` per
    predicate, or ``None`` for unannotated input."""

    words: List[str]
    lemmas: List[str]
    pos: List[str]
    heads: Optional[List[int]]
    deprels: List[str]
    predicates: List[int]
    senses: List[str]
    arguments: Optional[List[Dict[int, str]]]


@dataclass
class Conll2009Sentence:
    """The rows of one sentence as read (``rows[i]`` = the columns of word ``i + 1``) and where they came from."""

    rows: List[List[str]]
    linenos: List[int]
    path: str = "<input>"
    comments: List[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> List[str]:
        index = FIXED_COLUMNS.index(name)
        return [row[index] for row in self.rows]

    @property
    def words(self) -> List[str]:
        return self.column("FORM")

    @property
    def predicates(self) -> List[int]:
        return [i for i, row in enumerate(self.rows) if row[12] == "Y"]

    @property
    def annotated(self) -> bool:
        """True if the sentence has its APRED columns (always true for a sentence without predicates)."""
        return len(self.rows[0]) - len(FIXED_COLUMNS) == len(self.predicates)

    def heads(self, column: str = "HEAD") -> Optional[List[int]]:
        values = self.column(column)
        return None if values[0] == "_" else [int(v) for v in values]

    def view(self, columns: str = "gold") -> SrlView:
        if columns not in COLUMN_SETS:
            raise ValueError(f"columns must be one of {COLUMN_SETS}, got {columns!r}")
        p = "P" if columns == "predicted" else ""
        predicates = self.predicates
        arguments = None
        if self.annotated:
            arguments = [{i: row[14 + k] for i, row in enumerate(self.rows) if row[14 + k] not in EMPTY}
                         for k in range(len(predicates))]
        return SrlView(words=self.words, lemmas=self.column(p + "LEMMA"), pos=self.column(p + "POS"),
                       heads=self.heads(p + "HEAD"), deprels=self.column(p + "DEPREL"), predicates=predicates,
                       senses=["_" if self.rows[i][13] in EMPTY else self.rows[i][13] for i in predicates],
                       arguments=arguments)


def _check_heads(path, rows: List[List[str]], linenos: List[int], index: int, name: str) -> None:
    values = [row[index] for row in rows]
    given = [v != "_" for v in values]
    if not any(given):
        return
    if not all(given):
        i = given.index(False)
        raise ReaderError(path, linenos[i], f"{name} is '_' here but given on other words of the sentence")
    n = len(rows)
    heads = []
    for i, value in enumerate(values):
        if not _HEAD.match(value):
            raise ReaderError(path, linenos[i], f"{name} {value!r} is not a non-negative integer or '_'")
        head = int(value)
        if head > n:
            raise ReaderError(path, linenos[i], f"{name} {head} points outside the sentence (words 1..{n})")
        if head == i + 1:
            raise ReaderError(path, linenos[i], f"{name} {head} points to the word itself")
        heads.append(head)
    state = [0] * (n + 1)  # 0 = unvisited, 1 = on the current path, 2 = reaches the root
    state[0] = 2
    for start in range(1, n + 1):
        path_nodes = []
        node = start
        while state[node] == 0:
            state[node] = 1
            path_nodes.append(node)
            node = heads[node - 1]
        if state[node] == 1:
            raise ReaderError(path, linenos[node - 1], f"the {name} column has a cycle through word {node}: the heads "
                                                       f"must form a tree under 0")
        for visited in path_nodes:
            state[visited] = 2


def parse_conll2009_block(rows: Sequence[Tuple[int, str]], path="<input>",
                          comments: Optional[List[str]] = None) -> Conll2009Sentence:
    """One sentence from its ``(lineno, line)`` word rows (no blank line, no comment)."""
    parsed: List[List[str]] = []
    linenos: List[int] = []
    width = None
    for lineno, line in rows:
        cols = line.split("\t") if "\t" in line else line.split()
        if len(cols) < len(FIXED_COLUMNS):
            raise ReaderError(path, lineno, f"expected at least {len(FIXED_COLUMNS)} tab-separated columns "
                                            f"({' '.join(FIXED_COLUMNS)} APREDs), got {len(cols)}")
        if width is None:
            width = len(cols)
        elif len(cols) != width:
            raise ReaderError(path, lineno, f"{len(cols)} columns, but the sentence's first row has {width}: every "
                                            f"row needs the 14 fixed columns and one APRED column per predicate")
        for c, value in enumerate(cols):
            if value == "":
                name = FIXED_COLUMNS[c] if c < len(FIXED_COLUMNS) else f"APRED{c - len(FIXED_COLUMNS) + 1}"
                raise ReaderError(path, lineno, f"column {c + 1} ({name}) is empty")
        expected = len(parsed) + 1
        if cols[0] != str(expected):
            raise ReaderError(path, lineno, f"ID {cols[0]!r} out of sequence (expected {expected})")
        if cols[12] not in ("Y", "_"):
            raise ReaderError(path, lineno, f"FILLPRED must be 'Y' or '_', got {cols[12]!r}")
        if cols[12] == "_" and cols[13] not in EMPTY:
            raise ReaderError(path, lineno, f"PRED {cols[13]!r} on a row whose FILLPRED is not 'Y'")
        parsed.append(cols)
        linenos.append(lineno)
    if not parsed:
        raise ValueError("a sentence needs at least one row")
    n_predicates = sum(1 for cols in parsed if cols[12] == "Y")
    n_apreds = width - len(FIXED_COLUMNS)
    if n_apreds not in (0, n_predicates):
        raise ReaderError(path, linenos[0], f"the sentence has {n_predicates} predicate(s) (FILLPRED = Y) but "
                                            f"{n_apreds} APRED column(s): expected {n_predicates} (or 0 for "
                                            f"unannotated input)")
    _check_heads(path, parsed, linenos, 8, "HEAD")
    _check_heads(path, parsed, linenos, 9, "PHEAD")
    return Conll2009Sentence(rows=parsed, linenos=linenos, path=str(path), comments=list(comments or []))


def read_conll2009(path, encoding: str = "utf-8") -> Iterator[Conll2009Sentence]:
    """Yield the sentences of a CoNLL-2009 file, in order (see the module docstring for the rules)."""
    rows: List[Tuple[int, str]] = []
    comments: List[str] = []
    for lineno, line in read_lines(path, encoding):
        if not line.strip():
            if rows:
                yield parse_conll2009_block(rows, path, comments)
            rows, comments = [], []
            continue
        if line.startswith("#") and not rows:
            comments.append(line)
            continue
        rows.append((lineno, line))
    if rows:
        yield parse_conll2009_block(rows, path, comments)


def format_conll2009(sentence: Conll2009Sentence, senses: Optional[Sequence[str]] = None,
                     arguments: Optional[Sequence[Dict[int, str]]] = None) -> str:
    """The sentence as a CoNLL-2009 block (rows joined by ``"\\n"``, then ``"\\n"``; no blank line), with the 13 first
    columns as read, ``PRED`` of the predicates replaced by ``senses`` (one PRED string per predicate, e.g. ``"发现.01"``;
    ``None``: as read) and the APRED columns replaced by ``arguments`` (one ``{position: role}`` per predicate;
    ``None``: as read, and ``_`` if the input had none). What the official scorer ``eval09.pl`` reads."""
    predicates = sentence.predicates
    if senses is not None and len(senses) != len(predicates):
        raise ValueError(f"{len(predicates)} predicates but {len(senses)} senses")
    if arguments is not None and len(arguments) != len(predicates):
        raise ValueError(f"{len(predicates)} predicates but {len(arguments)} argument sets")
    pred_column = [row[13] for row in sentence.rows]
    if senses is not None:
        for position, sense in zip(predicates, senses):
            pred_column[position] = sense
    lines = list(sentence.comments)
    annotated = sentence.annotated
    for i, row in enumerate(sentence.rows):
        if arguments is not None:
            apreds = [args.get(i, NO_ROLE) for args in arguments]
        elif annotated:
            apreds = row[14:]
        else:
            apreds = [NO_ROLE] * len(predicates)
        lines.append("\t".join(row[:13] + [pred_column[i]] + list(apreds)))
    return "\n".join(lines) + "\n"


def write_conll2009(path, blocks: Iterable[str]) -> None:
    """Write :func:`format_conll2009` blocks to ``path`` (UTF-8, ``"\\n"``), each followed by a blank line."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for block in blocks:
            handle.write(block if block.endswith("\n") else block + "\n")
            handle.write("\n")
