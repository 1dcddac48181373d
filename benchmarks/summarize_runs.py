"""Print a table of finished `allennlp train` runs: epochs, seconds/epoch, best dev and test span F1."""
import json
import sys
from pathlib import Path


def main(dirs):
    print(f"| run | epochs | best epoch | s/epoch | dev F1 | test F1 |")
    print("|---|---|---|---|---|---|")
    for d in map(Path, dirs):
        m = json.loads((d / "metrics.json").read_text())
        epochs = m["epoch"] + 1
        seconds = sum(json.loads(p.read_text())["epoch_duration"].count(":") and _secs(json.loads(p.read_text()))
                      for p in d.glob("metrics_epoch_*.json"))
        print(f"| {d.name} | {epochs} | {m['best_epoch']} | {seconds / epochs:.1f} | "
              f"{100 * m['best_validation_f1-measure-overall']:.2f} | {100 * m['test_f1-measure-overall']:.2f} |")


def _secs(metrics):
    h, mi, s = metrics["epoch_duration"].split(":")
    return int(h) * 3600 + int(mi) * 60 + float(s)


if __name__ == "__main__":
    main(sys.argv[1:])
