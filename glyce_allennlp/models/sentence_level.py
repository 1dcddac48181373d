"""Two thin additions for the sentence-level configs (``training_configs/pair``, ``training_configs/classification``).

* Model ``bimpm_f1``: allennlp-models' ``bimpm`` plus precision / recall / F1 of one positive label (paraphrase
  corpora — LCQMC, BQ, NLPCC-DBQA — report accuracy and F1 of the positive class). Network, loss and outputs are
  exactly ``bimpm``'s.
* Seq2VecEncoder ``padded_cnn``: AllenNLP's ``cnn`` encoder, safe for texts shorter than its widest filter. The stock
  encoder adds ``min_value_of_dtype`` to every window that touches padding, so for a text shorter than a filter
  *every* window of that filter is masked and the pooled feature is ≈ −3.4e38: the logits overflow (inf / NaN
  probabilities, e.g. when predicting a one-character line). ``padded_cnn`` treats such a text as followed by zero
  vectors up to the widest filter (zero vectors are what the stock encoder feeds for padding anyway); longer texts
  are encoded exactly as by ``cnn``.
"""
from typing import Dict, Optional

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.models.model import Model
from allennlp.modules.seq2vec_encoders import CnnEncoder, Seq2VecEncoder
from allennlp.training.metrics import F1Measure
from allennlp_models.pair_classification.models.bimpm import BiMpm


@Model.register("bimpm_f1")
class BiMpmWithF1(BiMpm):
    """``bimpm`` (same parameters) with one more: ``positive_label`` (default ``"1"``), a label of the ``labels``
    namespace. Metrics: ``accuracy``, ``precision``, ``recall``, ``f1`` (of the positive label), Python floats.
    ``positive_label: null`` gives accuracy only (e.g. XNLI)."""

    def __init__(self, vocab: Vocabulary, positive_label: Optional[str] = "1", **kwargs) -> None:
        super().__init__(vocab, **kwargs)
        self._f1: Optional[F1Measure] = None
        if positive_label is not None:
            labels = vocab.get_token_to_index_vocabulary("labels")
            if positive_label not in labels:
                raise ConfigurationError(f"positive_label {positive_label!r} is not a label of the data: "
                                         f"{sorted(labels)} (set positive_label: null for accuracy only)")
            self._f1 = F1Measure(labels[positive_label])

    def forward(self, premise, hypothesis, label: torch.LongTensor = None, metadata=None  # type: ignore[override]
                ) -> Dict[str, torch.Tensor]:
        output = super().forward(premise, hypothesis, label, metadata)
        if label is not None and self._f1 is not None:
            self._f1(output["logits"], label)
        return output

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        metrics = {name: float(value) for name, value in super().get_metrics(reset).items()}
        if self._f1 is not None:
            try:
                prf = self._f1.get_metric(reset)
            except RuntimeError:  # no batch seen since the last reset
                prf = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
            metrics.update({name: float(value) for name, value in prf.items()})
        return metrics


@Seq2VecEncoder.register("padded_cnn")
class PaddedCnnEncoder(CnnEncoder):
    """``cnn`` (same parameters) that gives finite features to texts shorter than the widest filter (see the module
    docstring)."""

    def forward(self, tokens: torch.Tensor, mask: torch.BoolTensor = None) -> torch.Tensor:  # type: ignore[override]
        widest = max(getattr(self, f"conv_layer_{i}").kernel_size[0] for i in range(len(self._convolution_layers)))
        if mask is None:
            mask = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)
        tokens = tokens * mask.unsqueeze(-1)
        if tokens.shape[1] < widest:
            extra = widest - tokens.shape[1]
            tokens = torch.nn.functional.pad(tokens, (0, 0, 0, extra))
            mask = torch.nn.functional.pad(mask, (0, extra), value=False)
        positions = torch.arange(tokens.shape[1], device=mask.device).unsqueeze(0)
        return super().forward(tokens, mask | (positions < widest))
