"""Span F1 in distributed training.

What AllenNLP 2.10.1 does wrong: ``SpanBasedF1Measure.get_metric`` raises "Distributed aggregation for
SpanBasedF1Measure is currently not supported" whenever ``torch.distributed`` is initialized, so a ``crf_tagger``
with ``calculate_span_f1`` (every glyce_allennlp tagger config) cannot train with ``"distributed"``.

What this module does: in distributed training, every worker's span counts (true positives, false positives, false
negatives per tag) are gathered (``all_gather_object``) and summed, and precision / recall / F1 are computed from
the sums exactly as upstream computes them from one process's counts (same keys, same formula). Outside distributed
training the upstream method runs unchanged. Every worker calls ``get_metric`` at the same points of the training
loop, as for AllenNLP's other metrics, whose reductions are collectives too.
"""
import functools
from collections import Counter

import torch.distributed as dist
from allennlp.training.metrics import span_based_f1_measure as _span_f1

_original_get_metric = _span_f1.SpanBasedF1Measure.get_metric


@functools.wraps(_original_get_metric)
def get_metric_over_all_workers(self, reset: bool = False):
    if not _span_f1.is_distributed():
        return _original_get_metric(self, reset)
    local = (dict(self._true_positives), dict(self._false_positives), dict(self._false_negatives))
    gathered = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, local)
    tp, fp, fn = Counter(), Counter(), Counter()
    for worker_tp, worker_fp, worker_fn in gathered:
        tp.update(worker_tp)
        fp.update(worker_fp)
        fn.update(worker_fn)
    all_metrics = {}
    for tag in set(tp) | set(fp) | set(fn):
        precision, recall, f1_measure = self._compute_metrics(tp[tag], fp[tag], fn[tag])
        all_metrics["precision-" + tag] = precision
        all_metrics["recall-" + tag] = recall
        all_metrics["f1-measure-" + tag] = f1_measure
    precision, recall, f1_measure = self._compute_metrics(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    all_metrics["precision-overall"] = precision
    all_metrics["recall-overall"] = recall
    all_metrics["f1-measure-overall"] = f1_measure
    if reset:
        self.reset()
    return all_metrics


def apply() -> None:
    _span_f1.SpanBasedF1Measure.get_metric = get_metric_over_all_workers
