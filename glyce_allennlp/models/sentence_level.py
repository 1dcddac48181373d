"""Model ``bimpm_f1`` for ``training_configs/pair``: allennlp-models' ``bimpm`` plus precision / recall / F1 of one
positive label (paraphrase corpora — LCQMC, BQ, NLPCC-DBQA — report accuracy and F1 of the positive class).
A thin subclass: network, loss and outputs are exactly ``bimpm``'s.
"""
from typing import Dict, Optional

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary
from allennlp.models.model import Model
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

