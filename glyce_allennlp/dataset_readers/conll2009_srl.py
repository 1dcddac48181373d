import logging
from typing import Dict, Iterable, List, Optional

from allennlp.common.file_utils import cached_path
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.fields import Field, IndexField, LabelField, MetadataField, SequenceLabelField, TextField
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Token
from allennlp.data.vocabulary import DEFAULT_OOV_TOKEN

from glyce_allennlp.formats import conll2009
from glyce_allennlp.formats.io import ReaderError, normalize_encoding, warn_if_empty
from glyce_allennlp.formats.srl_pruning import k_order_candidates

logger = logging.getLogger(__name__)

ROLE_NAMESPACE = "srl_roles"
SENSE_NAMESPACE = "srl_senses"


@DatasetReader.register("conll2009_srl")
class Conll2009SrlDatasetReader(DatasetReader):
    """CoNLL-2009 semantic role labelling data (14 fixed columns + one APRED column per predicate), read strictly by
    :func:`glyce_allennlp.formats.conll2009.read_conll2009` (every malformed row is a
    :class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``; rules in that module).

    **One instance per predicate** (the predicate-indicator input differs per predicate, so the encoder runs once per
    predicate anyway, as in He et al. 2018). A sentence without predicates gives no instance (they are counted and
    logged); the ``chinese_srl`` predictor still writes it out.

    Instance fields:

    * ``tokens``: ``TextField`` of the words (FORM);
    * ``pos_tags``: ``SequenceLabelField`` (namespace ``"pos"``) from POS or PPOS;
    * ``predicate_indicator``: 1 on the predicate, 0 elsewhere; ``predicate_index``: ``IndexField``;
    * ``candidates``: 1 on the words kept by k-order pruning of the predicate (all words when ``pruning_k = 0``);
    * ``roles`` (annotated data only): the APRED column of the predicate, ``"_"`` = no role (namespace
      ``"srl_roles"``);
    * ``sense`` (annotated data only): ``LabelField`` (namespace ``"srl_senses"``), the sense label of PRED (``01`` of
      ``发现.01``; a PRED without ``.`` is all label; a PRED ``_`` gives the label ``_``);
    * ``metadata``: ``words``, ``pos``, ``predicate_index``, ``predicate_lemma`` (LEMMA / PLEMMA of the predicate,
      used to write ``lemma.sense``), ``gold_sense`` (PRED), ``gold_arguments`` (``{position: role}``, *all* gold
      arguments, also those pruning removed, so that the metric's recall is honest), ``candidates``,
      ``sentence_index``, ``predicate_number``.

    Registered as ``"conll2009_srl"``.

    Parameters
    ----------
    columns : ``"gold"`` (default: LEMMA, POS, HEAD, DEPREL) or ``"predicted"`` (PLEMMA, PPOS, PHEAD, PDEPREL, as in
        the CoNLL-2009 closed challenge). POS feeds the POS embedding, HEAD the pruning.
    pruning_k : order of the k-order argument pruning (He et al. 2018; see :mod:`glyce_allennlp.formats.srl_pruning`);
        ``0`` (default) = no pruning. With ``pruning_k > 0`` the chosen HEAD column must be given.
    encoding : ``"utf-8"`` (default), ``"utf-8-sig"``, ``"gbk"``, ``"gb18030"``, ``"big5"``, ``"cp950"``.
    token_indexers : for the words (default ``{"tokens": SingleIdTokenIndexer()}``).
    **kwargs : passed to ``DatasetReader`` (e.g. ``max_instances``).
    """

    def __init__(self, columns: str = "gold", pruning_k: int = 0, encoding: str = "utf-8",
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if columns not in conll2009.COLUMN_SETS:
            raise ValueError(f"columns must be one of {conll2009.COLUMN_SETS}, got {columns!r}")
        if int(pruning_k) < 0:
            raise ValueError(f"pruning_k must be >= 0 (0 = no pruning), got {pruning_k}")
        normalize_encoding(encoding)
        self.columns = columns
        self.pruning_k = int(pruning_k)
        self._encoding = encoding
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        logger.info("Reading CoNLL-2009 SRL data (%s columns, pruning k=%d) from %s", self.columns, self.pruning_k,
                    path)
        without_predicates = 0
        sentences = warn_if_empty(conll2009.read_conll2009(path, self._encoding), path, "blank lines and comments",
                                  logger)
        for index, sentence in enumerate(sentences):
            if not sentence.predicates:
                without_predicates += 1
                continue
            yield from self.sentence_instances(sentence, index)
        if without_predicates:
            logger.info("%s: %d sentence(s) without predicates (no instance)", path, without_predicates)

    def sentence_instances(self, sentence: "conll2009.Conll2009Sentence", sentence_index: int = 0,
                           gold: bool = True) -> List[Instance]:
        """One instance per predicate of a parsed sentence (used by ``_read`` and by the ``chinese_srl`` predictor).
        ``gold=False`` leaves the gold roles and sense out even if the sentence has them (prediction)."""
        view = sentence.view(self.columns)
        if self.pruning_k > 0 and view.heads is None:
            column = "PHEAD" if self.columns == "predicted" else "HEAD"
            raise ReaderError(sentence.path, sentence.linenos[0],
                              f"the {column} column is '_': k-order pruning (pruning_k = {self.pruning_k}) needs "
                              f"heads; use pruning_k 0 or the other column set (columns = 'gold' / 'predicted')")
        instances = []
        for number, predicate in enumerate(view.predicates):
            annotated = gold and view.arguments is not None
            arguments = view.arguments[number] if annotated else None
            sense = view.senses[number] if annotated else None
            instances.append(self.text_to_instance(view.words, view.pos, view.heads, predicate,
                                                   predicate_lemma=view.lemmas[predicate], sense=sense,
                                                   arguments=arguments, sentence_index=sentence_index,
                                                   predicate_number=number))
        return instances

    def text_to_instance(self, words: List[str], pos_tags: Optional[List[Optional[str]]],  # type: ignore
                         heads: Optional[List[int]], predicate_index: int, predicate_lemma: Optional[str] = None,
                         sense: Optional[str] = None, arguments: Optional[Dict[int, str]] = None,
                         sentence_index: int = 0, predicate_number: int = 0) -> Instance:
        """``words``; ``pos_tags`` (``None`` = unknown, per word or for the sentence); ``heads`` (CoNLL HEADs, needed
        when ``pruning_k > 0``); ``predicate_index`` (0-based); optional gold ``sense`` (PRED, e.g. ``"发现.01"``) and
        ``arguments`` (``{position: role}``): give both for training/evaluation, neither for prediction."""
        words = list(words)
        n = len(words)
        if n == 0:
            raise ValueError("a sentence needs at least one word")
        if not 0 <= predicate_index < n:
            raise ValueError(f"predicate index {predicate_index} is outside the sentence (0..{n - 1})")
        if pos_tags is None:
            pos_tags = [None] * n
        if len(pos_tags) != n:
            raise ValueError(f"{n} words but {len(pos_tags)} POS tags")
        if self.pruning_k > 0:
            if heads is None:
                raise ValueError(f"k-order pruning (pruning_k = {self.pruning_k}) needs the heads")
            candidates = k_order_candidates(heads, predicate_index, self.pruning_k)
        else:
            candidates = list(range(n))
        candidate_set = set(candidates)
        text_field = TextField([Token(w) for w in words], self._token_indexers)
        fields: Dict[str, Field] = {
            "tokens": text_field,
            "pos_tags": SequenceLabelField([DEFAULT_OOV_TOKEN if p in (None, "", "_") else p for p in pos_tags],
                                           text_field, label_namespace="pos"),
            "predicate_indicator": SequenceLabelField([int(i == predicate_index) for i in range(n)], text_field,
                                                      label_namespace="predicate_indicator_tags"),
            "predicate_index": IndexField(predicate_index, text_field),
            "candidates": SequenceLabelField([int(i in candidate_set) for i in range(n)], text_field,
                                             label_namespace="candidate_tags"),
        }
        if (arguments is None) != (sense is None):
            raise ValueError("give both the gold sense and the gold arguments, or neither")
        if arguments is not None:
            for position in arguments:
                if not 0 <= position < n:
                    raise ValueError(f"argument position {position} is outside the sentence")
            fields["roles"] = SequenceLabelField([arguments.get(i, conll2009.NO_ROLE) for i in range(n)], text_field,
                                                 label_namespace=ROLE_NAMESPACE)
            fields["sense"] = LabelField(conll2009.split_sense(sense)[1], label_namespace=SENSE_NAMESPACE)
        fields["metadata"] = MetadataField({
            "words": words,
            "pos": ["_" if p in (None, "") else p for p in pos_tags],
            "predicate_index": predicate_index,
            "predicate_lemma": predicate_lemma if predicate_lemma not in (None, "", "_") else words[predicate_index],
            "gold_sense": sense,
            "gold_arguments": None if arguments is None else {int(k): v for k, v in arguments.items()},
            "candidates": candidates,
            "sentence_index": sentence_index,
            "predicate_number": predicate_number,
        })
        return Instance(fields)
