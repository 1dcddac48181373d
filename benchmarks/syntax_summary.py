"""Print a Markdown table of finished `allennlp train` runs of the syntax configs: epochs, best (dev-selected) epoch,
seconds/epoch, dev and test scores (parser: UAS/LAS without punctuation; tagger: BMES-POS span F1)."""
import json
import sys
from pathlib import Path


def _secs(duration: str) -> float:
    h, mi, s = duration.split(":")
    return int(h) * 3600 + int(mi) * 60 + float(s)


def main(dirs):
    print("| run | epochs | best epoch | s/epoch | dev | test |")
    print("|---|---|---|---|---|---|")
    for d in map(Path, dirs):
        path = d / "metrics.json"
        if not path.exists():
            print(f"| {d.name} | (unfinished) | | | | |")
            continue
        m = json.loads(path.read_text())
        epochs = m["epoch"] + 1
        seconds = _secs(m["training_duration"])  # training + validation, all epochs
        if "test_LAS" in m:
            dev = f"UAS {100 * m['best_validation_UAS']:.2f} / LAS {100 * m['best_validation_LAS']:.2f}"
            test = f"UAS {100 * m['test_UAS']:.2f} / LAS {100 * m['test_LAS']:.2f}"
        else:
            dev = f"F1 {100 * m['best_validation_f1-measure-overall']:.2f}"
            test = f"F1 {100 * m['test_f1-measure-overall']:.2f}"
        print(f"| {d.name} | {epochs} | {m['best_epoch']} | {seconds / epochs:.0f} | {dev} | {test} |")


if __name__ == "__main__":
    main(sys.argv[1:])
