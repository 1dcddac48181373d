from glyce_allennlp.predictors.raw_line import RawLinePredictor
from glyce_allennlp.predictors.chinese_tagger import ChineseTaggerPredictor
from glyce_allennlp.predictors.chinese_text_classifier import ChineseTextClassifierPredictor
from glyce_allennlp.predictors.chinese_pair_classifier import ChinesePairClassifierPredictor
from glyce_allennlp.predictors.chinese_dependency_parser import ChineseDependencyParserPredictor
from glyce_allennlp.predictors.chinese_srl import ChineseSrlPredictor

from glyce_allennlp.patches import apply as _apply_patches  # noqa: E402

_apply_patches()  # AllenNLP's runtime patches (glyce_allennlp.patches) for every use of this subpackage
