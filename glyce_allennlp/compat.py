"""Runtime patches for AllenNLP 2.10.1 on a modern stack (see README, "Compatibility layer", and
``docs/reliability.md``).

Import-time breakages are handled by pins in requirements/constraints.txt; what can only be fixed at run time is here,
applied once when ``glyce_allennlp`` is imported (``--include-package glyce_allennlp``).

1. ``allennlp predict`` drops whitespace-only input lines (``_PredictManager._get_json_data``), which breaks "one
   output line per input line". For predictors that declare ``keep_blank_lines = True`` (ours), every line is passed
   to ``load_line``; other predictors keep AllenNLP's behaviour. For those predictors the input is also read as
   bytes split on ``b"\\n"`` only (like the dataset readers: a lone ``"\\r"`` does not start a new line, as it would
   in Python's text mode), and a line that is not valid UTF-8 is decoded with U+FFFD replacement characters and
   logged (input file and line number) instead of aborting the whole run. Their output file is written as UTF-8
   with ``"\\n"`` line ends whatever the locale (AllenNLP opens it with the locale's encoding: with an ASCII
   locale, the first Chinese character would crash the run).
2. torch ≥ 2.6 loads training states with ``weights_only=True``; numpy scalars that reach a saved metric dict would
   make ``train --recover`` fail (COMPAT.md F9). Our metrics return Python floats; numpy scalar types are also
   registered as safe globals so third-party metrics cannot break recovery. Nothing here ever passes
   ``weights_only=False``.
3. Checkpoints survive SIGKILL (``Checkpointer``): ``model_state_*.th`` / ``training_state_*.th`` and ``best.th``
   are written to a temporary name and renamed; ``find_latest_checkpoint`` skips a checkpoint whose files are
   missing or incomplete (e.g. written by a process killed mid-write) and uses the previous complete one; and an
   incomplete file is overwritten instead of being kept.
4. ``train --recover`` reproduces an uninterrupted run: the trainer's checkpoint also stores the torch random
   number generator state (CPU, and CUDA when used), restored on recover. AllenNLP already replays the data loader
   over the completed epochs (so Python's ``random``, which shuffles the batches, ends up in the same state), but
   it skips their forward passes, so dropout would otherwise draw different masks after a recover. Not done in
   distributed training (only the primary's state is saved).
5. Archives: ``archive_model`` writes ``model.tar.gz`` to a temporary name and renames it; ``load_archive`` first
   verifies the archive (:func:`glyce_allennlp.archive_check.verify_archive`: gzip CRC, members, ``config.json``,
   CRC32 of every record of ``weights.th``) and re-raises the errors of a damaged archive as
   :class:`~glyce_allennlp.archive_check.ArchiveError` naming the archive, with a hint.
6. ``SpanBasedF1Measure`` raises "Distributed aggregation ... is currently not supported" in distributed training
   (so ``crf_tagger`` with ``calculate_span_f1`` could not train with ``"distributed"``): its counts are gathered
   from every worker and summed before the metrics are computed.
"""
import logging
import os
import sys
import time
from collections import Counter

import numpy
import torch
from allennlp.commands import predict as _predict
from allennlp.common.file_utils import cached_path, open_compressed
from allennlp.models import archival as _archival
from allennlp.training import checkpointer as _checkpointer
from allennlp.training import gradient_descent_trainer as _gdt
from allennlp.training.metrics import span_based_f1_measure as _span_f1

from glyce_allennlp.archive_check import explain_load_error, is_complete_torch_file, verify_archive

logger = logging.getLogger(__name__)

RNG_STATE_KEY = "glyce_rng_state"


# ------------------------------------------------------------------------------------------------- 1. predict input
_original_get_json_data = _predict._PredictManager._get_json_data


