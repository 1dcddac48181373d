import logging
from typing import Any, Dict, List

from allennlp.common.checks import ConfigurationError
from allennlp.training.callbacks.callback import TrainerCallback

from glyce_allennlp.models.glyce_aux_loss import GlyceAuxiliaryLoss

logger = logging.getLogger(__name__)


def _wrappers(trainer) -> List[GlyceAuxiliaryLoss]:
    model = getattr(trainer, "model", None) or getattr(trainer, "_pytorch_model", None)
    return [m for m in model.modules() if isinstance(m, GlyceAuxiliaryLoss)]


@TrainerCallback.register("glyce_aux_lambda")
class GlyceLambdaCallback(TrainerCallback):
    """Sets the epoch of every ``glyce_aux_loss`` wrapper so that λ follows training, and logs λ:
    λ(t) = 0 for the 0-based epochs t < ``start_epoch``, then λ(t) = λ0·λ1^(t − start_epoch).

    ``start_epoch`` is for staged training (``glyce_bert_stages``): set it to ``bert_epochs``, the first epoch in which
    the glyph side trains, so that the auxiliary term is not used while the glyph side is frozen and λ starts at λ0
    when it starts to train.

    Works with ``allennlp train --recover``: at start it reads the number of epochs already completed, so a recovered
    run continues with the λ of its next epoch.

    Parameters
    ----------
    serialization_dir : passed by AllenNLP.
    start_epoch : the 0-based epoch at which λ = λ0 (default 0: from the first epoch); ``>= 0``.
    """

    def __init__(self, serialization_dir: str, start_epoch: int = 0) -> None:
        super().__init__(serialization_dir)
        if int(start_epoch) < 0:
            raise ConfigurationError(f"glyce_aux_lambda: start_epoch must be >= 0, got {start_epoch}")
        self.start_epoch = int(start_epoch)

    def _set_epoch(self, trainer, epoch: int) -> None:
        for wrapper in _wrappers(trainer):
            wrapper.set_epoch(epoch, self.start_epoch)
            logger.info("glyce_aux_lambda: epoch %d, λ = %.6f", epoch, wrapper.current_lambda)

    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        epoch = max(int(getattr(trainer, "_epochs_completed", 0) or 0),
                    int(getattr(trainer, "_start_after_epochs_completed", 0) or 0))
        self._set_epoch(trainer, epoch)

    def on_epoch(self, trainer, metrics: Dict[str, Any], epoch: int, is_primary: bool = True, **kwargs) -> None:
        self._set_epoch(trainer, epoch + 1)
