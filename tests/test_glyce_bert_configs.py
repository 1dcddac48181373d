"""Every Glyce-BERT / BERT config (training_configs/{ner,classification,pair}/{glyce_,}bert*) trains one epoch on the
fixtures with a tiny random BERT (64 positions), evaluates, and predicts raw text with the `allennlp predict` command
(run in-process) and the existing predictors: one JSON line per input line, in order, also for lines longer than
BERT's positions (tagging: overlapping windows, every character tagged; classification/pairs: truncated)."""
import json
import math
import os
import sys

import pytest

from conftest import FIXTURES, REPO
from glyce_bert_support import MAX_POSITIONS, bert_env, bert_vars, overrides, tiny_bert  # noqa: F401 (fixtures)

TASKS = {
    "ner": ("ner/train.bmes", "ner/dev.bmes", "ner/test.bmes", "raw.txt", "chinese_tagger", "tagger"),
    "classification": ("classification/train.tsv", "classification/dev.tsv", "classification/test.tsv",
                       "classification/raw.txt", "chinese_text_classifier", "classifier"),
    "pair": ("pair/train.txt", "pair/dev.txt", "pair/test.txt", "pair/raw.txt", "chinese_pair_classifier",
             "classifier"),
}
CONFIGS = [("ner", "bert_crf"), ("ner", "glyce_bert_crf"), ("classification", "bert"),
           ("classification", "glyce_bert"), ("pair", "bert"), ("pair", "glyce_bert")]
LONG = ("王鑫在上海参观了人民日报，中国银行和新华社签署了合作协议。2019年张伟用iPhone拍了3张照片。" * 5)
EXTRA_LINES = {  # appended to the raw fixture: longer than the tiny BERT's 64 positions
    "ner": [LONG, "张伟 用 iPhone12 在 北京\u200b拍照"],
    "classification": [LONG],
    "pair": [LONG + "\t" + LONG[:30], "好\t" + LONG],
}


def _expected_error(task, line):
    """Whether the classifier predictors answer this raw line with an `error` (and no model call)."""
    if task == "classification":
        return not line.strip()
    parts = line.split("\t")
    return len(parts) != 2 or not parts[0].strip() or not parts[1].strip()


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.slow
@pytest.mark.parametrize("task,name", CONFIGS)
def test_config_trains_evaluates_and_predicts(task, name, bert_vars, train_config, tmp_path, monkeypatch):
    from allennlp.commands import main as allennlp_main
    from allennlp.data.data_loaders import SimpleDataLoader
    from allennlp.models.archival import load_archive
    from allennlp.training.util import evaluate

    train, dev, test, raw, predictor, kind = TASKS[task]
    glyce = name.startswith("glyce")
    run = train_config(f"{task}/{name}.jsonnet", (train, dev, test), overrides(kind, glyce), env=bert_env(bert_vars))
    metrics = json.loads((run / "metrics.json").read_text())
    metric = "f1-measure-overall" if kind == "tagger" else "accuracy"
    assert f"best_validation_{metric}" in metrics and f"test_{metric}" in metrics
    assert all(not isinstance(v, float) or v == v for v in metrics.values())  # no NaN
    if glyce:  # epoch 0 is the BERT stage of the staged training: λ of the glyph loss starts with the glyph stage
        assert metrics["training_glyph_lambda"] == 0.0
        assert metrics["training_glyph_aux_loss"] > 0
    config_json = json.loads((run / "config.json").read_text())
    assert bert_vars in json.dumps(config_json)  # BERT_MODEL reached the config

    archive = load_archive(str(run / "model.tar.gz"))
    instances = list(archive.validation_dataset_reader.read(os.path.join(FIXTURES, test)))
    result = evaluate(archive.model, SimpleDataLoader(instances, 16, vocab=archive.model.vocab), cuda_device=-1)
    assert 0.0 <= result[metric] <= 1.0

    with open(os.path.join(FIXTURES, raw), encoding="utf-8") as f:
        lines = f.read().splitlines() + EXTRA_LINES[task]
    raw_file = tmp_path / "raw.txt"
    raw_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = tmp_path / "predictions.jsonl"
    # the `allennlp predict` command, run in this process (saves the CLI's ~5-10 s of imports per config)
    monkeypatch.setattr(sys, "argv", ["allennlp", "predict", str(run / "model.tar.gz"), str(raw_file),
                                      "--include-package", "glyce_allennlp", "--predictor", predictor,
                                      "--output-file", str(output), "--silent", "--batch-size", "3"])
    allennlp_main(prog="allennlp")
    predictions = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(predictions) == len(lines)
    labels = set(archive.model.vocab.get_token_to_index_vocabulary("labels"))
    for line, prediction in zip(lines, predictions):
        assert prediction["text"] == line  # in order
        if kind == "tagger":
            assert len(prediction["tags"]) == sum(1 for c in line if not c.isspace())
            assert set(prediction["tags"]) <= labels and "entities" in prediction
        elif _expected_error(task, line):
            assert prediction["error"] and prediction["label"] is None
        else:
            assert "error" not in prediction
            assert set(prediction["probs"]) == labels and prediction["label"] in labels
            assert all(math.isfinite(p) for p in prediction["probs"].values())
            assert sum(prediction["probs"].values()) == pytest.approx(1.0, abs=1e-4)
    assert any(len(line) > MAX_POSITIONS for line in lines)
    assert any(not line.strip() for line in lines), "raw fixture must contain an empty line"


