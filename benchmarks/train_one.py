"""`allennlp train CONFIG -s DIR -o OVERRIDES --include-package glyce_allennlp`, plus timing of each epoch's training
pass and validation pass (written to DIR/bench_epochs.json). Used by benchmarks/run.py, one process per run, so that
the harness can read each run's peak RSS from the operating system.

    python benchmarks/train_one.py CONFIG SERIALIZATION_DIR '{"trainer.num_epochs": 1}'
    python benchmarks/train_one.py CONFIG SERIALIZATION_DIR '{"trainer.num_epochs": 1}' --recover

``--recover`` continues an interrupted run from its last complete checkpoint (``allennlp train --recover``); the
epoch timings of the interrupted process are kept.
"""
import json
import sys
import time
from pathlib import Path


def main(config: str, serialization_dir: str, overrides: str = "", *flags: str) -> None:
    import glyce_allennlp
    from allennlp.common import Params
    from allennlp.commands.train import train_model
    from allennlp.training.gradient_descent_trainer import GradientDescentTrainer

    glyce_allennlp.load_components()
    unknown = set(flags) - {"--recover"}
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

    def timed_train_epoch(self, epoch):
        start = time.perf_counter()
        result = train_epoch(self, epoch)
        if epoch >= done:  # a recovered trainer first steps through the checkpoint's epochs without training
            timings["train_seconds"].append(time.perf_counter() - start)
        return result

    def timed_validation_loss(self, epoch):
        start = time.perf_counter()
        result = validation_loss(self, epoch)
        timings["validation_seconds"].append(time.perf_counter() - start)
        out.write_text(json.dumps(timings))
        return result

    GradientDescentTrainer._train_epoch = timed_train_epoch
    GradientDescentTrainer._validation_loss = timed_validation_loss
    train_model(Params.from_file(config, overrides), serialization_dir, file_friendly_logging=True, recover=recover)
    out.write_text(json.dumps(timings))


if __name__ == "__main__":
    main(*sys.argv[1:])
