"""`allennlp train CONFIG -s DIR -o OVERRIDES --include-package glyce_allennlp`, plus timing of each epoch's training
pass and validation pass (written to DIR/bench_epochs.json). Used by benchmarks/run.py, one process per run, so that
the harness can read each run's peak RSS from the operating system.

    python benchmarks/train_one.py CONFIG SERIALIZATION_DIR '{"trainer.num_epochs": 1}'
    python benchmarks/train_one.py CONFIG SERIALIZATION_DIR '{"trainer.num_epochs": 1}' --recover
    python benchmarks/train_one.py CONFIG SERIALIZATION_DIR '{"data_loader.batches_per_epoch": 200}' --batch-times \
        --barrier=/tmp/start

``--recover`` continues an interrupted run from its last complete checkpoint (``allennlp train --recover``); the
epoch timings of the interrupted process are kept. ``--batch-times`` also writes DIR/bench_batches.json: the wall-clock
time (``time.time()``) at which each training batch started (``starts``) and at which the last training pass ended
(``end``), so that two runs started together can be compared over the time both were training.
``--barrier=PATH`` makes two such runs start their training passes together: each writes PATH.<its pid> once its
model and data are ready, then waits for the other's (at most :data:`BARRIER_SECONDS`).
"""
import glob
import json
import os
import sys
import time
from pathlib import Path

BARRIER_SECONDS = 1800.0


def wait_for_partner(barrier: str, runs: int = 2, timeout: float = BARRIER_SECONDS) -> None:
    """Write ``barrier``.<pid>, then wait until ``runs`` such files exist or ``timeout`` seconds have passed."""
    Path(f"{barrier}.{os.getpid()}").touch()
    deadline = time.time() + timeout
    while len(glob.glob(f"{glob.escape(barrier)}.*")) < runs and time.time() < deadline:
        time.sleep(0.1)


def main(config: str, serialization_dir: str, overrides: str = "", *flags: str) -> None:
    import glyce_allennlp
    from allennlp.common import Params
    from allennlp.commands.train import train_model
    from allennlp.training.gradient_descent_trainer import GradientDescentTrainer

    glyce_allennlp.load_components()
    barriers = [flag.split("=", 1)[1] for flag in flags if flag.startswith("--barrier=")]
    unknown = set(flags) - {"--recover", "--batch-times"} - {f"--barrier={b}" for b in barriers}
    if unknown:
        raise SystemExit(f"unknown option(s): {' '.join(sorted(unknown))}")
    recover = "--recover" in flags
    timings = {"train_seconds": [], "validation_seconds": []}
    out = Path(serialization_dir) / "bench_epochs.json"
    done = 0  # epochs covered by the checkpoint a recovered run starts from
    if recover:
        from allennlp.training.checkpointer import Checkpointer

        state = Checkpointer(serialization_dir).find_latest_checkpoint()
        if state is not None:
            done = int(Path(state[1]).name.split("_e")[1].split("_")[0])
        if out.exists():  # the interrupted process's timings, for the epochs the checkpoint covers
            timings = {k: v[:done] for k, v in json.loads(out.read_text()).items()}

    # Clock the trainer's training and validation passes (the class's methods, so the saved config is untouched).
    train_epoch, validation_loss = GradientDescentTrainer._train_epoch, GradientDescentTrainer._validation_loss

    batches = {"starts": [], "end": None}
    batch_outputs = GradientDescentTrainer.batch_outputs

    def timed_batch_outputs(self, batch, for_training):
        if for_training:
            batches["starts"].append(time.time())
        return batch_outputs(self, batch, for_training)

    def timed_train_epoch(self, epoch):
        if barriers:
            wait_for_partner(barriers.pop())
        start = time.perf_counter()
        result = train_epoch(self, epoch)
        if epoch >= done:  # a recovered trainer first steps through the checkpoint's epochs without training
            timings["train_seconds"].append(time.perf_counter() - start)
        if "--batch-times" in flags:
            batches["end"] = time.time()
            (Path(serialization_dir) / "bench_batches.json").write_text(json.dumps(batches))
        return result

    def timed_validation_loss(self, epoch):
        start = time.perf_counter()
        result = validation_loss(self, epoch)
        timings["validation_seconds"].append(time.perf_counter() - start)
        out.write_text(json.dumps(timings))
        return result

    GradientDescentTrainer._train_epoch = timed_train_epoch
    if "--batch-times" in flags:
        GradientDescentTrainer.batch_outputs = timed_batch_outputs
    GradientDescentTrainer._validation_loss = timed_validation_loss
    train_model(Params.from_file(config, overrides), serialization_dir, file_friendly_logging=True, recover=recover)
    out.write_text(json.dumps(timings))


if __name__ == "__main__":
    main(*sys.argv[1:])
