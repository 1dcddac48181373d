"""CoNLL-2009 semantic scores as an AllenNLP ``Metric``, summed over the workers of a distributed run.

The counting is :class:`glyce_allennlp.formats.srl_scores.SrlScorer` (``eval09.pl``'s rules, pure Python). This class
adds what AllenNLP needs: one call per batch, and, when ``torch.distributed`` is initialised, the batch's counts summed
over all workers before they are added (as AllenNLP's own metrics do), so that every worker reports the scores of the
whole evaluation set and early stopping sees the same numbers everywhere.
"""
from typing import Dict, Mapping, Optional, Sequence

import torch
from allennlp.nn.util import dist_reduce_sum
from allennlp.training.metrics.metric import Metric

from glyce_allennlp.formats.srl_scores import SrlScorer

__all__ = ["Conll2009SrlMetric"]


@Metric.register("conll2009_srl")
class Conll2009SrlMetric(Metric):
    """Labelled argument (and, with ``score_senses``, sense) precision / recall / F1 of CoNLL-2009 SRL.

    ``metric(gold_arguments, predicted_arguments, gold_senses=None, predicted_senses=None)`` adds one batch: one
    ``{word position: role}`` dict per predicate in each list (``"_"`` "no role" entries left out), and with
    ``score_senses=True`` one gold and one predicted sense label per predicate. In a distributed run every worker must
    call it once per batch (also with empty lists): the call sums the counts over the workers.
    ``get_metric(reset)`` returns the dict of
    :meth:`SrlScorer.get_metric <glyce_allennlp.formats.srl_scores.SrlScorer.get_metric>` (Python floats, always the
    same keys).

    Registered as a ``Metric`` with name ``"conll2009_srl"``.
    """

    supports_distributed = True

    def __init__(self, score_senses: bool = False) -> None:
        self._scorer = SrlScorer(score_senses=score_senses)

    @property
    def score_senses(self) -> bool:
        return self._scorer.score_senses

    def __call__(self, gold_arguments: Sequence[Mapping[int, str]],  # type: ignore[override]
                 predicted_arguments: Sequence[Mapping[int, str]], gold_senses: Optional[Sequence[str]] = None,
                 predicted_senses: Optional[Sequence[str]] = None) -> None:
        if len(gold_arguments) != len(predicted_arguments):
            raise ValueError(f"{len(gold_arguments)} gold but {len(predicted_arguments)} predicted argument sets")
        if self.score_senses and (gold_senses is None or predicted_senses is None
                                  or not len(gold_senses) == len(predicted_senses) == len(gold_arguments)):
            raise ValueError("this metric scores senses: give one gold and one predicted sense per predicate")
        batch = SrlScorer(score_senses=self.score_senses)
        for i, (gold, predicted) in enumerate(zip(gold_arguments, predicted_arguments)):
            if self.score_senses:
                batch.add(gold, predicted, gold_senses[i], predicted_senses[i])
            else:
                batch.add(gold, predicted)
        counts = batch.counts()
        summed = dist_reduce_sum(torch.tensor(list(counts.values()), dtype=torch.long))
        self._scorer.merge_counts(dict(zip(counts, summed.tolist())))

    def counts(self) -> Dict[str, int]:
        """The counts so far (:meth:`SrlScorer.counts <glyce_allennlp.formats.srl_scores.SrlScorer.counts>`)."""
        return self._scorer.counts()

    def get_metric(self, reset: bool = False) -> Dict[str, float]:
        return self._scorer.get_metric(reset)

    def reset(self) -> None:
        self._scorer.reset()
