"""Chinese sentence-pair classification files: LCQMC, BQ, XNLI, NLPCC-DBQA (pure Python, no AllenNLP).

============== =========================================================================================== =========
format         layout                                                                                      labels
============== =========================================================================================== =========
``lcqmc``      ``sentence1<TAB>sentence2<TAB>label``, no header                                            0, 1
``nlpcc_dbqa`` ``label<TAB>question<TAB>answer``, no header                                                0, 1
``bq``         CSV **with a header** naming the columns ``sentence1``, ``sentence2``, ``label`` (any order,   0, 1
               other columns ignored; ``text_a``/``text_b`` accepted too); RFC 4180 quoting (``"a,b"``),
               a UTF-8 BOM before the header is fine
``xnli``       TSV **with a header**: ``premise<TAB>hypo<TAB>label`` (XNLI-MT ``multinli.train.zh.tsv``;       entailment,
               ``hypothesis`` / ``sentence1`` / ``sentence2`` / ``gold_label`` accepted too), or the           neutral,
               multi-language ``xnli.dev.tsv`` / ``xnli.test.tsv`` (a ``language`` column): only the rows     contradiction
               whose ``language`` equals ``language`` (default ``zh``) are read, from the columns
               ``sentence1``, ``sentence2``, ``gold_label``. ``contradictory`` (XNLI-MT) reads as
               ``contradiction``
============== =========================================================================================== =========

Fields are not stripped of quotes in the TSV formats (XNLI text contains ``"``). Every malformed row raises
:class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."`` — nothing is skipped silently: a wrong
number of columns, an empty line, a label outside the format's label set (e.g. a header line read with
``header=False``, or swapped columns), a CSV quoting error, a missing header column, undecodable bytes. (Rows of other
languages in the multi-language XNLI file are not malformed: they are filtered by design, and the number kept is
logged.)
"""
import logging
from typing import Iterator, List, Optional, Sequence, Tuple

from glyce_allennlp.formats.io import ReaderError, read_lines
from glyce_allennlp.formats.sentences import check_label, read_csv_records, split_tsv

__all__ = ["PAIR_FORMATS", "HEADER_FORMATS", "XNLI_LABELS", "DEFAULT_LABELS", "read_sentence_pairs"]

logger = logging.getLogger(__name__)

PAIR_FORMATS = ("lcqmc", "bq", "xnli", "nlpcc_dbqa")
HEADER_FORMATS = ("bq", "xnli")  # the columns are found by name in a header line, which they always have
_BINARY = ("0", "1")
XNLI_LABELS = ("entailment", "neutral", "contradiction")
DEFAULT_LABELS = {"lcqmc": _BINARY, "bq": _BINARY, "nlpcc_dbqa": _BINARY, "xnli": XNLI_LABELS}
# TSV formats without column names: (column of sentence 1, of sentence 2, of the label), layout for messages
_FIXED_COLUMNS = {
    "lcqmc": ((0, 1, 2), "sentence1<TAB>sentence2<TAB>label"),
    "nlpcc_dbqa": ((1, 2, 0), "label<TAB>question<TAB>answer"),
}
_BQ_NAMES = (("sentence1", "text_a"), ("sentence2", "text_b"), ("label",))
_XNLI_NAMES = (("premise", "sentence1"), ("hypo", "hypothesis", "sentence2"), ("label", "gold_label"))
_XNLI_MULTI_NAMES = (("sentence1",), ("sentence2",), ("gold_label",))
_LABEL_ALIASES = {"xnli": {"contradictory": "contradiction"}}

Row = Tuple[int, str, str, str]  # lineno, sentence 1, sentence 2, label


