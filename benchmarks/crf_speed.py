"""Training speed of allennlp-models' stock `crf_tagger` vs our `glyce_crf_tagger` (batched Viterbi), same run.

Both models are built from the same config (only `model.type` differs), with the same seed, weights, batches and
dropout masks, and trained *interleaved batch by batch* (each batch goes through the stock model's training step, then
through ours) so that load from other jobs on the machine hits both alike. The decoder does not touch the gradients, so both runs must end with
identical weights and identical F1: the script checks it. Reported: training sentences/second (forward + backward +
gradient clipping + optimiser step; batching and validation excluded), seconds spent in the Viterbi decoder, prediction sentences/second on dev, dev/test
span F1.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python benchmarks/crf_speed.py --epochs 3 --out crf_speed.json

``benchmarks/run.py --crf-speed EPOCHS`` runs it and puts the numbers into the results.
"""
import argparse
import copy
import json
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from run import data_folder  # noqa: E402  (benchmarks/ is on sys.path: this script's own folder)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(REPO / "training_configs/ner/bilstm_crf.jsonnet"))
    data = data_folder() or REPO.parent / "shared" / "data"
    parser.add_argument("--train", default=f"{data}/resume_ner/train.char.bmes")
    parser.add_argument("--dev", default=f"{data}/resume_ner/dev.char.bmes")
    parser.add_argument("--test", default=f"{data}/resume_ner/test.char.bmes")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--max-train", type=int, default=0, help="use only the first N training sentences")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default=None, help="write the numbers as JSON here")
    args = parser.parse_args(argv)

    import _jsonnet
    import torch
    from allennlp.common import Params
    from allennlp.data import Batch, DatasetReader, Vocabulary
    from allennlp.nn import util
    from allennlp.data.data_loaders import SimpleDataLoader
    from allennlp.models import Model
    from allennlp.training.util import evaluate

    import glyce_allennlp
    import glyce_allennlp.models.fast_crf_tagger as fast_module

    glyce_allennlp.load_components()
    env = dict(os.environ, TRAIN_DATA_PATH=args.train, VALIDATION_DATA_PATH=args.dev, TEST_DATA_PATH=args.test)
    config = json.loads(_jsonnet.evaluate_file(args.config, ext_vars=env))
    model_config = config["model"]
    while model_config.get("type") == "glyce_aux_loss":  # time the tagger itself
        model_config = model_config["model"]
    reader = DatasetReader.from_params(Params(copy.deepcopy(config["dataset_reader"])))
    train = list(reader.read(args.train))
    vocab = Vocabulary.from_instances(train)  # of the whole training file, like the configs
    if args.max_train:
        train = train[: args.max_train]
    dev, test = list(reader.read(args.dev)), list(reader.read(args.test))
    for split in (train, dev, test):
        for instance in split:
            instance.index_fields(vocab)
    batch_size = config["data_loader"]["batch_size"]
    lr = config["trainer"]["optimizer"]["lr"]
    grad_norm = config["trainer"].get("grad_norm")
    device = torch.device(args.device)

    # Decoder timing: wrap the stock decoder and ours.
    decode_seconds = {"crf_tagger": 0.0, "glyce_crf_tagger": 0.0}
    from allennlp.modules import ConditionalRandomField

    stock_viterbi, fast_viterbi = ConditionalRandomField.viterbi_tags, fast_module.batched_viterbi

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def timed_stock(self, *a, **k):
        sync(); t = time.perf_counter(); r = stock_viterbi(self, *a, **k); sync()
        decode_seconds["crf_tagger"] += time.perf_counter() - t
        return r

    def timed_fast(*a, **k):
        sync(); t = time.perf_counter(); r = fast_viterbi(*a, **k); sync()
        decode_seconds["glyce_crf_tagger"] += time.perf_counter() - t
        return r

    ConditionalRandomField.viterbi_tags = timed_stock
    fast_module.batched_viterbi = timed_fast

    seed = config.get("random_seed", 13)
    runs = {}
    for kind in ("crf_tagger", "glyce_crf_tagger"):
        torch.manual_seed(seed)
        model = Model.from_params(Params(copy.deepcopy({**model_config, "type": kind})), vocab=vocab).to(device)
        if runs:  # identical starting weights
            model.load_state_dict(next(iter(runs.values()))["model"].state_dict())
        runs[kind] = {"model": model, "optimizer": torch.optim.Adam(model.parameters(), lr=lr),
                      "rng": torch.get_rng_state(), "train_seconds": 0.0, "epochs": []}

    shuffler = random.Random(seed)
    for epoch in range(args.epochs):
        order = list(train)
        shuffler.shuffle(order)
        batches = [order[i: i + batch_size] for i in range(0, len(order), batch_size)]
        seconds = {kind: 0.0 for kind in runs}
        decode_before = dict(decode_seconds)
        for run in runs.values():
            run["model"].train()
        for instances in batches:
            # Both models take the same batch in turn (same dropout masks: each has its own torch RNG stream), so
            # load from other jobs on the machine falls on both alike.
            batch = Batch(instances)
            tensors = util.move_to_device(batch.as_tensor_dict(), device)
            for kind, run in runs.items():
                torch.set_rng_state(run["rng"])
                model, optimizer = run["model"], run["optimizer"]
                sync(); start = time.perf_counter()
                optimizer.zero_grad()
                loss = model(**tensors)["loss"]
                loss.backward()
                if grad_norm:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), grad_norm)
                optimizer.step()
                sync(); seconds[kind] += time.perf_counter() - start
                run["rng"] = torch.get_rng_state()
        for kind, run in runs.items():
            run["train_seconds"] += seconds[kind]
            metrics = run["model"].get_metrics(reset=True)
            decoded = decode_seconds[kind] - decode_before[kind]
            run["epochs"].append({"seconds": seconds[kind], "decode_seconds": decoded,
                                  "sentences_per_second": len(train) / seconds[kind],
                                  "train_f1": metrics.get("f1-measure-overall")})
            print(f"epoch {epoch} {kind}: {seconds[kind]:.1f} s, {len(train) / seconds[kind]:.1f} sentences/s, "
                  f"decoder {decoded:.1f} s, train F1 {metrics.get('f1-measure-overall')}", flush=True)

    report = {"config": os.path.relpath(args.config, REPO), "train": args.train, "dev": args.dev, "test": args.test,
              "train_sentences": len(train), "epochs": args.epochs, "device": str(device),
              "torch_threads": torch.get_num_threads(), "models": {}}
    for kind, run in runs.items():
        model = run["model"]
        model.eval()
        results = {}
        for name, split in (("dev", dev), ("test", test)):
            loader = SimpleDataLoader(split, 128, shuffle=False, vocab=vocab)
            loader.set_target_device(device)
            sync(); start = time.perf_counter()
            results[name] = evaluate(model, loader, cuda_device=device.index if device.type == "cuda" else -1)
            sync(); results[name + "_seconds"] = time.perf_counter() - start
        report["models"][kind] = {
            "train_sentences_per_second": len(train) * args.epochs / run["train_seconds"],
            "train_seconds": run["train_seconds"],
            "decode_seconds_train": sum(e["decode_seconds"] for e in run["epochs"]),
            "epochs": run["epochs"],
            "dev_f1": results["dev"]["f1-measure-overall"], "test_f1": results["test"]["f1-measure-overall"],
            "dev_eval_sentences_per_second": len(dev) / results["dev_seconds"],
        }
    stock, fast = report["models"]["crf_tagger"], report["models"]["glyce_crf_tagger"]
    report["speedup_train"] = fast["train_sentences_per_second"] / stock["train_sentences_per_second"]
    report["speedup_decoder"] = stock["decode_seconds_train"] / max(fast["decode_seconds_train"], 1e-9)
    report["speedup_dev_eval"] = fast["dev_eval_sentences_per_second"] / stock["dev_eval_sentences_per_second"]
    same_weights = all(torch.equal(a, b) for a, b in zip(runs["crf_tagger"]["model"].state_dict().values(),
                                                        runs["glyce_crf_tagger"]["model"].state_dict().values()))
    report["identical_weights"] = same_weights
    report["identical_f1"] = stock["dev_f1"] == fast["dev_f1"] and stock["test_f1"] == fast["test_f1"]
    print(json.dumps({k: v for k, v in report.items() if k != "models"}, indent=1))
    for kind, numbers in report["models"].items():
        print(kind, {k: v for k, v in numbers.items() if k != "epochs"})
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
