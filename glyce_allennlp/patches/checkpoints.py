"""Training checkpoints that survive a killed process, and ``train --recover`` that reproduces an uninterrupted run.

What AllenNLP 2.10.1 does wrong, and what this module does about it:

* ``Checkpointer.save_checkpoint`` (and the trainer's ``best.th``) ``torch.save`` straight to the final name: a
  process killed mid-write leaves a half-written ``model_state_*.th`` / ``training_state_*.th`` / ``best.th``, and
  ``--recover`` then fails on it. Here the checkpointer module's ``torch.save`` (and the trainer's
  ``_save_model_state``) write to a temporary name in the same folder and rename it when complete
  (:mod:`glyce_allennlp.patches.atomic_files`). The upstream functions are unchanged otherwise.
* ``Checkpointer.find_latest_checkpoint`` returns the newest checkpoint even when its files are missing or incomplete
  (written by a killed process before these patches, or by another tool). Here it returns the newest *complete* one,
  logs the skipped one, and removes its incomplete files: upstream ``save_checkpoint`` keeps an existing file, so a
  half-written file would otherwise survive the next save of that checkpoint.
* A killed writer leaves its temporary file, as large as a checkpoint. When a training run starts (the primary
  worker's ``Checkpointer`` is created, before any worker trains), the temporary files of writers that are no
  longer running are removed from the serialization folder.
* AllenNLP replays the data loader over the completed epochs on ``--recover`` (so Python's ``random``, which
  shuffles the batches, ends up where it was) but skips their forward passes, so torch's random number generator
  (dropout masks) is in another state than in an uninterrupted run. Here the trainer's checkpoint also stores the torch
  RNG state (CPU, and CUDA when initialized), restored on recover. Not in distributed training: only the primary's
  checkpoint is saved, and each worker has its own generator.
* torch >= 2.6 loads with ``weights_only=True``: a numpy scalar that reaches a saved metric dict (a third-party
  metric returning ``numpy.float64``) makes ``--recover`` fail. numpy's scalar types are registered as safe globals
  (they hold numbers only); nothing here ever loads with ``weights_only=False``.
"""
import functools
import logging
import os

import numpy
import torch
from allennlp.training import checkpointer as _checkpointer
from allennlp.training import gradient_descent_trainer as _gdt

from glyce_allennlp.archive_check import is_complete_torch_file
from glyce_allennlp.patches.atomic_files import atomic_torch_save, remove_stale_temporary_files

logger = logging.getLogger(__name__)

RNG_STATE_KEY = "glyce_rng_state"


class _TorchWithAtomicSave:
    """What ``allennlp.training.checkpointer`` calls ``torch``: torch itself, except that ``save`` is
    :func:`~glyce_allennlp.patches.atomic_files.atomic_torch_save`."""

    save = staticmethod(atomic_torch_save)

    def __getattr__(self, name):
        return getattr(torch, name)


_original_init = _checkpointer.Checkpointer.__init__
_original_find_latest_checkpoint = _checkpointer.Checkpointer.find_latest_checkpoint
_original_load_checkpoint = _checkpointer.Checkpointer.load_checkpoint
_original_get_checkpoint_state = _gdt.GradientDescentTrainer.get_checkpoint_state
_original_save_model_state = _gdt.GradientDescentTrainer._save_model_state
_original_maybe_restore_checkpoint = _gdt.GradientDescentTrainer._maybe_restore_checkpoint


@functools.wraps(_original_init)
def _init_removing_stale_temporary_files(self, serialization_dir, *args, **kwargs) -> None:
    _original_init(self, serialization_dir, *args, **kwargs)
    if self._is_primary and self._serialization_dir is not None:
        remove_stale_temporary_files(self._serialization_dir)


@functools.wraps(_original_find_latest_checkpoint)
def _find_latest_complete_checkpoint(self):
    for point in sorted(self._find_all_checkpoints(), reverse=True):
        paths = (self._model_state_path(*point), self._training_state_path(*point))
        if all(is_complete_torch_file(path) for path in paths):
            return paths
        logger.warning("Ignoring the incomplete checkpoint %s / %s (missing or half-written, e.g. by a killed "
                       "process); using the previous complete one.", *paths)
        for path in paths:
            if os.path.exists(path) and not is_complete_torch_file(path):
                try:
                    os.remove(path)
                except FileNotFoundError:
                    pass  # another worker removed it
    return None


@functools.wraps(_original_load_checkpoint)
def _load_checkpoint_keeping_training_state(self):
    state = _original_load_checkpoint(self)
    self._glyce_loaded_training_state = None if state is None else state.trainer_state
    return state


@functools.wraps(_original_get_checkpoint_state)
def _get_checkpoint_state_with_rng(self):
    state = _original_get_checkpoint_state(self)
    if state is not None and not self._distributed:
        cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else []
        state.trainer_state[RNG_STATE_KEY] = {"torch": torch.get_rng_state(), "cuda": cuda}
    return state


@functools.wraps(_original_maybe_restore_checkpoint)
def _maybe_restore_checkpoint_and_rng(self) -> None:
    _original_maybe_restore_checkpoint(self)
    training_state = getattr(self._checkpointer, "_glyce_loaded_training_state", None)
    rng = training_state.get(RNG_STATE_KEY) if isinstance(training_state, dict) else None
    if rng is None or self._distributed:
        return
    torch.set_rng_state(rng["torch"])
    if rng["cuda"] and torch.cuda.is_available() and len(rng["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(rng["cuda"])
    logger.info("Restored the torch random number generator state of the checkpoint.")


@functools.wraps(_original_save_model_state)
def _save_model_state_atomically(self, path: str) -> None:
    # upstream: torch.save((self._ddp_wrapped_model or self.model).state_dict(), path)
    model = self._ddp_wrapped_model if self._ddp_wrapped_model is not None else self.model
    atomic_torch_save(model.state_dict(), path)


def _numpy_scalar_globals():
    """What the pickle of a numpy scalar refers to: the scalar type, its dtype class (numpy >= 1.25:
    ``numpy.dtypes.Float64DType``, ...), ``numpy.dtype`` and numpy's scalar constructor."""
    scalar_types = [numpy.float64, numpy.float32, numpy.int64, numpy.int32, numpy.bool_]
    names = scalar_types + [type(numpy.dtype(t)) for t in scalar_types] + [numpy.dtype]
    scalar = getattr(getattr(getattr(numpy, "_core", None), "multiarray", None), "scalar", None)
    return names + ([scalar] if scalar is not None else [])


def apply() -> None:
    _checkpointer.torch = _TorchWithAtomicSave()
    checkpointer = _checkpointer.Checkpointer
    checkpointer.__init__ = _init_removing_stale_temporary_files
    checkpointer.find_latest_checkpoint = _find_latest_complete_checkpoint
    checkpointer.load_checkpoint = _load_checkpoint_keeping_training_state
    trainer = _gdt.GradientDescentTrainer
    trainer.get_checkpoint_state = _get_checkpoint_state_with_rng
    trainer._maybe_restore_checkpoint = _maybe_restore_checkpoint_and_rng
    trainer._save_model_state = _save_model_state_atomically
    torch.serialization.add_safe_globals(_numpy_scalar_globals())
