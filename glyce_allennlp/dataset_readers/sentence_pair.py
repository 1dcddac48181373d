"""Chinese sentence-pair classification data (``chinese_sentence_pair`` reader): LCQMC, BQ, XNLI, NLPCC-DBQA.

One reader, the file layout chosen by ``format``:

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
:class:`~glyce_allennlp.dataset_readers.io.ReaderError` ``"{path}:{lineno}: ..."`` — nothing is skipped silently:
a wrong number of columns, an empty line, a label outside the format's label set (e.g. a header line read with
``header: false``, or swapped columns), a sentence with no characters once whitespace is dropped, a CSV quoting error,
a missing header column, undecodable bytes. (Rows of other languages in the multi-language XNLI file are not
malformed: they are filtered by design, and the number kept is logged.)

Tokens are characters, whitespace dropped (COMPAT F6). ``max_chars`` keeps the first characters of each sentence
(the number of cut sentences is logged per file).

Instance fields: ``premise`` and ``hypothesis`` (``TextField`` of characters; the names ``bimpm`` expects),
``label`` (``LabelField``, namespace ``labels``; omitted when :meth:`text_to_instance` gets no label).
"""
import logging
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

from allennlp.common.checks import ConfigurationError
from allennlp.common.file_utils import cached_path
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.fields import LabelField, TextField
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Token

from glyce_allennlp.dataset_readers.io import ReaderError, normalize_encoding, read_lines, warn_if_empty
from glyce_allennlp.dataset_readers.sentence_common import (
    TruncationCounter,
    check_label,
    read_csv_records,
    split_tsv,
    text_to_chars,
)

logger = logging.getLogger(__name__)

PAIR_FORMATS = ("lcqmc", "bq", "xnli", "nlpcc_dbqa")
_BINARY = ("0", "1")
XNLI_LABELS = ("entailment", "neutral", "contradiction")
_DEFAULT_LABELS = {"lcqmc": _BINARY, "bq": _BINARY, "nlpcc_dbqa": _BINARY, "xnli": XNLI_LABELS}
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


