import logging
from typing import Any, Dict, List

from allennlp.training.callbacks.callback import TrainerCallback

from glyce_allennlp.models.glyce_aux_loss import GlyceAuxiliaryLoss

logger = logging.getLogger(__name__)


def _wrappers(trainer) -> List[GlyceAuxiliaryLoss]:
    model = getattr(trainer, "model", None) or getattr(trainer, "_pytorch_model", None)
    return [m for m in model.modules() if isinstance(m, GlyceAuxiliaryLoss)]


@TrainerCallback.register("glyce_aux_lambda")
class GlyceLambdaCallback(TrainerCallback):
    """Sets the epoch of every ``glyce_aux_loss`` wrapper so that λ(t) = λ0·λ1^t follows training, and logs λ.

    Works with ``allennlp train --recover``: at start it reads the number of epochs already completed.

    Parameters
    ----------
    serialization_dir : passed by AllenNLP.
    """

    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        epoch = max(int(getattr(trainer, "_epochs_completed", 0) or 0),
                    int(getattr(trainer, "_start_after_epochs_completed", 0) or 0))
        for wrapper in _wrappers(trainer):
            wrapper.set_epoch(epoch)
            logger.info("glyce_aux_lambda: epoch %d, λ = %.6f", epoch, wrapper.current_lambda)

    def on_epoch(self, trainer, metrics: Dict[str, Any], epoch: int, is_primary: bool = True, **kwargs) -> None:
        for wrapper in _wrappers(trainer):
            wrapper.set_epoch(epoch + 1)
            logger.info("glyce_aux_lambda: epoch %d, λ = %.6f", epoch + 1, wrapper.current_lambda)
