import logging
from typing import Dict, Iterable, List, Optional

from allennlp.common.file_utils import cached_path
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.fields import MetadataField, SequenceLabelField, TextField
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Token

from glyce_allennlp.formats.cws import read_cws
from glyce_allennlp.formats.io import drop_whitespace, normalize_encoding, warn_if_empty
from glyce_allennlp.formats.tag_schemes import bmes_to_words

logger = logging.getLogger(__name__)


@DatasetReader.register("sighan_cws")
class SighanCwsDatasetReader(DatasetReader):
    """Chinese word segmentation in the SIGHAN bakeoff format, as per-character BMES tagging.

    File format: one sentence per line, its words separated by whitespace (ASCII spaces, tabs, U+3000 ideographic
    spaces, any Unicode whitespace), e.g. ``张伟 在 北京 工作 。``. Blank (empty or whitespace-only) lines are not
    sentences and are skipped; every other line is one instance. CRLF line ends and (on line 1) a UTF-8 BOM are
    accepted; bytes that do not decode strictly raise :class:`~glyce_allennlp.formats.io.ReaderError`
    ``"{path}:{lineno}: cannot decode as {encoding}: ..."``.

    Instance fields:

    * ``tokens``: ``TextField`` with one ``Token`` per character of the words (whitespace never becomes a token);
    * ``tags``: ``SequenceLabelField`` in the ``"labels"`` namespace, plain BMES: ``S`` for a one-character word,
      else ``B M* E`` (omitted when :meth:`text_to_instance` gets no tags);
    * ``metadata``: ``MetadataField({"chars": [...], "words": [...]})``: ``"words"`` is the gold segmentation when
      tags are given, else the characters. (It is always there: ``crf_tagger`` reads ``metadata["words"]``.)

    Registered as a ``DatasetReader`` with name ``"sighan_cws"``. ``tag_output = "words"``: the tags are plain BMES
    word boundaries.

    Parameters
    ----------
    encoding : ``str``, optional (default ``"utf-8"``)
        One of ``"utf-8"``, ``"utf-8-sig"``, ``"gbk"``, ``"gb18030"``, ``"big5"``, ``"cp950"`` (the SIGHAN 2005
        files come in GBK/GB18030 for PKU/MSR and Big5/CP950 for AS/CityU).
    token_indexers : ``Dict[str, TokenIndexer]``, optional (default ``{"tokens": SingleIdTokenIndexer()}``)
        Indexers for the character tokens.
    **kwargs
        Passed to :class:`~allennlp.data.dataset_readers.DatasetReader` (e.g. ``max_instances``).
    """

    tag_output = "words"

    def __init__(
        self,
        encoding: str = "utf-8",
        token_indexers: Optional[Dict[str, TokenIndexer]] = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self._encoding = encoding
        normalize_encoding(encoding)  # fail at construction on an unsupported encoding
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        logger.info("Reading SIGHAN word segmentation data from %s", path)
        for _lineno, chars, tags in warn_if_empty(read_cws(path, self._encoding), path, "blank lines", logger):
            yield self.text_to_instance(chars, tags)

    def text_to_instance(self, chars: List[str], tags: List[str] = None) -> Instance:  # type: ignore[override]
        """One instance from characters (a list, or a string) and optional BMES tags. Whitespace characters are
        dropped (with their tags)."""
        chars, tags = drop_whitespace(chars, tags)
        # crf_tagger echoes metadata["words"] into its output: always set it (the characters when there is no gold)
        metadata = {"chars": chars, "words": list(chars)}
        fields = {"tokens": TextField([Token(c) for c in chars], self._token_indexers)}
        if tags is not None:
            metadata["words"] = bmes_to_words(chars, tags)
            fields["tags"] = SequenceLabelField(tags, fields["tokens"], label_namespace="labels")
        fields["metadata"] = MetadataField(metadata)
        return Instance(fields)

