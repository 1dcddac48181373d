"""Every tagging config trains one epoch on the fixtures, evaluates, and predicts raw text through the real
`allennlp predict` command with one output line per input line."""
import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO

DATA = {
    "ner": ("ner/train.bmes", "ner/dev.bmes", "ner/test.bmes"),
    "cws": ("cws/train.txt", "cws/dev.txt", "cws/test.txt"),
    "pos": ("pos/train.txt", "pos/dev.txt", "pos/test.txt"),
}
CONFIGS = [(task, name) for task in DATA for name in ("bilstm_crf", "glyce_bilstm_crf")]
CONFIGS.append(("ner", "glyce_bilstm_crf_fast"))


def set_data_env(monkeypatch, task):
    train, dev, test = (os.path.join(FIXTURES, p) for p in DATA[task])
    monkeypatch.setenv("TRAIN_DATA_PATH", train)
    monkeypatch.setenv("VALIDATION_DATA_PATH", dev)
    monkeypatch.setenv("TEST_DATA_PATH", test)
    return test


@pytest.mark.parametrize("task,name", CONFIGS)
def test_config_trains_evaluates_and_predicts(task, name, tmp_path, monkeypatch, components):
    from allennlp.commands.train import train_model_from_file
    from allennlp.models.archival import load_archive
    from allennlp.training.util import evaluate
    from allennlp.data.data_loaders import SimpleDataLoader

    test_path = set_data_env(monkeypatch, task)
    config = os.path.join(REPO, "training_configs", task, f"{name}.jsonnet")
    serialization_dir = tmp_path / "run"
    train_model_from_file(config, str(serialization_dir), overrides=json.dumps({"trainer.num_epochs": 1}))
    metrics = json.loads((serialization_dir / "metrics.json").read_text())
    assert "best_validation_f1-measure-overall" in metrics and "test_f1-measure-overall" in metrics
    assert all(not isinstance(v, float) or v == v for v in metrics.values())  # no NaN
    if name.startswith("glyce"):
        assert metrics["training_glyph_lambda"] == pytest.approx(0.1)  # λ0 during epoch 0
        assert metrics["training_glyph_aux_loss"] > 0

    archive = load_archive(str(serialization_dir / "model.tar.gz"))
    reader = archive.validation_dataset_reader
    instances = list(reader.read(test_path))
    loader = SimpleDataLoader(instances, batch_size=16, vocab=archive.model.vocab)
    result = evaluate(archive.model, loader, cuda_device=-1)
    assert 0.0 <= result["f1-measure-overall"] <= 1.0

    raw = os.path.join(FIXTURES, "raw.txt")
    output = tmp_path / "predictions.jsonl"
    cmd = [os.path.join(os.path.dirname(sys.executable), "allennlp"), "predict", str(serialization_dir / "model.tar.gz"),
           raw, "--include-package", "glyce_allennlp", "--predictor", "chinese_tagger", "--output-file", str(output),
           "--silent", "--batch-size", "3"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(raw, encoding="utf-8") as f:
        lines = f.read().splitlines()
    predictions = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(predictions) == len(lines)
    for line, prediction in zip(lines, predictions):
        assert prediction["text"] == line  # in order
        assert len(prediction["tags"]) == sum(1 for c in line if not c.isspace())
        key = {"ner": "entities", "cws": "words", "pos": "pos"}[task]
        assert key in prediction
        if task in ("cws", "pos") and prediction["chars"]:
            assert "".join(prediction["words"]) == "".join(prediction["chars"])
    assert any(not line.strip() for line in lines), "raw fixture must contain an empty line"


def test_unseen_character_gets_nonzero_glyph_vector_at_predict_time(tmp_path, monkeypatch, components):
    import torch
    from allennlp.commands.train import train_model_from_file
    from allennlp.models.archival import load_archive

    from glyce_allennlp.models.glyce_aux_loss import unwrap_model

    set_data_env(monkeypatch, "cws")
    config = os.path.join(REPO, "training_configs", "cws", "glyce_bilstm_crf.jsonnet")
    train_model_from_file(config, str(tmp_path / "run"), overrides=json.dumps({"trainer.num_epochs": 1}))
    model = load_archive(str(tmp_path / "run" / "model.tar.gz")).model
    embedder = unwrap_model(model).text_field_embedder.token_embedder_glyce
    unseen = "龘"
    assert unseen not in model.vocab.get_token_to_index_vocabulary("glyce_chars")
    model.eval()
    with torch.no_grad():
        vector = embedder(torch.tensor([[ord(unseen)]]))
    assert vector[0, 0, : embedder.glyph.output_dim].abs().sum() > 0
    assert not embedder.glyph.is_missing(unseen)


@pytest.mark.parametrize("task", sorted(DATA))
def test_baseline_and_glyce_char_id_embeddings_start_alike(task, monkeypatch, components):
    """The char-ID embedding's initialisation moves Weibo dev F1 by ~4 points: baseline and Glyce must share it
    (NER configs: N(0, 1); the others: xavier-uniform)."""
    from allennlp.common import Params
    from allennlp.data import DatasetReader, Vocabulary
    from allennlp.models import Model

    set_data_env(monkeypatch, task)
    stds = {}
    for name in ("bilstm_crf", "glyce_bilstm_crf"):
        params = Params.from_file(os.path.join(REPO, "training_configs", task, f"{name}.jsonnet"))
        reader = DatasetReader.from_params(params.pop("dataset_reader"))
        vocab = Vocabulary.from_instances(reader.read(os.environ["TRAIN_DATA_PATH"]))
        model = Model.from_params(vocab=vocab, params=params.pop("model"))
        weight = next(p for n, p in model.named_parameters()
                      if n.endswith("token_embedder_tokens.weight") or n.endswith("char_embedding.weight"))
        stds[name] = weight[1:].std().item()
    assert stds["glyce_bilstm_crf"] == pytest.approx(stds["bilstm_crf"], rel=0.25), stds
    if task == "ner":
        assert stds["bilstm_crf"] > 0.8, stds  # N(0, 1)
    else:
        assert stds["bilstm_crf"] < 0.2, stds  # xavier-uniform


_GLYCE_TAGGER_CONFIGS = sorted(
    (task, name[:-len(".jsonnet")]) for task in ("ner", "cws", "pos")
    for name in os.listdir(os.path.join(REPO, "training_configs", task))
    if "glyce" in name and "bilstm_crf" in name)


@pytest.mark.parametrize("task,name", _GLYCE_TAGGER_CONFIGS)
def test_glyce_tagger_shares_its_baselines_dropout(task, name, monkeypatch):
    """Tagger dropout is tuned per task for both models of a pair (NER: 0.3): each Glyce tagging config (paper and
    fast layout) must use its char-ID baseline's value, or the benchmark compares unequal regularisation."""
    from allennlp.common import Params

    set_data_env(monkeypatch, task)
    baseline = name.replace("glyce_", "").replace("_fast", "")

    def tagger(config):
        model = Params.from_file(os.path.join(REPO, "training_configs", task, f"{config}.jsonnet")).as_dict()["model"]
        return model["model"] if model["type"] == "glyce_aux_loss" else model

    glyce, base = tagger(name), tagger(baseline)
    assert glyce["dropout"] == base["dropout"], (name, glyce["dropout"], baseline, base["dropout"])
    assert glyce["dropout"] == (0.3 if task == "ner" else 0.5)
