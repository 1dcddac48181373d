"""Faults: training survives SIGKILL + ``allennlp train --recover``; a glyph cache file left by a killed
process is detected and rebuilt.

The recover test runs the real ``allennlp train`` on the CWS fixtures with the Glyce tagger config (shrunk), kills
it with SIGKILL as soon as the first end-of-epoch checkpoint exists, plants half-written files of the *next*
checkpoint (what a process killed inside ``torch.save`` leaves with AllenNLP's non-atomic writer) and the temporary
file of a writer killed mid-write (what the atomic writer of glyce_allennlp.patches.checkpoints leaves), resumes
with ``--recover``, and compares every metric with an uninterrupted run of the same config and seed (run in the test
process while the victim trains).
They are equal (``pytest.approx`` only absorbs float noise) because glyce_allennlp.patches.checkpoints stores the
torch RNG state in the checkpoint: AllenNLP replays the data loader over completed epochs (so the batch order is the
same) but skips their forward passes, so without it dropout would draw different masks after the recover.
"""
import json
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch

from reliability_support import (CWS_CONFIG, CWS_DATA, allennlp_cli, assert_metrics_are_finite_numbers,
                                 comparable_metrics, environment, run, small_overrides, subprocess_env, torch_threads)

pytestmark = pytest.mark.slow  # real training runs, subprocesses

EPOCHS = 3


def _train_cmd(serialization_dir, *extra):
    overrides = json.dumps(small_overrides(epochs=EPOCHS))
    return allennlp_cli("train", CWS_CONFIG, "-s", str(serialization_dir), "-o", overrides, *extra)