def _decoded_lines(binary_lines, source: str):
    for lineno, raw in enumerate(binary_lines, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            logger.warning("%s:%d: not valid UTF-8 (%s); predicting it with U+FFFD replacement characters",
                           source, lineno, error)
            yield raw.decode("utf-8", errors="replace")


def _get_json_data_keeping_blank_lines(self):
    if not getattr(self._predictor, "keep_blank_lines", False):
        yield from _original_get_json_data(self)
        return
    if self._input_file == "-":
        stream = getattr(sys.stdin, "buffer", None)
        lines = _decoded_lines(stream, "<stdin>") if stream is not None else sys.stdin
        for line in lines:
            yield self._predictor.load_line(line)
    else:
        with open_compressed(cached_path(self._input_file), mode="rb", encoding=None) as file_input:
            for line in _decoded_lines(file_input, str(self._input_file)):  # binary iteration: split on b"\n"
                yield self._predictor.load_line(line)


_original_predict_manager_init = _predict._PredictManager.__init__


def _predict_manager_init(self, predictor, input_file, output_file, *args, **kwargs):
    _original_predict_manager_init(self, predictor, input_file, output_file, *args, **kwargs)
    if output_file is not None and getattr(predictor, "keep_blank_lines", False):
        self._output_file.close()
        self._output_file = open(output_file, "w", encoding="utf-8", newline="\n")


# ------------------------------------------------------------------------------------------------- 3. checkpoints
def atomic_torch_save(obj, path: str) -> None:
    """``torch.save`` to ``path`` through a temporary file in the same folder and ``os.replace``: a process killed
    mid-write leaves at most a ``*.tmp`` file, never a half-written ``path``."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as handle:  # a file object: the records inside are named archive/..., not after tmp
            torch.save(obj, handle)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _save_checkpoint(self, trainer) -> None:
    # AllenNLP 2.10.1's Checkpointer.save_checkpoint, with atomic writes; a file is kept only when complete.
    if self._serialization_dir is None:
        return
    tcps = trainer.get_checkpoint_state()
    if tcps is None:
        assert not self._is_primary and not self.state_is_sharded
        return
    epochs_completed = tcps.trainer_state["epochs_completed"]
    batches_in_epoch_completed = tcps.trainer_state["batches_in_epoch_completed"]
    model_state_path = self._model_state_path(epochs_completed, batches_in_epoch_completed)
    if not is_complete_torch_file(model_state_path):
        atomic_torch_save(tcps.model_state, model_state_path)
    trainer_state_path = self._training_state_path(epochs_completed, batches_in_epoch_completed)
    if not is_complete_torch_file(trainer_state_path):
        atomic_torch_save(tcps.trainer_state, trainer_state_path)

    self._last_save_time = time.time()
    self._last_save_num_epochs_completed = epochs_completed
    self._last_save_num_batches_in_epoch_completed = batches_in_epoch_completed

    if self._is_primary and (self._keep_most_recent_by_age is not None or
                             self._keep_most_recent_by_count is not None):
        checkpoints = sorted(self._find_all_checkpoints(), reverse=True)
        if self._keep_most_recent_by_count is not None:
            checkpoints_to_keep = set(checkpoints[: self._keep_most_recent_by_count])
        else:
            checkpoints_to_keep = set()
        now = time.time()
        if self._keep_most_recent_by_age is not None:
            for checkpoint in checkpoints:
                paths = [self._model_state_path(*checkpoint), self._training_state_path(*checkpoint)]
                mtime = max(os.path.getmtime(p) for p in paths if os.path.exists(p))
                if now - mtime <= self._keep_most_recent_by_age:
                    checkpoints_to_keep.add(checkpoint)
        for checkpoint in checkpoints:
            if checkpoint not in checkpoints_to_keep:
                self._remove_checkpoint(*checkpoint)


def _find_latest_checkpoint(self):
    for point in sorted(self._find_all_checkpoints(), reverse=True):
        model_path, training_path = self._model_state_path(*point), self._training_state_path(*point)
        if is_complete_torch_file(model_path) and is_complete_torch_file(training_path):
            return model_path, training_path
        logger.warning("Ignoring the incomplete checkpoint %s / %s (missing or half-written, e.g. by a killed "
                       "process); using the previous complete one.", model_path, training_path)
    return None


_original_load_checkpoint = _checkpointer.Checkpointer.load_checkpoint


def _load_checkpoint(self):
    state = _original_load_checkpoint(self)
    self._glyce_loaded_training_state = None if state is None else state.trainer_state
    return state


# ------------------------------------------------------------------------------------------------- 4. RNG state
_original_get_checkpoint_state = _gdt.GradientDescentTrainer.get_checkpoint_state
_original_maybe_restore_checkpoint = _gdt.GradientDescentTrainer._maybe_restore_checkpoint


def _get_checkpoint_state(self):
    state = _original_get_checkpoint_state(self)
    if state is not None and not self._distributed:
        cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else []
        state.trainer_state[RNG_STATE_KEY] = {"torch": torch.get_rng_state(), "cuda": cuda}
    return state


def _maybe_restore_checkpoint(self) -> None:
    _original_maybe_restore_checkpoint(self)
    training_state = getattr(self._checkpointer, "_glyce_loaded_training_state", None)
    rng = training_state.get(RNG_STATE_KEY) if isinstance(training_state, dict) else None
    if rng is None or self._distributed:
        return
    torch.set_rng_state(rng["torch"])
    if rng["cuda"] and torch.cuda.is_available() and len(rng["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(rng["cuda"])
    logger.info("Restored the torch random number generator state of the checkpoint.")


def _save_model_state(self, path: str) -> None:
    model = self._ddp_wrapped_model if self._ddp_wrapped_model is not None else self.model
    atomic_torch_save(model.state_dict(), path)


# ------------------------------------------------------------------------------------------------- 5. archives
_original_archive_model = _archival.archive_model
_original_load_archive = _archival.load_archive


def _archive_model_atomically(serialization_dir, weights=_archival._DEFAULT_WEIGHTS, archive_path=None,
                              include_in_archive=None) -> str:
    if archive_path is not None:
        final = os.fspath(archive_path)
        if os.path.isdir(final):
            final = os.path.join(final, "model.tar.gz")
    else:
        final = os.path.join(serialization_dir, "model.tar.gz")
    tmp = f"{final}.{os.getpid()}.tmp"
    try:
        _original_archive_model(serialization_dir, weights, tmp, include_in_archive)
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    logger.info("model archive written to %s", final)
    return final


def _load_archive_checked(archive_file, cuda_device: int = -1, overrides="", weights_file: str = None):
    label = str(archive_file)
    if os.environ.get("GLYCE_VERIFY_ARCHIVES", "1") != "0":
        verify_archive(cached_path(archive_file), require_weights=weights_file is None, label=label)
    try:
        return _original_load_archive(archive_file, cuda_device, overrides, weights_file)
    except Exception as error:
        explained = explain_load_error(label, error)
        if explained is None:
            raise
        raise explained from error


_load_archive_checked.__doc__ = _original_load_archive.__doc__


# ------------------------------------------------------------------------------------------------- 6. span F1
_original_span_get_metric = _span_f1.SpanBasedF1Measure.get_metric


def _span_get_metric(self, reset: bool = False):
    if not _span_f1.is_distributed():
        return _original_span_get_metric(self, reset)
    import torch.distributed as dist

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


# ------------------------------------------------------------------------------------------------- apply
def _rebind(original, replacement) -> None:
    """Point every loaded module's global that is ``original`` (``from x import f``) at ``replacement``."""
    name = original.__name__
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, name, None) is original:
            setattr(module, name, replacement)


