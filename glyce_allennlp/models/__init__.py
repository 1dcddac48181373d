from glyce_allennlp.models.glyce_aux_loss import GlyceAuxiliaryLoss
from glyce_allennlp.models.fast_crf_tagger import FastCrfTagger
from glyce_allennlp.models.k_order_srl import KOrderSrl

from glyce_allennlp.patches import apply as _apply_patches  # noqa: E402

_apply_patches()  # AllenNLP's runtime patches (glyce_allennlp.patches) for every use of this subpackage
