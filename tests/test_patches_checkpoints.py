"""glyce_allennlp.patches.checkpoints, on AllenNLP's own Checkpointer: atomic writes, incomplete checkpoints skipped
and replaced, temporary files of killed writers removed at the next start, numpy scalars in a training state.
(The end-to-end SIGKILL + ``--recover`` run, RNG state included, is tests/test_reliability_faults.py.)"""
import subprocess
import sys

import numpy
import pytest
import torch


@pytest.fixture
def checkpointer_class(components):
    from allennlp.training.checkpointer import Checkpointer

    return Checkpointer


class _Trainer:
    """What ``Checkpointer.save_checkpoint`` asks of a trainer."""

    def __init__(self, epochs_completed: int, weight: float = 1.0) -> None:
        self.epochs_completed = epochs_completed
        self.weight = weight

    def get_checkpoint_state(self):
        from allennlp.training.trainer import TrainerCheckpoint

        return TrainerCheckpoint({"w": torch.full((64,), self.weight)},
                                 {"epochs_completed": self.epochs_completed, "batches_in_epoch_completed": 0,
                                  "best_metric": numpy.float64(0.5)})


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_temporary_files_of_killed_writers_are_removed_when_training_starts(checkpointer_class, tmp_path):
    dead = _dead_pid()
    stale = [tmp_path / f"model_state_e1_b0.th.{dead}.tmp", tmp_path / f"model.tar.gz.{dead}.tmp"]
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        in_progress = tmp_path / f"best.th.{running.pid}.tmp"  # e.g. another run writing into the same folder
        others = [tmp_path / "notes.tmp", tmp_path / "best.th.tmp", tmp_path / "model_state_e1_b0.th",
                  tmp_path / f"x.{dead}.tmp.keep", tmp_path / f"notes.{dead}.tmp"]
        for path in stale + [in_progress] + others:
            path.write_bytes(b"\0" * 1024)
        checkpointer_class(tmp_path)  # what `allennlp train` creates when it starts (or recovers) in this folder
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in [in_progress] + others)
    finally:
        running.kill()
        running.wait()


def test_a_writer_killed_mid_write_leaves_no_checkpoint_file(checkpointer_class, tmp_path, monkeypatch):
    checkpointer = checkpointer_class(tmp_path)
    real_save = torch.save

    def killed_mid_write(obj, handle, *args, **kwargs):
        real_save(obj, handle, *args, **kwargs)
        handle.truncate(100)
        raise KeyboardInterrupt("killed while writing")

    monkeypatch.setattr(torch, "save", killed_mid_write)
    with pytest.raises(KeyboardInterrupt):
        checkpointer.save_checkpoint(_Trainer(1))
    assert list(tmp_path.iterdir()) == []  # neither a half-written model_state_e1_b0.th nor a temporary file
    monkeypatch.undo()
    checkpointer.save_checkpoint(_Trainer(1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model_state_e1_b0.th", "training_state_e1_b0.th"]


def test_an_incomplete_newest_checkpoint_is_skipped_and_then_written_anew(checkpointer_class, tmp_path, caplog):
    checkpointer = checkpointer_class(tmp_path, keep_most_recent_by_count=None)
    checkpointer.save_checkpoint(_Trainer(1, weight=1.0))
    checkpointer.save_checkpoint(_Trainer(2, weight=2.0))
    half_written = tmp_path / "model_state_e2_b0.th"  # as AllenNLP's in-place writer leaves it when killed
    half_written.write_bytes(half_written.read_bytes()[:200])

    model_path, training_path = checkpointer.find_latest_checkpoint()
    assert (model_path, training_path) == (str(tmp_path / "model_state_e1_b0.th"),
                                           str(tmp_path / "training_state_e1_b0.th"))
    assert any("Ignoring the incomplete checkpoint" in r.getMessage() for r in caplog.records)
    state = checkpointer.load_checkpoint()
    assert torch.equal(state.model_state["w"], torch.full((64,), 1.0))

    checkpointer.save_checkpoint(_Trainer(2, weight=2.0))  # recovered training reaches epoch 2 again
    state = checkpointer.load_checkpoint()
    assert torch.equal(state.model_state["w"], torch.full((64,), 2.0))
    assert state.trainer_state["epochs_completed"] == 2


def test_numpy_scalars_in_a_training_state_load_with_weights_only(checkpointer_class, tmp_path):
    checkpointer = checkpointer_class(tmp_path)
    checkpointer.save_checkpoint(_Trainer(1))
    state = torch.load(tmp_path / "training_state_e1_b0.th", weights_only=True)
    assert state["best_metric"] == 0.5
