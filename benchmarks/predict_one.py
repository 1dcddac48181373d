"""Prediction throughput of trained archives on a test file, measured side by side in one process; each archive's own
metrics on the whole test file and on its de-duplicated part (the test instances whose text does not occur in the
training file); and, for span-F1 taggers, F1 on the test entities that contain at least one character never seen in
training, on those with a character that has no pretrained vector (``--vector-chars``), and per label group
(``--span-groups``, e.g. Weibo's named and nominal mentions).

Every archive reads the test file with its own validation dataset reader; the label fields are removed, so the model
runs as at prediction time (forward + make_output_human_readable, batches of --batch-size instances in file order,
no gradient). Passes alternate between the archives (A, B, A, B, ...) so that load from other jobs hits them alike.
Pass 1 is "cold" (the glyph model renders the characters it has never seen and fills its glyph-vector memo); the
steady-state figure is the fastest of the later passes.

    python benchmarks/predict_one.py --test test.bmes --train train.bmes --label-fields tags --spans \
        --vector-chars chars.vec.gz --span-groups NAM=.NAM NOM=.NOM \
        --archives a/model.tar.gz b/model.tar.gz --out predict.json

De-duplication: an instance's key is the text of each of its text fields as the archive's reader makes them (so, for
readers that cut texts to ``max_chars``, the cut text: what the model sees); a test instance is a duplicate when a
training instance has the same key. The metrics are the model's own (``get_metrics`` after a labelled pass over the
instances), so the full-test figure is the trainer's test metric.
"""
import argparse
import json
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set


def entity_scores(gold: List[List[str]], predicted: List[List[str]], chars: List[List[str]],
                  train_chars: Set[str], vector_chars: Optional[Set[str]] = None,
                  label_groups: Optional[Dict[str, str]] = None) -> Dict[str, float]:
    """Span P/R/F1 (BIOUL tags) over all entities (keys ``precision``, ``recall``, ``f1``, ``gold_entities``,
    ``predicted_entities``), and the same with a prefix for groups of entities: ``unseen_``: those with at least one
    character not in ``train_chars``; ``novec_`` (with ``vector_chars``): those with a character not in
    ``vector_chars``; ``<name>_`` for each ``name → suffix`` of ``label_groups``: those whose label ends with
    ``suffix``. A predicted entity belongs to a group by its own characters and label, like a gold one."""
    from allennlp.data.dataset_readers.dataset_utils.span_utils import bioul_tags_to_spans

    def lacks(known):
        return lambda sentence, span: any(c not in known for c in sentence[span[1][0]: span[1][1] + 1])

    groups = {"": lambda sentence, span: True, "unseen_": lacks(train_chars)}
    if vector_chars is not None:
        groups["novec_"] = lacks(vector_chars)
    for name, suffix in (label_groups or {}).items():
        groups[f"{name}_"] = lambda sentence, span, suffix=suffix: span[0].endswith(suffix)
    counts = {group: [0, 0, 0] for group in groups}  # correct, predicted, gold
    for gold_tags, predicted_tags, sentence in zip(gold, predicted, chars):
        gold_spans = set(bioul_tags_to_spans(list(gold_tags)))
        predicted_spans = set(bioul_tags_to_spans(list(predicted_tags)))
        for group, keep in groups.items():
            g = {s for s in gold_spans if keep(sentence, s)}
            p = {s for s in predicted_spans if keep(sentence, s)}
            counts[group][0] += len(g & p)
            counts[group][1] += len(p)
            counts[group][2] += len(g)
    scores = {}
    for prefix, (correct, n_predicted, n_gold) in counts.items():
        precision = correct / n_predicted if n_predicted else 0.0
        recall = correct / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.update({f"{prefix}precision": precision, f"{prefix}recall": recall, f"{prefix}f1": f1,
                       f"{prefix}gold_entities": n_gold, f"{prefix}predicted_entities": n_predicted})
    return scores


def instance_key(instance) -> tuple:
    """The texts of an instance's text fields (field name, text), in field-name order: the de-duplication key."""
    from allennlp.data.fields import TextField

    return tuple((name, "".join(t.text for t in field.tokens)) for name, field in sorted(instance.fields.items())
                 if isinstance(field, TextField))


def model_metrics(model, instances, batch_size: int) -> Dict[str, float]:
    """The model's own metrics (``get_metrics``) after a pass over the labelled ``instances`` (none: ``{}``)."""
    if not instances:
        return {}
    model.get_metrics(reset=True)
    for i in range(0, len(instances), batch_size):
        model.forward_on_instances(instances[i: i + batch_size])
    return {k: v for k, v in model.get_metrics(reset=True).items() if isinstance(v, (int, float))}


def main(argv: Sequence[str] = None) -> Dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archives", nargs="+", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--train", default=None, help="training file (for the unseen-character entity F1)")
    parser.add_argument("--label-fields", nargs="*", default=["tags"])
    parser.add_argument("--spans", action="store_true", help="the model tags BIOUL spans: report entity F1s")
    parser.add_argument("--vector-chars", default=None,
                        help="character vectors (word2vec text, plain or .gz): entity F1 on the test entities with "
                             "a character that has no vector there")
    parser.add_argument("--span-groups", nargs="*", default=[], metavar="NAME=SUFFIX",
                        help="entity F1 of the entities whose label ends with SUFFIX, e.g. NAM=.NAM NOM=.NOM")
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
    train_chars, train_keys = None, None
    if args.train:
        train_instances = list(loaded[0]["reader"].read(args.train))
        train_keys = {instance_key(inst) for inst in train_instances}
        if args.spans:
            train_chars = {t.text for inst in train_instances for t in inst["tokens"].tokens}
            report["train_characters"] = len(train_chars)
    vector_chars = None
    if args.spans and args.vector_chars:
        from glyce_allennlp.vectors.lexicon import read_vector_words

        vector_chars = set(read_vector_words(args.vector_chars))
        report["vector_chars"] = {"file": args.vector_chars, "characters": len(vector_chars)}
    groups = dict(group.split("=", 1) for group in args.span_groups)
    for item in loaded:
        n = len(item["inputs"])
        entry = {"sentences": n, "pass_seconds": item["passes"],
                 "first_pass_sentences_per_second": n / item["passes"][0],
                 "sentences_per_second": n / min(item["passes"][1:] or item["passes"])}
        entry["metrics"] = model_metrics(item["model"], item["gold"], args.batch_size)
        if train_keys is not None:
            unique = [inst for inst in item["gold"] if instance_key(inst) not in train_keys]
            entry.update(test_in_train=n - len(unique), deduplicated_sentences=len(unique),
                         metrics_deduplicated=model_metrics(item["model"], unique, args.batch_size))
        if args.spans:
            gold = [[str(t) for t in inst["tags"].labels] for inst in item["gold"]]
            chars = [[t.text for t in inst["tokens"].tokens] for inst in item["gold"]]
            predicted = [list(o["tags"]) for o in outputs_first[item["path"]]]
            entry.update(entity_scores(gold, predicted, chars, train_chars or set(), vector_chars, groups))
        report["archives"][item["path"]] = entry
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
