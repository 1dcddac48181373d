"""Where a trained archive's prediction time goes: seconds spent in each of the model's modules down to ``--depth``
levels (forward hooks), over passes through a test file in batches, as a table.

    python benchmarks/predict_profile.py ARCHIVE TEST_FILE [--batch-size 32] [--passes 2] [--depth 2]

The test file is read with the archive's own validation dataset reader; the model runs as at prediction time
(``forward_on_instances``, batches in file order, no gradient, one thread unless OMP_NUM_THREADS says otherwise).
The first pass warms up (the glyph model renders the characters it has never seen and fills its tables); the table
shows the last pass. A module's time includes its children's (``encoder`` includes ``encoder._module``).
"""
import argparse
import collections
import time
from typing import Dict, List, Tuple


def profile(archive: str, test_file: str, batch_size: int = 32, passes: int = 2,
            depth: int = 2) -> Tuple[float, int, Dict[str, float]]:
    """(seconds of the last pass, instances, seconds per module name of the last pass) for ``archive`` on
    ``test_file``; modules down to ``depth`` dots in their name."""
    import torch
    from allennlp.models.archival import load_archive

    import glyce_allennlp

    glyce_allennlp.load_components()
    loaded = load_archive(archive)
    model = loaded.model.eval()
    instances = list(loaded.validation_dataset_reader.read(test_file))
    seconds: Dict[str, float] = collections.defaultdict(float)
    starts: Dict[str, List[float]] = collections.defaultdict(list)

    def hooks(name):
        def before(module, inputs):
            starts[name].append(time.perf_counter())

        def after(module, inputs, output):
            seconds[name] += time.perf_counter() - starts[name].pop()
        return before, after

    for name, module in model.named_modules():
        if name and name.count(".") < depth:
            before, after = hooks(name)
            module.register_forward_pre_hook(before)
            module.register_forward_hook(after)
    total = 0.0
    with torch.no_grad():
        for _ in range(max(1, passes)):
            seconds.clear()
            start = time.perf_counter()
            for i in range(0, len(instances), batch_size):
                model.forward_on_instances(instances[i:i + batch_size])
            total = time.perf_counter() - start
    return total, len(instances), dict(seconds)


def table(total: float, count: int, seconds: Dict[str, float], top: int = 12) -> str:
    lines = [f"{count} instances in {total:.3f} s: {count / total:.0f} per second", "",
             "| module | seconds | share |", "|---|---|---|"]
    for name, value in sorted(seconds.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"| `{name}` | {value:.3f} | {100 * value / total:.0f} % |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive")
    parser.add_argument("test_file")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--depth", type=int, default=2)
    args = parser.parse_args(argv)
    import os

    import torch

    if "OMP_NUM_THREADS" not in os.environ:
        torch.set_num_threads(1)
    print(table(*profile(args.archive, args.test_file, args.batch_size, args.passes, args.depth)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