class _PairFile:
    def __init__(self, path, encoding: str, format: str, header: bool, labels: Sequence[str], language: str):
        self.path, self.encoding, self.format = path, encoding, format
        self.header, self.labels, self.language = header, labels, language

    def label(self, lineno: int, label: str, hint: str = "") -> str:
        label = _LABEL_ALIASES.get(self.format, {}).get(label.strip(), label)
        return check_label(self.path, lineno, label, self.labels, hint)

    def fixed_rows(self) -> Iterator[Row]:
        (i1, i2, il), layout = _FIXED_COLUMNS[self.format]
        for lineno, line in read_lines(self.path, self.encoding):
            fields = split_tsv(self.path, lineno, line, 3, layout)
            if lineno == 1 and self.header:
                if fields[il].strip() in self.labels:
                    raise ReaderError(self.path, lineno, f"header: true, but line 1 is a data row (label "
                                                         f"{fields[il].strip()!r}); set header: false")
                continue
            hint = "" if lineno != 1 else " (a header line? set header: true)"
            yield lineno, fields[i1], fields[i2], self.label(lineno, fields[il], hint)

    def find_columns(self, header: List[str], names) -> List[int]:
        columns = []
        clean = [h.strip().lower() for h in header]
        for aliases in names:
            found = [clean.index(a) for a in aliases if a in clean]
            if not found:
                raise ReaderError(self.path, 1, f"the header has no {' / '.join(aliases)} column: {header}")
            columns.append(found[0])
        return columns

    def bq_rows(self) -> Iterator[Row]:
        records = read_csv_records(self.path, self.encoding)
        header_record = next(records, None)
        if header_record is None:
            return
        _, header = header_record
        i1, i2, il = self.find_columns(header, _BQ_NAMES)
        for lineno, fields in records:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                raise ReaderError(self.path, lineno, "empty line (expected a CSV record)")
            if len(fields) != len(header):
                raise ReaderError(self.path, lineno, f"expected {len(header)} CSV fields like the header, found "
                                                     f"{len(fields)}: {fields!r}"[:400])
            yield lineno, fields[i1], fields[i2], self.label(lineno, fields[il])

    def xnli_rows(self) -> Iterator[Row]:
        lines = read_lines(self.path, self.encoding)
        first = next(lines, None)
        if first is None:
            return
        header = first[1].split("\t")
        clean = [h.strip().lower() for h in header]
        multi = "language" in clean
        i1, i2, il = self.find_columns(header, _XNLI_MULTI_NAMES if multi else _XNLI_NAMES)
        i_lang = clean.index("language") if multi else None
        kept = other = 0
        for lineno, line in lines:
            fields = split_tsv(self.path, lineno, line, len(header), "as many columns as the header")
            if multi and fields[i_lang].strip() != self.language:
                other += 1
                continue
            kept += 1
            yield lineno, fields[i1], fields[i2], self.label(lineno, fields[il])
        if multi:
            logger.info("%s: %d rows with language %r read, %d rows of other languages left out", self.path, kept,
                        self.language, other)


def read_sentence_pairs(path, encoding: str = "utf-8", format: str = "lcqmc", header: Optional[bool] = None,
                        labels: Optional[Sequence[str]] = None, language: str = "zh") -> Iterator[Row]:
    """Yield ``(lineno, sentence 1, sentence 2, label)`` per row (label checked, sentences as in the file).

    ``header``: only for ``lcqmc`` / ``nlpcc_dbqa`` (default ``False``): ``True`` skips line 1, which must then be a
    header (a line 1 whose label field is a valid label raises ``ReaderError``: that is data, not a header). The
    :data:`HEADER_FORMATS` always have a header (``header=False`` is a ``ValueError``). ``labels``: the accepted
    labels (default :data:`DEFAULT_LABELS` of the format). ``language``: the ``language`` column value kept from the
    multi-language XNLI file.
    """
    if format not in PAIR_FORMATS:
        raise ValueError(f"format must be one of {PAIR_FORMATS}, got {format!r}")
    if format in HEADER_FORMATS and header is False:
        raise ValueError(f"format {format!r} needs its header line (the columns are found by name)")
    labels = tuple(labels) if labels is not None else DEFAULT_LABELS[format]
    pair_file = _PairFile(path, encoding, format, bool(header) if format in _FIXED_COLUMNS else True, labels,
                          language)
    if format == "bq":
        return pair_file.bq_rows()
    if format == "xnli":
        return pair_file.xnli_rows()
    return pair_file.fixed_rows()
