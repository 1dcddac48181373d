"""Print a markdown table of finished `allennlp train` runs: epochs, s/epoch, best dev and test span F1."""
import json
import sys
from pathlib import Path


def seconds(duration: str) -> float:
    h, m, s = duration.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def main(dirs):
    print("| run | epochs | best epoch (dev) | s/epoch (train+validation) | dev span F1 | test span F1 |")
    print("|---|---|---|---|---|---|")
    for d in map(Path, dirs):
        m = json.loads((d / "metrics.json").read_text())
        epochs = m["epoch"] + 1
        print(f"| {d.name} | {epochs} | {m['best_epoch']} | {seconds(m['training_duration']) / epochs:.1f} | "
              f"{100 * m['best_validation_f1-measure-overall']:.2f} | {100 * m['test_f1-measure-overall']:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
