"""AllenNLP dataset readers (registered on import). The character tagging readers:

* ``sighan_cws`` (:mod:`.sighan_cws`): SIGHAN word segmentation → per-character BMES tags;
* ``char_ner`` (:mod:`.char_ner`): CoNLL character NER (BIO/BIOES/BMES/BIOUL) → BIOUL, with an ill-formed-span policy;
* ``ctb_pos`` (:mod:`.ctb_pos`): CTB ``word_TAG`` lines → per-character ``B-TAG``/``M-TAG``/``E-TAG``/``S-TAG``;
* ``conll_char_pos`` (:mod:`.ud_char_pos`): CoNLL-U / CoNLL-X words and POS → the same typed BMES tags.

Every character tagging reader declares what its tags mean in the class attribute ``tag_output``, one of
:data:`TAG_OUTPUTS`: ``"entities"`` (BIOUL entity spans: ``char_ner``), ``"words"`` (plain BMES word boundaries:
``sighan_cws``), ``"word_pos"`` (typed BMES, words and their POS: ``ctb_pos``, ``conll_char_pos``). Predictors
read it to decide how to decode a model's tags.

The readers parse with :mod:`glyce_allennlp.formats` (AllenNLP-free; malformed input raises
:class:`~glyce_allennlp.formats.io.ReaderError`) and build the instances.
"""
TAG_OUTPUTS = ("entities", "words", "word_pos")

from glyce_allennlp.dataset_readers.sighan_cws import SighanCwsDatasetReader  # noqa: E402
from glyce_allennlp.dataset_readers.char_ner import CharNerDatasetReader  # noqa: E402
from glyce_allennlp.dataset_readers.ctb_pos import CtbPosDatasetReader  # noqa: E402
from glyce_allennlp.dataset_readers.ud_char_pos import ConllCharPosDatasetReader  # noqa: E402
from glyce_allennlp.dataset_readers.sentence_pair import ChineseSentencePairDatasetReader  # noqa: E402
from glyce_allennlp.dataset_readers.text_classification import ChineseTextClassificationDatasetReader  # noqa: E402
from glyce_allennlp.dataset_readers.conll_dependencies import ConllDependenciesDatasetReader  # noqa: E402
from glyce_allennlp.dataset_readers.bert_sentence_input import BertSentenceInputReader  # noqa: E402
from glyce_allennlp.dataset_readers.conll2009_srl import Conll2009SrlDatasetReader  # noqa: E402

__all__ = [
    "TAG_OUTPUTS",
    "SighanCwsDatasetReader", "CharNerDatasetReader", "CtbPosDatasetReader", "ConllCharPosDatasetReader",
    "ChineseSentencePairDatasetReader", "ChineseTextClassificationDatasetReader", "ConllDependenciesDatasetReader",
    "BertSentenceInputReader", "Conll2009SrlDatasetReader",
]

from glyce_allennlp.patches import apply as _apply_patches  # noqa: E402

_apply_patches()  # AllenNLP's runtime patches (glyce_allennlp.patches) for every use of this subpackage
