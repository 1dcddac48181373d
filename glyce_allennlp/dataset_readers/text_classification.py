"""Chinese single-sentence / document classification data (``chinese_text_classification`` reader).

The formats (``chnsenticorp``, ``tsv``, ``jsonl``) and their errors are those of
:mod:`glyce_allennlp.formats.classification`: every malformed row raises
:class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``, nothing is skipped silently; so does a
text with no characters once whitespace is dropped.

Tokens are characters, whitespace dropped (no word tokenizer). ``max_chars`` keeps the first characters of long texts
(ChnSentiCorp reviews reach 5,860 characters; the number of cut texts is logged per file).

Instance fields: ``tokens`` (``TextField`` of characters) and ``label`` (``LabelField``, namespace ``labels``;
omitted when :meth:`text_to_instance` gets no label) — what ``basic_classifier`` expects.
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

from glyce_allennlp.formats.classification import TEXT_FORMATS, read_classification
from glyce_allennlp.formats.io import ReaderError, normalize_encoding, warn_if_empty
from glyce_allennlp.formats.sentences import TruncationCounter, text_to_chars

logger = logging.getLogger(__name__)


@DatasetReader.register("chinese_text_classification")
class ChineseTextClassificationDatasetReader(DatasetReader):
    """Labelled Chinese texts as character sequences (see the module docstring for the formats).

    Registered as a ``DatasetReader`` with name ``"chinese_text_classification"``.

    Parameters
    ----------
    format : ``str`` (default ``"chnsenticorp"``)
        ``"chnsenticorp"``, ``"tsv"`` or ``"jsonl"``.
    header : ``bool``, optional
        Whether line 1 is a header to skip (default: ``True`` for ``chnsenticorp``, else ``False``; not allowed for
        ``jsonl``).
    labels : ``List[str]``, optional
        The accepted labels (default: ``0``/``1`` for ``chnsenticorp``, any non-empty label otherwise).
    text_key, label_key : ``str`` (default ``"text"``, ``"label"``)
        The keys of a ``jsonl`` object.
    max_chars : ``int``, optional
        Keep only the first ``max_chars`` characters of each text.
    encoding : ``str`` (default ``"utf-8"``)
        See :func:`~glyce_allennlp.formats.io.normalize_encoding`.
    token_indexers : ``Dict[str, TokenIndexer]`` (default ``{"tokens": SingleIdTokenIndexer()}``)
    """

    def __init__(
        self,
        format: str = "chnsenticorp",
        header: Optional[bool] = None,
        labels: Optional[List[str]] = None,
        text_key: str = "text",
        label_key: str = "label",
        max_chars: Optional[int] = None,
        encoding: str = "utf-8",
        token_indexers: Optional[Dict[str, TokenIndexer]] = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if format not in TEXT_FORMATS:
            raise ConfigurationError(f"format must be one of {TEXT_FORMATS}, got {format!r}")
        if format == "jsonl" and header:
            raise ConfigurationError("format 'jsonl' has no header line")
        if max_chars is not None and max_chars < 1:
            raise ConfigurationError(f"max_chars must be >= 1, got {max_chars}")
        normalize_encoding(encoding)
        self._format = format
        self._header = header  # None: the format's default (formats.classification.DEFAULT_HEADER)
        self._labels = labels  # None: the format's default (formats.classification.DEFAULT_LABELS)
        self._text_key = text_key
        self._label_key = label_key
        self._max_chars = max_chars
        self._encoding = encoding
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        logger.info("Reading %s texts from %s", self._format, path)
        rows = read_classification(path, self._encoding, self._format, self._header, self._labels, self._text_key,
                                   self._label_key)
        cut = TruncationCounter()
        for lineno, label, text in warn_if_empty(rows, path, "a header", logger):
            chars = cut.chars(text, self._max_chars)
            if not chars:
                raise ReaderError(path, lineno, "the text has no characters (empty or whitespace only)")
            yield self._instance(chars, label)
        if self._max_chars is not None:
            logger.info("%s: %d text(s) cut to max_chars=%d", path, cut.count, self._max_chars)

    # ------------------------------------------------------------------ instances
    def _instance(self, chars: List[str], label: Optional[str]) -> Instance:
        fields = {"tokens": TextField([Token(c) for c in chars], self._token_indexers)}
        if label is not None:
            fields["label"] = LabelField(label, label_namespace="labels")
        return Instance(fields)

    def text_to_instance(self, text: str, label: Optional[str] = None) -> Instance:  # type: ignore[override]
        """One instance from a raw string (whitespace dropped, ``max_chars`` applied) and an optional label.
        ``ValueError`` when the text has no characters."""
        chars = text_to_chars(text, self._max_chars)
        if not chars:
            raise ValueError("the text needs at least one non-whitespace character")
        return self._instance(chars, label)
