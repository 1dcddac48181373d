"""`allennlp train CONFIG -s DIR -o OVERRIDES --include-package glyce_allennlp`, plus timing of each epoch's training
pass and validation pass (written to DIR/bench_epochs.json). Used by benchmarks/run.py, one process per run, so that
the harness can read each run's peak RSS from the operating system.

    python benchmarks/train_one.py CONFIG SERIALIZATION_DIR '{"trainer.num_epochs": 1}'
"""
import json
import sys
import time
from pathlib import Path


def main(config: str, serialization_dir: str, overrides: str = "") -> None:
    import glyce_allennlp
    from allennlp.common import Params
    from allennlp.commands.train import train_model
    from allennlp.training.gradient_descent_trainer import GradientDescentTrainer

    glyce_allennlp.load_components()
    timings = {"train_seconds": [], "validation_seconds": []}
    out = Path(serialization_dir) / "bench_epochs.json"

    # Clock the trainer's training and validation passes (the class's methods, so the saved config is untouched).
    train_epoch, validation_loss = GradientDescentTrainer._train_epoch, GradientDescentTrainer._validation_loss

    def timed_train_epoch(self, epoch):
        start = time.perf_counter()
        result = train_epoch(self, epoch)
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
    train_model(Params.from_file(config, overrides), serialization_dir, file_friendly_logging=True)
    out.write_text(json.dumps(timings))


if __name__ == "__main__":
    main(*sys.argv[1:])
