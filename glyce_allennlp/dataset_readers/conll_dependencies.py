import logging
from typing import Dict, Iterable, List, Optional, Tuple

from allennlp.common.file_utils import cached_path
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.fields import Field, MetadataField, SequenceLabelField, TextField
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Token
from allennlp.data.vocabulary import DEFAULT_OOV_TOKEN

from glyce_allennlp.formats.conll import FORMATS, POS_COLUMNS, read_conll
from glyce_allennlp.formats.io import normalize_encoding, warn_if_empty

logger = logging.getLogger(__name__)

NO_POS = "_"  # metadata POS of a word whose POS is unknown (its pos_tags label is the OOV token)


@DatasetReader.register("conll_dependencies")
class ConllDependenciesDatasetReader(DatasetReader):
    """Dependency trees from CoNLL-U (Universal Dependencies) or CoNLL-X (e.g. CTB5 dependency) files, for
    allennlp-models' ``biaffine_parser``.

    The file is read by :func:`~glyce_allennlp.formats.conll.read_conll`: syntactic words (multi-word
    token ranges ``N-M`` and empty nodes ``N.K`` are handled as the UD spec says: the range's words are read, empty
    nodes are skipped), comments ignored, every malformed row a
    :class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``.

    Instance fields (the names ``biaffine_parser.forward`` takes, as allennlp-models' ``universal_dependencies``
    reader makes them):

    * ``words``: ``TextField``, one ``Token`` per word;
    * ``pos_tags``: ``SequenceLabelField`` in namespace ``"pos"`` (the parser embeds them, and uses them to leave
      punctuation out of UAS/LAS); a word without POS gets the OOV label;
    * ``head_tags``: ``SequenceLabelField`` (namespace ``"head_tags"``) of relations, and ``head_indices``:
      ``SequenceLabelField`` of integer heads (0 = root; namespace ``"head_index_tags"``, never indexed) — both only
      when the sentence has heads;
    * ``metadata``: ``{"words": [...], "pos": [...]}`` (``"_"`` for an unknown POS).

    Registered as ``"conll_dependencies"``.

    Parameters
    ----------
    format : ``"conllu"`` (default) or ``"conllx"``.
    pos : ``"upos"`` (default; 4th column: UPOS, CoNLL-X CPOSTAG) or ``"xpos"`` (5th column: XPOS, CoNLL-X POSTAG).
    encoding : as for the other glyce readers (``"utf-8"`` default, ``"utf-8-sig"``, ``"gbk"``, ``"gb18030"``,
        ``"big5"``, ``"cp950"``).
    token_indexers : for the words (default ``{"tokens": SingleIdTokenIndexer()}``).
    **kwargs : passed to ``DatasetReader`` (e.g. ``max_instances``).
    """

    def __init__(self, format: str = "conllu", pos: str = "upos", encoding: str = "utf-8",
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
        if pos not in POS_COLUMNS:
            raise ValueError(f"pos must be one of {POS_COLUMNS}, got {pos!r}")
        normalize_encoding(encoding)
        self.format = format
        self.pos = pos
        self._encoding = encoding
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        logger.info("Reading %s dependency trees (%s) from %s", self.format, self.pos, path)
        sentences = read_conll(path, self._encoding, self.format)
        for sentence in warn_if_empty(sentences, path, "blank lines and comments", logger):
            dependencies = None
            if sentence.heads is not None:
                dependencies = list(zip(sentence.deprels, sentence.heads))
            yield self.text_to_instance(sentence.words, sentence.pos(self.pos), dependencies)

    def text_to_instance(self, words: List[str], pos_tags: Optional[List[Optional[str]]] = None,  # type: ignore
                         dependencies: Optional[List[Tuple[str, int]]] = None) -> Instance:
        """``words``; optional ``pos_tags`` (``None`` for the sentence or per word = unknown); optional
        ``dependencies``: ``(relation, head)`` per word, heads 1-based, 0 = root (as allennlp's UD reader)."""
        words = list(words)
        if not words:
            raise ValueError("a sentence needs at least one word")
        if pos_tags is None:
            pos_tags = [None] * len(words)
        if len(pos_tags) != len(words):
            raise ValueError(f"{len(words)} words but {len(pos_tags)} POS tags")
        meta_pos = [NO_POS if p in (None, "") else p for p in pos_tags]
        labels = [DEFAULT_OOV_TOKEN if p in (None, "") else p for p in pos_tags]
        text_field = TextField([Token(w) for w in words], self._token_indexers)
        fields: Dict[str, Field] = {
            "words": text_field,
            "pos_tags": SequenceLabelField(labels, text_field, label_namespace="pos"),
        }
        if dependencies is not None:
            if len(dependencies) != len(words):
                raise ValueError(f"{len(words)} words but {len(dependencies)} dependencies")
            fields["head_tags"] = SequenceLabelField([rel for rel, _ in dependencies], text_field,
                                                     label_namespace="head_tags")
            fields["head_indices"] = SequenceLabelField([int(head) for _, head in dependencies], text_field,
                                                        label_namespace="head_index_tags")
        fields["metadata"] = MetadataField({"words": words, "pos": meta_pos})
        return Instance(fields)