@DatasetReader.register("chinese_sentence_pair")
class ChineseSentencePairDatasetReader(DatasetReader):
    """Sentence pairs for matching / NLI, as character sequences (see the module docstring for the formats).

    Registered as a ``DatasetReader`` with name ``"chinese_sentence_pair"``.

    Parameters
    ----------
    format : ``str`` (default ``"lcqmc"``)
        ``"lcqmc"``, ``"bq"``, ``"xnli"`` or ``"nlpcc_dbqa"``.
    header : ``bool``, optional
        Only for ``lcqmc`` / ``nlpcc_dbqa`` (default ``False``): ``True`` skips line 1, which must then be a header
        (a line 1 whose label field is a valid label raises ``ReaderError``: that is data, not a header). ``bq`` and
        ``xnli`` always have a header (``header: false`` is a configuration error).
    labels : ``List[str]``, optional
        The accepted labels (default: ``0``/``1``, or the three XNLI labels). Any other label is an error.
    language : ``str`` (default ``"zh"``)
        For the multi-language XNLI file: the value of the ``language`` column to keep.
    max_chars : ``int``, optional
        Keep only the first ``max_chars`` characters of each sentence.
    encoding : ``str`` (default ``"utf-8"``)
        See :func:`~glyce_allennlp.dataset_readers.io.normalize_encoding`.
    token_indexers : ``Dict[str, TokenIndexer]`` (default ``{"tokens": SingleIdTokenIndexer()}``)
        Shared by both sentences.
    """

    def __init__(
        self,
        format: str = "lcqmc",
        header: Optional[bool] = None,
        labels: Optional[List[str]] = None,
        language: str = "zh",
        max_chars: Optional[int] = None,
        encoding: str = "utf-8",
        token_indexers: Optional[Dict[str, TokenIndexer]] = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if format not in PAIR_FORMATS:
            raise ConfigurationError(f"format must be one of {PAIR_FORMATS}, got {format!r}")
        if format in ("bq", "xnli") and header is False:
            raise ConfigurationError(f"format {format!r} needs its header line (the columns are found by name)")
        if max_chars is not None and max_chars < 1:
            raise ConfigurationError(f"max_chars must be >= 1, got {max_chars}")
        normalize_encoding(encoding)
        self._format = format
        self._header = bool(header) if format in _FIXED_COLUMNS else True
        self._labels = tuple(labels) if labels is not None else _DEFAULT_LABELS[format]
        self._language = language
        self._max_chars = max_chars
        self._encoding = encoding
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}

    # ------------------------------------------------------------------ reading
    def _label(self, path, lineno: int, label: str, hint: str = "") -> str:
        label = _LABEL_ALIASES.get(self._format, {}).get(label.strip(), label)
        return check_label(path, lineno, label, self._labels, hint)

    def _fixed_rows(self, path) -> Iterator[Row]:
        (i1, i2, il), layout = _FIXED_COLUMNS[self._format]
        for lineno, line in read_lines(path, self._encoding):
            fields = split_tsv(path, lineno, line, 3, layout)
            if lineno == 1 and self._header:
                if fields[il].strip() in self._labels:
                    raise ReaderError(path, lineno, f"header: true, but line 1 is a data row (label "
                                                    f"{fields[il].strip()!r}); set header: false")
                continue
            hint = "" if lineno != 1 else " (a header line? set header: true)"
            yield lineno, fields[i1], fields[i2], self._label(path, lineno, fields[il], hint)

    @staticmethod
    def _find_columns(path, header: List[str], names) -> List[int]:
        columns = []
        clean = [h.strip().lower() for h in header]
        for aliases in names:
            found = [clean.index(a) for a in aliases if a in clean]
            if not found:
                raise ReaderError(path, 1, f"the header has no {' / '.join(aliases)} column: {header}")
            columns.append(found[0])
        return columns

    def _bq_rows(self, path) -> Iterator[Row]:
        records = read_csv_records(path, self._encoding)
        header_record = next(records, None)
        if header_record is None:
            return
        _, header = header_record
        i1, i2, il = self._find_columns(path, header, _BQ_NAMES)
        for lineno, fields in records:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                raise ReaderError(path, lineno, "empty line (expected a CSV record)")
            if len(fields) != len(header):
                raise ReaderError(path, lineno, f"expected {len(header)} CSV fields like the header, found "
                                                f"{len(fields)}: {fields!r}"[:400])
            yield lineno, fields[i1], fields[i2], self._label(path, lineno, fields[il])

    def _xnli_rows(self, path) -> Iterator[Row]:
        lines = read_lines(path, self._encoding)
        first = next(lines, None)
        if first is None:
            return
        header = first[1].split("\t")
        multi = "language" in [h.strip().lower() for h in header]
        i1, i2, il = self._find_columns(path, header, _XNLI_MULTI_NAMES if multi else _XNLI_NAMES)
        i_lang = [h.strip().lower() for h in header].index("language") if multi else None
        layout = "as many columns as the header"
        kept = other = 0
        for lineno, line in lines:
            fields = split_tsv(path, lineno, line, len(header), layout)
            if multi and fields[i_lang].strip() != self._language:
                other += 1
                continue
            kept += 1
            yield lineno, fields[i1], fields[i2], self._label(path, lineno, fields[il])
        if multi:
            logger.info("%s: %d rows with language %r read, %d rows of other languages left out", path, kept,
                        self._language, other)

    def _rows(self, path) -> Iterator[Row]:
        if self._format == "bq":
            return self._bq_rows(path)
        if self._format == "xnli":
            return self._xnli_rows(path)
        return self._fixed_rows(path)

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        logger.info("Reading %s sentence pairs from %s", self._format, path)
        cut = TruncationCounter()
        for lineno, s1, s2, label in warn_if_empty(self._rows(path), path, "a header", logger):
            chars1 = cut.chars(s1, self._max_chars)
            chars2 = cut.chars(s2, self._max_chars)
            if not chars1 or not chars2:
                which = "first" if not chars1 else "second"
                raise ReaderError(path, lineno, f"the {which} sentence has no characters (empty or whitespace only)")
            yield self._instance(chars1, chars2, label)
        if self._max_chars is not None:
            logger.info("%s: %d sentence(s) cut to max_chars=%d", path, cut.count, self._max_chars)

    # ------------------------------------------------------------------ instances
    def _instance(self, chars1: List[str], chars2: List[str], label: Optional[str]) -> Instance:
        fields = {
            "premise": TextField([Token(c) for c in chars1], self._token_indexers),
            "hypothesis": TextField([Token(c) for c in chars2], self._token_indexers),
        }
        if label is not None:
            fields["label"] = LabelField(label, label_namespace="labels")
        return Instance(fields)

    def text_to_instance(self, premise: str, hypothesis: str,  # type: ignore[override]
                         label: Optional[str] = None) -> Instance:
        """One instance from two raw strings (whitespace dropped, ``max_chars`` applied) and an optional label.
        ``ValueError`` when a sentence has no characters."""
        chars1 = text_to_chars(premise, self._max_chars)
        chars2 = text_to_chars(hypothesis, self._max_chars)
        if not chars1 or not chars2:
            raise ValueError("both sentences need at least one non-whitespace character")
        return self._instance(chars1, chars2, label)
