"""Chinese sentence-pair classification data (``chinese_sentence_pair`` reader): LCQMC, BQ, XNLI, NLPCC-DBQA.

The formats (``lcqmc``, ``nlpcc_dbqa``, ``bq``, ``xnli``), their label sets and their errors are those of
:mod:`glyce_allennlp.formats.sentence_pair`: every malformed row raises
:class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``, nothing is skipped silently; so does a
sentence with no characters once whitespace is dropped.

Tokens are characters, whitespace dropped (no word tokenizer). ``max_chars`` keeps the first characters of each
sentence (the number of cut sentences is logged per file).

Instance fields: ``premise`` and ``hypothesis`` (``TextField`` of characters; the names ``bimpm`` expects),
``label`` (``LabelField``, namespace ``labels``; omitted when :meth:`text_to_instance` gets no label).
"""
import logging
from typing import Dict, Iterable, List, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.common.file_utils import cached_path
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.fields import LabelField, TextField
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Token

from glyce_allennlp.formats.io import ReaderError, normalize_encoding, warn_if_empty
from glyce_allennlp.formats.sentence_pair import HEADER_FORMATS, PAIR_FORMATS, read_sentence_pairs
from glyce_allennlp.formats.sentences import TruncationCounter, text_to_chars

logger = logging.getLogger(__name__)


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
        See :func:`~glyce_allennlp.formats.io.normalize_encoding`.
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
        if format in HEADER_FORMATS and header is False:
            raise ConfigurationError(f"format {format!r} needs its header line (the columns are found by name)")
        if max_chars is not None and max_chars < 1:
            raise ConfigurationError(f"max_chars must be >= 1, got {max_chars}")
        normalize_encoding(encoding)
        self._format = format
        self._header = header  # None: no header line (lcqmc, nlpcc_dbqa); the HEADER_FORMATS always have one
        self._labels = labels  # None: the format's default (formats.sentence_pair.DEFAULT_LABELS)
        self._language = language
        self._max_chars = max_chars
        self._encoding = encoding
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        logger.info("Reading %s sentence pairs from %s", self._format, path)
        cut = TruncationCounter()
        rows = read_sentence_pairs(path, self._encoding, self._format, self._header, self._labels, self._language)
        for lineno, s1, s2, label in warn_if_empty(rows, path, "a header", logger):
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
