"""Dataset readers for Chinese character tagging (registered with AllenNLP on import).

* ``sighan_cws`` (:mod:`.sighan_cws`): SIGHAN word segmentation → per-character BMES tags;
* ``char_ner`` (:mod:`.char_ner`): CoNLL character NER (BIO/BIOES/BMES/BIOUL) → BIOUL, with an ill-formed-span policy;
* ``ctb_pos`` (:mod:`.ctb_pos`): CTB ``word_TAG`` lines → per-character ``B-TAG``/``M-TAG``/``E-TAG``/``S-TAG``.

:mod:`.tag_schemes` and :mod:`.io` are pure Python (no AllenNLP).
"""
from glyce_allennlp.dataset_readers.io import ReaderError, read_lines
from glyce_allennlp.dataset_readers.sighan_cws import SighanCwsDatasetReader
from glyce_allennlp.dataset_readers.char_ner import CharNerDatasetReader
from glyce_allennlp.dataset_readers.ctb_pos import CtbPosDatasetReader

__all__ = ["ReaderError", "read_lines", "SighanCwsDatasetReader", "CharNerDatasetReader", "CtbPosDatasetReader"]
from glyce_allennlp.dataset_readers.sentence_pair import ChineseSentencePairDatasetReader
from glyce_allennlp.dataset_readers.text_classification import ChineseTextClassificationDatasetReader
from glyce_allennlp.dataset_readers.conll_dependencies import ConllDependenciesDatasetReader
from glyce_allennlp.dataset_readers.ud_char_pos import ConllCharPosDatasetReader
from glyce_allennlp.dataset_readers.bert_sentence_input import BertSentenceInputReader
from glyce_allennlp.dataset_readers.conll2009_srl import Conll2009SrlDatasetReader