def test_sigkill_after_first_checkpoint_then_recover_reaches_the_same_metrics(tmp_path, components):
    from allennlp.commands.train import train_model_from_file

    env = subprocess_env()
    reference_dir, victim_dir = tmp_path / "reference", tmp_path / "victim"
    killed = {}

    def kill_after_first_checkpoint(victim):
        first_checkpoint = victim_dir / "training_state_e1_b0.th"  # written last, atomically
        deadline = time.time() + 400
        while not first_checkpoint.exists() and victim.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        killed["alive_at_checkpoint"] = victim.poll() is None
        if killed["alive_at_checkpoint"]:
            victim.send_signal(signal.SIGKILL)
        killed["returncode"] = victim.wait(timeout=60)

    with open(tmp_path / "victim.log", "wb") as victim_log:
        victim = subprocess.Popen(_train_cmd(victim_dir), env=env, stdout=victim_log, stderr=subprocess.STDOUT)
        killer = threading.Thread(target=kill_after_first_checkpoint, args=(victim,))
        killer.start()
        try:  # the uninterrupted reference run, in this process, while the victim trains
            with environment(CWS_DATA), torch_threads(1):
                train_model_from_file(CWS_CONFIG, str(reference_dir), overrides=json.dumps(small_overrides(EPOCHS)))
        finally:
            killer.join(timeout=500)
            if victim.poll() is None:
                victim.kill()
    assert killed == {"alive_at_checkpoint": True, "returncode": -signal.SIGKILL}, \
        (killed, (tmp_path / "victim.log").read_text(errors="replace")[-3000:])
    assert (victim_dir / "training_state_e1_b0.th").exists() and not (victim_dir / "model.tar.gz").exists()

    # a later checkpoint half-written by a process killed inside torch.save (AllenNLP writes in place)
    for stem in ("model_state", "training_state"):
        data = (victim_dir / f"{stem}_e1_b0.th").read_bytes()
        (victim_dir / f"{stem}_e2_b0.th").write_bytes(data[: len(data) // 2])
    # ... and the temporary file of the atomic writer, killed mid-write (its process is gone)
    stale = victim_dir / f"model_state_e2_b0.th.{victim.pid}.tmp"
    stale.write_bytes(data[: len(data) // 3])
    kept = [victim_dir / "notes.tmp", victim_dir / "best.th.tmp"]  # not our temporary-name pattern: not touched
    for path in kept:
        path.write_bytes(b"not ours")

    recovered = run(_train_cmd(victim_dir, "--recover"), env, tmp_path / "recover.log", timeout=600)
    log = (tmp_path / "recover.log").read_text(errors="replace")
    assert recovered.returncode == 0, log[-4000:]

    assert "Ignoring the incomplete checkpoint" in log and "model_state_e2_b0.th" in log
    assert "Restored the torch random number generator state" in log
    assert "Removed " + str(stale) in log and not stale.exists()
    assert sorted(victim_dir.glob("*.tmp")) == sorted(kept)
    expected = json.loads((reference_dir / "metrics.json").read_text())
    got = json.loads((victim_dir / "metrics.json").read_text())
    assert_metrics_are_finite_numbers(got)
    assert comparable_metrics(got) == pytest.approx(comparable_metrics(expected), rel=1e-6, abs=1e-9)
    # every epoch after the recover, including λ(epoch) of the glyce_aux_lambda callback
    for epoch in range(1, EPOCHS):
        ref_epoch = json.loads((reference_dir / f"metrics_epoch_{epoch}.json").read_text())
        got_epoch = json.loads((victim_dir / f"metrics_epoch_{epoch}.json").read_text())
        assert comparable_metrics(got_epoch) == pytest.approx(comparable_metrics(ref_epoch), rel=1e-6, abs=1e-9)
        assert got_epoch["training_glyph_lambda"] == pytest.approx(0.1 * 0.8 ** epoch)

    # the training state loads with torch's safe loader, and its metrics are Python floats
    state = torch.load(victim_dir / f"training_state_e{EPOCHS}_b0.th", weights_only=True)
    best = state["metric_tracker"]["best_epoch_metrics"]
    assert best and all(type(v) in (float, int) for v in best.values()), {k: type(v) for k, v in best.items()}
    assert isinstance(state["glyce_rng_state"]["torch"], torch.Tensor)


# ------------------------------------------------------------------------------------------------ glyph cache
_KILLED_WRITER = r"""
import os, signal, sys
import numpy as np
from glyce_allennlp.glyph import GlyphRenderer
from glyce_allennlp.glyph import render

mode, cache_dir = sys.argv[1], sys.argv[2]
real_savez = np.savez

def savez_then_die(file, **arrays):
    real_savez(file, **arrays)
    data = open(file, "rb").read()
    target = file if mode == "temporary" else os.path.join(cache_dir, os.path.basename(file).split(".")[0] + ".npz")
    if mode == "final":
        os.remove(file)
    with open(target, "wb") as f:
        f.write(data[: len(data) // 2])
        f.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # killed mid-write

render.np.savez = savez_then_die
GlyphRenderer(["song", "kai"], 12).render_table(list("我爱北京天安门龍鑫"), cache_dir=cache_dir, progress=False)
"""


@pytest.mark.parametrize("mode", ["temporary", "final"])
def test_glyph_cache_half_written_by_a_killed_process_is_rebuilt(mode, tmp_path, caplog):
    from glyce_allennlp.glyph import GlyphRenderer

    cache = tmp_path / "glyphs"
    proc = subprocess.run([sys.executable, "-c", _KILLED_WRITER, mode, str(cache)], capture_output=True, text=True,
                          env=subprocess_env())
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    left = sorted(p.name for p in cache.iterdir())
    assert len(left) == 1 and left[0].endswith(".tmp.npz" if mode == "temporary" else ".npz"), left

    chars = list("我爱北京天安门龍鑫")
    renderer = GlyphRenderer(["song", "kai"], 12)
    images, missing = renderer.render_table(chars, cache_dir=cache, progress=False)
    fresh, fresh_missing = renderer.render(chars)
    assert np.array_equal(images, fresh) and np.array_equal(missing, fresh_missing)
    assert [p.name for p in cache.iterdir()] == [f"{renderer.cache_key(chars)}.npz"]  # stale temporary removed
    again, _ = renderer.render_table(chars, cache_dir=cache, progress=False)  # and the rebuilt file is valid
    assert np.array_equal(again, fresh)
    if mode == "final":
        assert any("corrupt or half-written" in r.getMessage() for r in caplog.records)
