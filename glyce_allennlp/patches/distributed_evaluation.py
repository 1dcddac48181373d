"""The test set after distributed training (``"evaluate_on_test": true`` with ``"distributed"``).

What AllenNLP 2.10.1 does wrong (``allennlp.commands.train``): after training, only the primary worker calls
``TrainModel.finish``, which evaluates the test set; the other workers return and exit. The process group is still
initialized, so every metric that reduces over the workers (``CategoricalAccuracy`` in every forward pass, span F1,
...) starts a collective that no peer answers: the run dies with gloo's "Connection closed by peer" (NCCL hangs or
times out), after ``best.th`` was written but before ``metrics.json`` and ``model.tar.gz``. Even without that, the
test reader was created in a worker and keeps that worker's shard: the primary would read only every n-th test
instance.

What this module does: when the primary reaches ``finish`` in distributed training with a test set to evaluate, it
leaves the process group (training is over: no collective is pending, the other workers have returned from
training) and clears the test reader's worker shard, so the test set is evaluated as in single-process training:
the whole file, metrics computed locally, the same numbers ``allennlp evaluate`` gives for the archived model.
``metrics.json`` then holds the ``test_`` metrics and the archive is written. Not for sharded models (FairScale
FSDP), where the primary holds only a part of the weights: those keep AllenNLP's behaviour.
"""
import functools
import logging

import torch.distributed as dist
from allennlp.commands import train as _train
from allennlp.common.util import is_distributed

logger = logging.getLogger(__name__)

_original_finish = _train.TrainModel.finish


def _is_sharded(train_loop) -> bool:
    wrapped = getattr(train_loop.trainer, "_ddp_wrapped_model", None)
    return bool(wrapped is not None and getattr(wrapped, "is_sharded", False))


@functools.wraps(_original_finish)
def finish_evaluating_the_test_set_in_one_process(self, metrics):
    loader = self.evaluation_data_loader
    if self.evaluate_on_test and loader is not None and is_distributed() and not _is_sharded(self):
        logger.info("Distributed training is over: evaluating the whole test set in the primary worker alone.")
        dist.destroy_process_group()
        reader = getattr(loader, "reader", None)
        if reader is not None:
            reader._set_distributed_info(None)
        if getattr(loader, "_instances", None):
            loader._instances = None  # a shard read earlier (e.g. for the vocabulary): read the whole file again
    return _original_finish(self, metrics)


def apply() -> None:
    _train.TrainModel.finish = finish_evaluating_the_test_set_in_one_process
