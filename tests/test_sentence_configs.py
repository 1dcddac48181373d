"""Every sentence-level config (training_configs/pair/*, training_configs/classification/*) trains one epoch on the
fixtures, evaluates, and predicts a raw file through the real `allennlp predict` command with one JSON line per
input line, in order. Plus: the glyph auxiliary loss of bimpm covers both sentences."""
import json
import math
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES

TASKS = {
    "pair": ("pair/train.txt", "pair/dev.txt", "pair/test.txt", "pair/raw.txt", "chinese_pair_classifier"),
    "classification": ("classification/train.tsv", "classification/dev.tsv", "classification/test.tsv",
                       "classification/raw.txt", "chinese_text_classifier"),
}
CONFIGS = [("pair", "bimpm"), ("pair", "glyce_bimpm"), ("classification", "bilstm"),
           ("classification", "glyce_bilstm"), ("classification", "glyce_bilstm_fast"), ("classification", "cnn"),
           ("classification", "glyce_cnn")]
# small and fast: the fixtures have 120 training examples
OVERRIDES = {"trainer.num_epochs": 1, "data_loader.batch_sampler.batch_size": 32}


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """On the shared 2-core machine, torch's default intra-op threads make BiMPM's backward ~10x slower under load
    (measured: 1 epoch on the fixtures 34 s → 3.4 s with one thread). Restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def trained(train_config):
    """(task, name) → serialization dir of `name` trained for one epoch on the fixtures (once per session)."""

    def get(task, name):
        return train_config(f"{task}/{name}.jsonnet", TASKS[task][:3], OVERRIDES)

    return get


def expected_error(task, line):
    """Whether the predictor must answer this raw line with an `error` (and no model call)."""
    if task == "classification":
        return not line.strip()
    parts = line.split("\t")
    return len(parts) != 2 or not parts[0].strip() or not parts[1].strip()


@pytest.mark.slow
@pytest.mark.parametrize("task,name", CONFIGS)
def test_config_trains_evaluates_and_predicts(task, name, tmp_path, trained, components):
    from allennlp.data.data_loaders import SimpleDataLoader
    from allennlp.models.archival import load_archive
    from allennlp.training.util import evaluate

    test_path = os.path.join(FIXTURES, TASKS[task][2])
    run = trained(task, name)
    metrics = json.loads((run / "metrics.json").read_text())
    assert "best_validation_accuracy" in metrics and "test_accuracy" in metrics
    if task == "pair":  # bimpm_f1: F1 of the positive label "1"
        assert {"best_validation_f1", "test_f1", "test_precision", "test_recall"} <= set(metrics)
    assert all(not isinstance(v, float) or v == v for v in metrics.values())  # no NaN
    if name.startswith("glyce"):
        assert metrics["training_glyph_lambda"] == pytest.approx(0.1)
        assert metrics["training_glyph_aux_loss"] > 0

    archive = load_archive(str(run / "model.tar.gz"))
    instances = list(archive.validation_dataset_reader.read(test_path))
    result = evaluate(archive.model, SimpleDataLoader(instances, 16, vocab=archive.model.vocab), cuda_device=-1)
    assert 0.0 <= result["accuracy"] <= 1.0
    labels = set(archive.model.vocab.get_token_to_index_vocabulary("labels"))
    assert labels == {"0", "1"}

    raw = os.path.join(FIXTURES, TASKS[task][3])
    output = tmp_path / "predictions.jsonl"
    cmd = [os.path.join(os.path.dirname(sys.executable), "allennlp"), "predict", str(run / "model.tar.gz"), raw,
           "--include-package", "glyce_allennlp", "--predictor", TASKS[task][4], "--output-file", str(output),
           "--silent", "--batch-size", "3"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(raw, encoding="utf-8") as f:
        lines = f.read().splitlines()
    predictions = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(predictions) == len(lines)
    for line, prediction in zip(lines, predictions):
        assert prediction["text"] == line  # in order
        if expected_error(task, line):
            assert prediction["error"] and prediction["label"] is None and prediction["probs"] == {}
        else:
            assert "error" not in prediction
            assert set(prediction["probs"]) == labels and prediction["label"] in labels
            assert all(math.isfinite(p) for p in prediction["probs"].values())
            assert sum(prediction["probs"].values()) == pytest.approx(1.0, abs=1e-4)
            assert prediction["label"] == max(prediction["probs"], key=prediction["probs"].get)
            if task == "pair":
                assert prediction["s1"] + "\t" + prediction["s2"] == line
    assert any(not line.strip() for line in lines), "raw fixture must contain an empty line"
    if task == "pair":
        assert any("\t" not in line and line for line in lines), "raw fixture must contain a line without a tab"


@pytest.mark.slow
def test_bimpm_glyph_aux_loss_covers_both_sentences(trained, components):
    """bimpm embeds premise and hypothesis with the same embedder (two calls per forward): the auxiliary glyph loss
    must pool both calls, not keep only the last one."""
    from allennlp.data import Batch
    from allennlp.models.archival import load_archive

    archive = load_archive(str(trained("pair", "glyce_bimpm") / "model.tar.gz"))
    model, reader = archive.model, archive.validation_dataset_reader
    known = set(model.vocab.get_token_to_index_vocabulary("glyce_chars"))
    unseen = "鑫淼犇骉"
    assert not set(unseen) & known
    model.train()
    for premise, hypothesis, n_known in (("北京天气", unseen, 4), (unseen, "上海天气", 4), ("北京", "上海天气", 6)):
        assert set(premise + hypothesis) & known
        instance = reader.text_to_instance(premise, hypothesis, "1")
        batch = Batch([instance])
        batch.index_instances(model.vocab)
        counted = []
        glyph = model.model.text_field_embedder.token_embedder_glyce.glyph
        hook = glyph.register_forward_hook(lambda m, a, r: counted.append(m.last_aux_tokens))
        output = model(**batch.as_tensor_dict())
        hook.remove()
        assert len(counted) == 2  # premise and hypothesis
        assert sum(counted) == n_known
        assert float(output["glyph_aux_loss"].detach()) > 0  # also when the last call (hypothesis) has no known character

