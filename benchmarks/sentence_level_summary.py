"""Table of finished sentence-level runs (benchmarks/sentence_level.sh): epochs, seconds/epoch, dev and test
accuracy (+ positive-class F1 for pair models), then mean ± sample std per config over seeds."""
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def seconds(duration: str) -> float:
    h, m, s = duration.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def main(dirs):
    rows, by_config = [], defaultdict(list)
    print("| run | epochs | best epoch | s/epoch (train+dev) | dev acc | test acc | test F1 (label 1) |")
    print("|---|---|---|---|---|---|---|")
    for d in map(Path, dirs):
        if not (d / "metrics.json").exists():
            print(f"| {d.name} | failed or unfinished: see {d}.log | | | | | |")
            continue
        m = json.loads((d / "metrics.json").read_text())
        epochs = m["epoch"] + 1
        f1 = f"{100 * m['test_f1']:.2f}" if "test_f1" in m else "–"
        print(f"| {d.name} | {epochs} | {m['best_epoch']} | {seconds(m['training_duration']) / epochs:.0f} | "
              f"{100 * m['best_validation_accuracy']:.2f} | {100 * m['test_accuracy']:.2f} | {f1} |")
        by_config[re.sub(r"-seed\d+$", "", d.name)].append(100 * m["test_accuracy"])
    if any(len(v) > 1 for v in by_config.values()):
        print("\n| config | seeds | test acc mean | std |\n|---|---|---|---|")
        for config, accs in by_config.items():
            std = statistics.stdev(accs) if len(accs) > 1 else float("nan")
            print(f"| {config} | {len(accs)} | {statistics.mean(accs):.2f} | {std:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
