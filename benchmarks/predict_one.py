"""Prediction throughput of trained archives on a test file, measured side by side in one process, and (for span-F1
taggers) F1 on the test entities that contain at least one character never seen in training.

Every archive reads the test file with its own validation dataset reader; the label fields are removed, so the model
runs as at prediction time (forward + make_output_human_readable, batches of --batch-size instances in file order,
no gradient). Passes alternate between the archives (A, B, A, B, ...) so that load from other jobs hits them alike.
Pass 1 is "cold" (the glyph model renders the characters it has never seen and fills its glyph-vector memo); the
steady-state figure is the fastest of the later passes.

    python benchmarks/predict_one.py --test test.bmes --train train.bmes --label-fields tags --spans \
        --archives a/model.tar.gz b/model.tar.gz --out predict.json
"""
import argparse
import json
import time
from pathlib import Path
from typing import Dict, List, Sequence, Set


def entity_scores(gold: List[List[str]], predicted: List[List[str]], chars: List[List[str]],
                  train_chars: Set[str]) -> Dict[str, float]:
    """Span P/R/F1 (BIOUL tags), over all entities and over the entities with at least one character unseen in
    training (a predicted entity counts in the second group when its own characters include an unseen one)."""
    from allennlp.data.dataset_readers.dataset_utils.span_utils import bioul_tags_to_spans

    counts = {"all": [0, 0, 0], "unseen": [0, 0, 0]}  # correct, predicted, gold
    for gold_tags, predicted_tags, sentence in zip(gold, predicted, chars):
        gold_spans = set(bioul_tags_to_spans(list(gold_tags)))
        predicted_spans = set(bioul_tags_to_spans(list(predicted_tags)))

        def has_unseen(span):
            start, end = span[1]
            return any(c not in train_chars for c in sentence[start: end + 1])

        for group, keep in (("all", lambda s: True), ("unseen", has_unseen)):
            g = {s for s in gold_spans if keep(s)}
            p = {s for s in predicted_spans if keep(s)}
            counts[group][0] += len(g & p)
            counts[group][1] += len(p)
            counts[group][2] += len(g)
    scores = {}
    for group, (correct, n_predicted, n_gold) in counts.items():
        precision = correct / n_predicted if n_predicted else 0.0
        recall = correct / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        prefix = "" if group == "all" else "unseen_"
        scores.update({f"{prefix}precision": precision, f"{prefix}recall": recall, f"{prefix}f1": f1,
                       f"{prefix}gold_entities": n_gold, f"{prefix}predicted_entities": n_predicted})
    return scores


def main(argv: Sequence[str] = None) -> Dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archives", nargs="+", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--train", default=None, help="training file (for the unseen-character entity F1)")
    parser.add_argument("--label-fields", nargs="*", default=["tags"])
    parser.add_argument("--spans", action="store_true", help="the model tags BIOUL spans: report entity F1s")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    import torch
    from allennlp.data import Instance
    from allennlp.models.archival import load_archive

    import glyce_allennlp

    glyce_allennlp.load_components()
    torch.set_grad_enabled(False)
    loaded = []
    for path in args.archives:
        archive = load_archive(path, cuda_device=-1)
        archive.model.eval()
        reader = archive.validation_dataset_reader
        gold = list(reader.read(args.test))
        inputs = [Instance({k: v for k, v in inst.fields.items() if k not in args.label_fields}) for inst in gold]
        loaded.append({"path": path, "model": archive.model, "gold": gold, "inputs": inputs, "passes": [],
                       "reader": reader})

    outputs_first = {}
    for n in range(args.passes):
        for item in loaded:
            model, inputs = item["model"], item["inputs"]
            start = time.perf_counter()
            outputs = []
            for i in range(0, len(inputs), args.batch_size):
                outputs.extend(model.forward_on_instances(inputs[i: i + args.batch_size]))
            item["passes"].append(time.perf_counter() - start)
            if n == 0:
                outputs_first[item["path"]] = outputs

    report = {"test": args.test, "batch_size": args.batch_size, "archives": {}}
    train_chars = None
    if args.spans and args.train:
        train_instances = loaded[0]["reader"].read(args.train)
        train_chars = {t.text for inst in train_instances for t in inst["tokens"].tokens}
        report["train_characters"] = len(train_chars)
    for item in loaded:
        n = len(item["inputs"])
        entry = {"sentences": n, "pass_seconds": item["passes"],
                 "first_pass_sentences_per_second": n / item["passes"][0],
                 "sentences_per_second": n / min(item["passes"][1:] or item["passes"])}
        if args.spans:
            gold = [[str(t) for t in inst["tags"].labels] for inst in item["gold"]]
            chars = [[t.text for t in inst["tokens"].tokens] for inst in item["gold"]]
            predicted = [list(o["tags"]) for o in outputs_first[item["path"]]]
            entry.update(entity_scores(gold, predicted, chars, train_chars or set()))
        report["archives"][item["path"]] = entry
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