def apply() -> None:
    if _predict._PredictManager._get_json_data is not _get_json_data_keeping_blank_lines:
        _predict._PredictManager._get_json_data = _get_json_data_keeping_blank_lines
        _predict._PredictManager.__init__ = _predict_manager_init
    safe = [numpy.float64, numpy.float32, numpy.int64, numpy.int32, numpy.bool_, numpy.dtype]
    try:
        safe.append(numpy._core.multiarray.scalar)  # type: ignore[attr-defined]
    except AttributeError:
        pass
    torch.serialization.add_safe_globals(safe)

    checkpointer = _checkpointer.Checkpointer
    checkpointer.save_checkpoint = _save_checkpoint
    checkpointer.find_latest_checkpoint = _find_latest_checkpoint
    checkpointer.load_checkpoint = _load_checkpoint
    trainer = _gdt.GradientDescentTrainer
    trainer.get_checkpoint_state = _get_checkpoint_state
    trainer._maybe_restore_checkpoint = _maybe_restore_checkpoint
    trainer._save_model_state = _save_model_state

    _rebind(_original_archive_model, _archive_model_atomically)
    _rebind(_original_load_archive, _load_archive_checked)
    _span_f1.SpanBasedF1Measure.get_metric = _span_get_metric


apply()  # imported by `--include-package glyce_allennlp` (AllenNLP imports every submodule) or load_components()
