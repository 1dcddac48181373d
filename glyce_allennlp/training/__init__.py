from glyce_allennlp.training.glyce_lambda_callback import GlyceLambdaCallback
from glyce_allennlp.training.staged_training_callback import GlyceBertStagesCallback

from glyce_allennlp.patches import apply as _apply_patches  # noqa: E402

_apply_patches()  # AllenNLP's runtime patches (glyce_allennlp.patches) for every use of this subpackage
