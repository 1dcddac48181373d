import logging
from typing import Dict, Iterable, List, Optional

from allennlp.common.file_utils import cached_path
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.fields import MetadataField, SequenceLabelField, TextField
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Token

from glyce_allennlp.formats.char_pos import read_ctb_pos
from glyce_allennlp.formats.io import drop_whitespace, normalize_encoding, warn_if_empty
from glyce_allennlp.formats.tag_schemes import bmes_pos_to_pairs

logger = logging.getLogger(__name__)


@DatasetReader.register("ctb_pos")
class CtbPosDatasetReader(DatasetReader):
    """Joint Chinese word segmentation and POS tagging (CTB style), as per-character typed BMES tagging.

    File format: one sentence per line of whitespace-separated ``word_TAG`` tokens, e.g.
    ``张伟_NR 在_P 北京_NR 工作_VV 。_PU``. A token is split on its **last** underscore (so ``__PU`` is the word
    ``_`` tagged ``PU``). Blank (empty or whitespace-only) lines are not sentences and are skipped. A token without
    ``_``, or with an empty word or tag, raises :class:`~glyce_allennlp.formats.io.ReaderError`
    ``"{path}:{lineno}: ..."``; so does a line that does not decode with ``encoding``.

    Instance fields:

    * ``tokens``: ``TextField`` with one ``Token`` per character (whitespace never becomes a token);
    * ``tags``: ``SequenceLabelField`` in the ``"labels"`` namespace: per character ``B-TAG``/``M-TAG``/``E-TAG`` for
      a multi-character word, ``S-TAG`` for a one-character word (no ``O``); omitted when there are no tags;
    * ``metadata``: ``MetadataField({"chars": [...], "words": [...], "pos": [...]})``: the gold words and their POS
      tags when tags are given; without tags ``"words"`` is the characters and there is no ``"pos"``. (``"words"``
      is always there: ``crf_tagger`` reads ``metadata["words"]``.)

    Registered as a ``DatasetReader`` with name ``"ctb_pos"``. ``tag_output = "word_pos"``: the tags are typed BMES
    (word boundaries and each word's POS).

    Parameters
    ----------
    encoding : ``str``, optional (default ``"utf-8"``)
        One of ``"utf-8"``, ``"utf-8-sig"``, ``"gbk"``, ``"gb18030"``, ``"big5"``, ``"cp950"``.
    token_indexers : ``Dict[str, TokenIndexer]``, optional (default ``{"tokens": SingleIdTokenIndexer()}``)
        Indexers for the character tokens.
    **kwargs
        Passed to :class:`~allennlp.data.dataset_readers.DatasetReader` (e.g. ``max_instances``).
    """

    tag_output = "word_pos"

    def __init__(
        self,
        encoding: str = "utf-8",
        token_indexers: Optional[Dict[str, TokenIndexer]] = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self._encoding = encoding
        normalize_encoding(encoding)
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        logger.info("Reading CTB-style word_TAG data from %s", path)
        for _lineno, chars, tags in warn_if_empty(read_ctb_pos(path, self._encoding), path, "blank lines", logger):
            yield self.text_to_instance(chars, tags)

    def text_to_instance(self, chars: List[str], tags: List[str] = None) -> Instance:  # type: ignore[override]
        """One instance from characters (a list, or a string) and optional typed BMES tags (``B-NN``...).
        Whitespace characters are dropped (with their tags)."""
        chars, tags = drop_whitespace(chars, tags)
        # crf_tagger echoes metadata["words"] into its output: always set it (the characters when there is no gold)
        metadata = {"chars": chars, "words": list(chars)}
        fields = {"tokens": TextField([Token(c) for c in chars], self._token_indexers)}
        if tags is not None:
            pairs = bmes_pos_to_pairs(chars, tags)
            metadata["words"] = [word for word, _ in pairs]
            metadata["pos"] = [pos for _, pos in pairs]
            fields["tags"] = SequenceLabelField(tags, fields["tokens"], label_namespace="labels")
        fields["metadata"] = MetadataField(metadata)
        return Instance(fields)

