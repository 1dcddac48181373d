import logging
import numbers
from typing import Any, Dict, List

import numpy
import torch
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.common.util import is_distributed
from allennlp.nn.util import dist_reduce_sum

from glyce_allennlp.glyph import GlyphEmbedding

logger = logging.getLogger(__name__)


@Model.register("glyce_aux_loss")
class GlyceAuxiliaryLoss(Model):
    """Wraps **any** AllenNLP model and adds the Glyce auxiliary glyph-classification loss of every glyph embedder
    found inside it, without editing that model::

        L = (1 − λ)·L_task + λ·L_cls,     λ(epoch) = lambda0 · lambda1 ** (epoch − start_epoch)  (0 before start_epoch)

    ``L_cls`` pools the auxiliary losses of every call of the glyph embedders in this forward pass (see
    ``aux_loss_reduction``; a model that embeds two texts with one embedder, like ``bimpm``, gets both). The epoch
    and ``start_epoch`` are set by the ``glyce_aux_lambda`` trainer callback (add it to ``trainer.callbacks``; its
    ``start_epoch`` defaults to 0, so λ decays from epoch 0); without it λ stays ``lambda0`` and a warning is logged
    once.

    Parameters
    ----------
    vocab : the vocabulary (passed by AllenNLP).
    model : the wrapped model, e.g. ``{"type": "crf_tagger", ...}``. Must contain at least one glyph embedder
        (``glyce`` token embedder or anything built on :class:`GlyphEmbedding`).
    lambda0 : λ at ``start_epoch`` (in [0, 1]).
    lambda1 : per-epoch decay of λ (in [0, 1]).
    aux_loss_reduction : ``"mean"`` (default): ``L_cls`` is the mean cross-entropy over the batch's character tokens —
        right for task losses that are batch means (e.g. ``basic_classifier``). ``"sum"``: summed over the tokens —
        right for task losses summed over the batch's sentences, like ``crf_tagger``'s negative log-likelihood, so that
        both terms have the same scale.

    ``forward`` takes and returns exactly what the wrapped model does; ``loss`` is replaced by the mixed loss and
    ``task_loss`` / ``glyph_aux_loss`` are added. Metrics: the wrapped model's, numeric scalars (Python, numpy or 0-d
    torch numbers) as Python floats and anything else (lists, dicts, strings, ...) as it is; plus ``glyph_lambda``
    and ``glyph_aux_loss`` (Python floats).
    """

    def __init__(self, vocab: Vocabulary, model: Model, lambda0: float = 0.1, lambda1: float = 0.8,
                 aux_loss_reduction: str = "mean") -> None:
        super().__init__(vocab)
        if not (0.0 <= lambda0 <= 1.0 and 0.0 <= lambda1 <= 1.0):
            raise ValueError(f"lambda0 and lambda1 must be in [0, 1], got {lambda0}, {lambda1}")
        if aux_loss_reduction not in ("mean", "sum"):
            raise ValueError(f"aux_loss_reduction must be 'mean' or 'sum', got {aux_loss_reduction!r}")
        self.aux_loss_reduction = aux_loss_reduction
        self.model = model
        self.lambda0 = lambda0
        self.lambda1 = lambda1
        self.epoch = 0
        self.start_epoch = 0
        self.epoch_set_by_callback = False
        self._warned = False
        self._glyph_modules: List[GlyphEmbedding] = [m for m in model.modules() if isinstance(m, GlyphEmbedding)]
        if not self._glyph_modules:
            raise ValueError("glyce_aux_loss wraps a model without any glyph embedder: use the `glyce` token embedder "
                             "(with the `glyce_characters` indexer) in it, or drop the wrapper.")
        self._aux_sum = 0.0
        self._aux_count = 0

    @property
    def current_lambda(self) -> float:
        """λ of the current epoch: 0 before ``start_epoch``, then ``lambda0 · lambda1 ** (epoch − start_epoch)``."""
        if self.epoch < self.start_epoch:
            return 0.0
        return float(self.lambda0 * self.lambda1 ** (self.epoch - self.start_epoch))

    def set_epoch(self, epoch: int, start_epoch: int = 0) -> None:
        """Called by the ``glyce_aux_lambda`` callback: the 0-based epoch about to run, and the epoch λ starts at."""
        self.epoch = int(epoch)
        self.start_epoch = int(start_epoch)
        self.epoch_set_by_callback = True

    def forward(self, **inputs) -> Dict[str, torch.Tensor]:  # type: ignore
        for module in self._glyph_modules:
            module.last_aux_loss = module.last_aux_loss_sum = None
        # A glyph module may run several times in one forward (e.g. bimpm embeds premise and hypothesis with the
        # same embedder) and keeps only its last call's loss: collect every call's (sum, tokens) with a hook.
        calls: List = []

        def collect(module, args, result):
            if module.last_aux_loss_sum is not None:
                calls.append((module.last_aux_loss_sum, module.last_aux_tokens))

        hooks = [m.register_forward_hook(collect) for m in self._glyph_modules]
        try:
            output = self.model(**inputs)
        finally:
            for hook in hooks:
                hook.remove()
        if self.training and "loss" in output and calls:
            if not self.epoch_set_by_callback and not self._warned:
                logger.warning("glyce_aux_loss: no `glyce_aux_lambda` trainer callback is configured, so λ stays "
                               "lambda0=%s for every epoch.", self.lambda0)
                self._warned = True
            aux_sum = torch.stack([loss_sum for loss_sum, _ in calls]).sum()
            aux_mean = aux_sum / sum(tokens for _, tokens in calls)
            aux = aux_mean if self.aux_loss_reduction == "mean" else aux_sum
            lam = self.current_lambda
            output["task_loss"] = output["loss"]
            output["glyph_aux_loss"] = aux
            output["loss"] = (1.0 - lam) * output["loss"] + lam * aux
            self._add_aux_metric(float(aux_mean.detach()), 1)  # the metric is always the per-token mean
        elif self.training and "loss" in output:
            self._add_aux_metric(0.0, 0)  # no glyph loss in this batch; keeps distributed workers in step
        return output

    def _add_aux_metric(self, value: float, batches: int) -> None:
        # In distributed training every worker sees its own shard: sum over the workers (one all-reduce per training
        # batch, like AllenNLP's own metrics) so that the `glyph_aux_loss` metric covers every worker's batches.
        if is_distributed():
            value, batches = dist_reduce_sum(torch.tensor([value, float(batches)], dtype=torch.float64)).tolist()
        self._aux_sum += float(value)
        self._aux_count += int(round(batches))

    def make_output_human_readable(self, output_dict: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        return self.model.make_output_human_readable(output_dict)

    def get_metrics(self, reset: bool = False) -> Dict[str, Any]:
        metrics = {k: scalar_to_float(v) for k, v in self.model.get_metrics(reset).items()}
        metrics["glyph_lambda"] = self.current_lambda
        if self._aux_count:
            metrics["glyph_aux_loss"] = self._aux_sum / self._aux_count
        if reset:
            self._aux_sum, self._aux_count = 0.0, 0
        return metrics

    def unwrap(self) -> Model:
        return self.model


def scalar_to_float(value: Any) -> Any:
    """A real-valued scalar (a Python or numpy number, a 0-d numpy array or torch tensor) as a Python float; anything
    else (a list, a dict, a string, a tensor with elements, ...) unchanged."""
    if isinstance(value, (torch.Tensor, numpy.ndarray)) and value.ndim == 0:
        value = value.item()
    return float(value) if isinstance(value, numbers.Real) else value


def unwrap_model(model: Model) -> Model:
    """The task model inside any (nested) ``glyce_aux_loss`` wrappers."""
    while isinstance(model, GlyceAuxiliaryLoss):
        model = model.model
    return model
