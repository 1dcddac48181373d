"""``make demo``: train Glyce BiLSTM-CRF taggers on the fixture corpus, then segment, POS-tag and NER-tag raw text.

Runs the same commands a user runs (``allennlp train`` / ``allennlp predict`` with ``--include-package
glyce_allennlp``) and prints them, so they can be copied. A few minutes on 2 CPU cores.
"""
import json
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "output", "demo")
ALLENNLP = os.path.join(os.path.dirname(sys.executable), "allennlp")
RAW = os.path.join(REPO, "fixtures", "raw.txt")

TASKS = {
    # task: (config, data folder, train, dev, test, epochs)
    "pos": ("training_configs/pos/glyce_bilstm_crf.jsonnet", "fixtures/pos", "train.txt", "dev.txt", "test.txt", 12),
    "ner": ("training_configs/ner/glyce_bilstm_crf.jsonnet", "fixtures/ner", "train.bmes", "dev.bmes", "test.bmes",
            12),
}


def run(cmd, env=None):
    print("$", " ".join(cmd[:2] + [c if " " not in c else repr(c) for c in cmd[2:]]), flush=True)
    env = dict(env or os.environ)
    # One torch thread: these models are small, and on a 2-core machine with anything else running, 2 threads were
    # measured 10-400x slower than 1 (thread oversubscription). Set OMP_NUM_THREADS yourself to override.
    env.setdefault("OMP_NUM_THREADS", "1")
    subprocess.run(cmd, check=True, cwd=REPO, env=env)


def train(task: str) -> str:
    config, folder, train_file, dev, test, epochs = TASKS[task]
    env = dict(os.environ, TRAIN_DATA_PATH=os.path.join(folder, train_file),
               VALIDATION_DATA_PATH=os.path.join(folder, dev), TEST_DATA_PATH=os.path.join(folder, test))
    out = os.path.join(OUT, task)
    shutil.rmtree(out, ignore_errors=True)
    print(f"\n=== training the Glyce BiLSTM-CRF ({task}) on the fixture corpus", flush=True)
    print(f"TRAIN_DATA_PATH={env['TRAIN_DATA_PATH']} VALIDATION_DATA_PATH={env['VALIDATION_DATA_PATH']} "
          f"TEST_DATA_PATH={env['TEST_DATA_PATH']}")
    start = time.time()
    run([ALLENNLP, "train", config, "-s", out, "--include-package", "glyce_allennlp",
         "-o", json.dumps({"trainer.num_epochs": epochs, "trainer.patience": epochs}), "--file-friendly-logging"],
        env=env)
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    print(f"trained in {time.time() - start:.0f} s: best dev span F1 {metrics['best_validation_f1-measure-overall']:.3f}"
          f", test span F1 {metrics.get('test_f1-measure-overall', float('nan')):.3f} (fixture data, dev-selected)")
    return os.path.join(out, "model.tar.gz")


def predict(archive: str, name: str) -> list:
    output = os.path.join(OUT, f"{name}.predictions.jsonl")
    run([ALLENNLP, "predict", archive, RAW, "--include-package", "glyce_allennlp", "--predictor", "chinese_tagger",
         "--output-file", output, "--silent", "--batch-size", "8"])
    with open(output, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    pos_archive = train("pos")
    ner_archive = train("ner")
    print("\n=== segmenting, POS-tagging and NER-tagging", RAW)
    pos = predict(pos_archive, "pos")
    ner = predict(ner_archive, "ner")
    with open(RAW, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert len(pos) == len(ner) == len(lines), "one output line per input line"
    for line, p, n in zip(lines, pos, ner):
        print(f"\ninput : {line}")
        print("words : " + " ".join(p.get("words", [])))
        print("POS   : " + " ".join(f"{w}/{t}" for w, t in p.get("pos", [])))
        ents = ", ".join(f"{e['text']}({e['type']}@{e['start']}:{e['end']})" for e in n.get("entities", []))
        print("NER   : " + (ents or "-"))
    print(f"\nPredictions (JSON lines): {OUT}/pos.predictions.jsonl, {OUT}/ner.predictions.jsonl")


if __name__ == "__main__":
    main()