def test_bert_dim_comes_from_the_bert_folder(tiny_bert, monkeypatch, components):
    """BERT_DIM defaults to $BERT_MODEL/config.json's hidden_size; a config without it stops with a clear message."""
    import glyce_allennlp
    from allennlp.common import Params

    monkeypatch.setenv("BERT_MODEL", tiny_bert)
    monkeypatch.delenv("BERT_DIM", raising=False)
    assert glyce_allennlp._bert_dim() == "32"
    monkeypatch.setenv("BERT_MODEL", os.path.join(tiny_bert, "missing"))
    assert glyce_allennlp._bert_dim() == ""
    monkeypatch.setenv("BERT_DIM", "")
    for var in ("TRAIN_DATA_PATH", "VALIDATION_DATA_PATH"):
        monkeypatch.setenv(var, "x")
    with pytest.raises(Exception, match="BERT_DIM is empty"):
        Params.from_file(os.path.join(REPO, "training_configs", "ner", "glyce_bert_crf.jsonnet")).as_dict()


GLYCE_BERT_CONFIGS = ["ner/glyce_bert_crf", "classification/glyce_bert", "pair/glyce_bert"]


@pytest.mark.parametrize("config", GLYCE_BERT_CONFIGS)
def test_glyph_layer_normalised_with_dropout_and_lambda_from_the_glyph_stage(config, components):
    """The glyph vectors (+ positions) are layer-normalised with the model's dropout before they meet BERT's; with
    staged training, λ of the glyph loss starts (at λ0) when the glyph side starts to train. Built here by AllenNLP
    from the config's own parameters."""
    from allennlp.common import Params
    from allennlp.data import Vocabulary
    from allennlp.modules.token_embedders import TokenEmbedder
    from allennlp.training.callbacks import TrainerCallback

    from config_support import evaluate_config, inner_model

    result = evaluate_config(config)
    model = inner_model(result)
    glyph = model["text_field_embedder"]["token_embedders"]["glyph"]
    assert glyph["output_layer_norm"] is True and glyph["output_dropout"] == model["dropout"] > 0
    embedder = TokenEmbedder.from_params(vocab=Vocabulary(), params=Params(dict(glyph, glyph_dim=64)))
    assert embedder.output_layer_norm is not None
    callbacks = {c["type"]: c for c in result["trainer"]["callbacks"]}
    assert list(callbacks) == ["glyce_aux_lambda", "glyce_bert_stages"]
    assert callbacks["glyce_aux_lambda"]["start_epoch"] == callbacks["glyce_bert_stages"]["bert_epochs"] > 0
    callback = TrainerCallback.from_params(Params(dict(callbacks["glyce_aux_lambda"])), serialization_dir="unused")
    assert callback.start_epoch == callbacks["glyce_bert_stages"]["bert_epochs"]


def test_joint_training_starts_lambda_at_the_first_epoch():
    from config_support import evaluate_call, inner_model

    for task, extra in (("tagging", ', encoding="BIOUL"'), ("classification", "")):
        result = evaluate_call("glyce_bert.libsonnet", f'glyce_bert(glyce=true, task="{task}", reader={{type: "x"}}'
                                                       f'{extra}, stages=false, dropout=0.2)')
        assert result["trainer"]["callbacks"] == [{"type": "glyce_aux_lambda"}]
        glyph = inner_model(result)["text_field_embedder"]["token_embedders"]["glyph"]
        assert glyph["output_dropout"] == 0.2
