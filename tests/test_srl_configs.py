"""The SRL configs train one epoch on the CoNLL-2009 fixtures, evaluate, and predict through the real `allennlp predict`
command (`chinese_srl`: JSON and CoNLL-2009 output) (slow); they read the predicted syntax columns unless told
otherwise; the `k_order_srl` model's pruning, scorers and optional inputs."""
import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO

SRL = os.path.join(FIXTURES, "srl")
CONFIGS = ["k_order_pruning", "glyce_k_order_pruning"]
GLYPH_DIM = 64  # small glyph vectors keep the test fast (the config's default is 256)


def overrides_for(name):
    from allennlp.common import Params

    over = {"trainer.num_epochs": 1}
    if name.startswith("glyce"):
        params = Params.from_file(os.path.join(REPO, "training_configs", "srl", f"{name}.jsonnet"))
        glyce = params["model"]["model"]["text_field_embedder"]["token_embedders"]["glyce"]
        input_size = params["model"]["model"]["encoder"]["input_size"] - glyce["glyph_dim"] + GLYPH_DIM
        over.update({"model.model.text_field_embedder.token_embedders.glyce.glyph_dim": GLYPH_DIM,
                     "model.model.encoder.input_size": input_size})
    return over


@pytest.fixture(scope="module")
def trained(train_config):
    """name → serialization dir, trained once per session (1 epoch on the SRL fixtures)."""
    from training_support import environment

    data = ("srl/train.txt", "srl/dev.txt", "srl/test.txt")

    def get(name):
        with environment({"TRAIN_DATA_PATH": os.path.join(FIXTURES, data[0]),
                          "VALIDATION_DATA_PATH": os.path.join(FIXTURES, data[1])}):  # overrides_for reads the config
            overrides = overrides_for(name)
        return train_config(f"srl/{name}.jsonnet", data, overrides)

    return get


def allennlp_predict(archive, input_file, output, *extra):
    cmd = [os.path.join(os.path.dirname(sys.executable), "allennlp"), "predict", str(archive), str(input_file),
           "--include-package", "glyce_allennlp", "--predictor", "chinese_srl", "--output-file", str(output),
           "--silent", "--batch-size", "4", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return output.read_text(encoding="utf-8")


def load_predictor(run, **extra_args):
    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    return Predictor.from_archive(load_archive(str(run / "model.tar.gz")), "chinese_srl", extra_args=extra_args)


def check_json_predictions(text, gold_path):
    from glyce_allennlp.formats.conll2009 import read_conll2009
    from glyce_allennlp.formats.srl_pruning import k_order_candidates

    sentences = list(read_conll2009(gold_path))
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == len(sentences)  # one JSON line per sentence
    for number, (record, sentence) in enumerate(zip(records, sentences), start=1):
        assert record["sentence"] == number and record["words"] == sentence.words
        assert [p["id"] - 1 for p in record["predicates"]] == sentence.predicates
        heads = sentence.view("gold").heads
        for predicate in record["predicates"]:
            assert predicate["word"] == sentence.words[predicate["id"] - 1]
            assert "." in predicate["sense"]
            allowed = set(k_order_candidates(heads, predicate["id"] - 1, 3))  # the configs prune with k = 3
            for argument in predicate["arguments"]:
                assert argument["id"] - 1 in allowed and argument["role"] != "_"
                assert argument["word"] == sentence.words[argument["id"] - 1]
    return records


@pytest.mark.slow
@pytest.mark.parametrize("name", CONFIGS)
def test_config_trains_evaluates_and_predicts(name, trained, tmp_path):
    run = trained(name)
    metrics = json.loads((run / "metrics.json").read_text())
    for key in ("best_validation_sem_f1", "best_validation_arg_f1", "test_sem_f1", "test_arg_f1",
                "test_arg_precision", "test_arg_recall", "test_sense_accuracy"):
        assert 0.0 <= metrics[key] <= 1.0
    if name.startswith("glyce"):
        assert metrics["training_glyph_lambda"] == pytest.approx(0.1)
        assert metrics["training_glyph_aux_loss"] > 0

    # evaluate the archive on the test fixture
    from allennlp.data.data_loaders import SimpleDataLoader
    from allennlp.models.archival import load_archive
    from allennlp.training.util import evaluate

    archive = load_archive(str(run / "model.tar.gz"))
    assert archive.dataset_reader.pruning_k == 3
    test_instances = list(archive.validation_dataset_reader.read(os.path.join(SRL, "test.txt")))
    loader = SimpleDataLoader(test_instances, batch_size=8, vocab=archive.model.vocab)
    result = evaluate(archive.model, loader, cuda_device=-1)
    assert all(type(v) is float for k, v in result.items() if k != "loss")
    assert 0.0 <= result["sem_f1"] <= 1.0
    inner = getattr(archive.model, "model", archive.model)
    # the test file has 10 gold arguments, one with a role (EXT) never seen in training: all are counted
    archive.model.get_metrics(reset=True)
    archive.model.forward_on_instances(test_instances)
    assert inner._scorer.counts()["gold_arguments"] == 10 and inner._scorer.counts()["predicates"] == 4

    if name == "k_order_pruning":  # real CLI, JSON, on the SRL-only test file (no APRED columns, PRED "_")
        text = allennlp_predict(run / "model.tar.gz", os.path.join(SRL, "test_srl_only.txt"), tmp_path / "p.jsonl")
        check_json_predictions(text, os.path.join(SRL, "test_srl_only.txt"))
    else:  # real CLI, CoNLL-2009 output, on the annotated test file: what eval09.pl reads
        text = allennlp_predict(run / "model.tar.gz", os.path.join(SRL, "test.txt"), tmp_path / "p.txt",
                                "--predictor-args", json.dumps({"output_format": "conll2009"}))
        from glyce_allennlp.formats.conll2009 import read_conll2009

        gold = open(os.path.join(SRL, "test.txt"), encoding="utf-8").read()
        assert text.count("\n") == gold.count("\n")  # line for line (eval09.pl compares files line by line)
        system = list(read_conll2009(str(tmp_path / "p.txt")))
        for sys_sentence, gold_sentence in zip(system, read_conll2009(os.path.join(SRL, "test.txt"))):
            assert [r[:13] for r in sys_sentence.rows] == [r[:13] for r in gold_sentence.rows]
            assert sys_sentence.annotated and sys_sentence.predicates == gold_sentence.predicates
            assert all(sys_sentence.rows[p][13].startswith(sys_sentence.words[p] + ".")
                       for p in sys_sentence.predicates)


@pytest.mark.slow
def test_predictor_python_api(trained):
    run = trained("k_order_pruning")
    predictor = load_predictor(run)
    lines = open(os.path.join(SRL, "test.txt"), encoding="utf-8").read().split("\n")
    # as `allennlp predict` feeds it: every line, with its line break; the last line has none here
    items = [predictor.load_line(line + "\n") for line in lines[:-2]] + [predictor.load_line(lines[-2])]
    results = predictor.predict_batch_json(items[:5]) + predictor.predict_batch_json(items[5:])
    records = [r for r in results if r is not None]
    assert len(records) == 3  # the last sentence ends at the end of the file, without a blank line
    assert [r["sentence"] for r in records] == [1, 2, 3]
    assert predictor.dump_line(None) == ""
    # one sentence given as a block
    block = "\n".join(lines[:8])
    record = predictor.predict_json({"conll2009": block})
    assert record["words"][4] == "召开" and record["predicates"][0]["id"] == 5
    assert predictor.dump_line(record).endswith("}\n")
    # a sentence without predicates does not run the model
    empty = predictor.predict_json({"conll2009": "1\t消息\t消息\t消息\tNN\tNN\t_\t_\t0\t0\tROOT\tROOT\t_\t_"})
    assert empty["predicates"] == [] and empty["words"] == ["消息"]


@pytest.mark.slow
def test_predictor_rejects_malformed_input(trained):
    from glyce_allennlp.formats.io import ReaderError

    predictor = load_predictor(trained("k_order_pruning"))
    with pytest.raises(ReaderError, match=r"<input>:2: ID '3' out of sequence"):
        predictor.predict_batch_json([predictor.load_line(line) for line in (
            "1\t他\t他\t他\tPN\tPN\t_\t_\t0\t0\tROOT\tROOT\tY\t来.01\n",
            "3\t了\t了\t了\tAS\tAS\t_\t_\t1\t1\tAUX\tAUX\t_\t_\n", "\n")])


@pytest.mark.slow
def test_predictor_per_predicate_with_the_dataset_reader(trained):
    predictor = load_predictor(trained("k_order_pruning"))
    instance = list(predictor._dataset_reader.read(os.path.join(SRL, "test.txt")))[0]
    output = predictor.predict_instance(instance)
    assert output["predicate_index"] == 4 and len(output["roles"]) == 8 and output["sense"].startswith("召开.")


# ---------------------------------------------------------------------------------- which syntax columns are read
def file_pos_columns(path):
    """words → (POS column, PPOS column) of every sentence of a CoNLL-2009 file, read straight from the file."""
    sentences, rows = [], []
    for line in open(path, encoding="utf-8").read().splitlines() + [""]:
        if line.strip():
            rows.append(line.split("\t"))
        elif rows:
            sentences.append(rows)
            rows = []
    columns = {tuple(r[1] for r in rows): ([r[4] for r in rows], [r[5] for r in rows]) for rows in sentences}
    assert len(columns) == len(sentences)  # no two sentences with the same words
    return columns


def read_train_fixture(name, overrides):
    """(words, pos, candidates) of every instance the config's reader makes of the SRL training fixture."""
    from allennlp.common import Params
    from allennlp.data import DatasetReader

    params = Params.from_file(os.path.join(REPO, "training_configs", "srl", f"{name}.jsonnet"), json.dumps(overrides))
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    return [(tuple(i["metadata"]["words"]), i["metadata"]["pos"], i["metadata"]["candidates"])
            for i in reader.read(os.path.join(SRL, "train.txt"))]


@pytest.mark.parametrize("name", CONFIGS)
def test_srl_configs_read_the_predicted_syntax_columns_by_default(name, components, monkeypatch):
    """The CoNLL-2009 closed setting: POS from PPOS, pruning over PHEAD; gold POS/HEAD only on request
    (-o '{"dataset_reader.columns": "gold"}', or the lib's columns="gold"). The training fixture's predicted columns
    differ from the gold ones in a POS and in a head."""
    from config_support import evaluate_call, evaluate_config

    assert evaluate_config(f"srl/{name}")["dataset_reader"]["columns"] == "predicted"
    assert evaluate_call("srl/srl.libsonnet", "srl(glyce=false)")["dataset_reader"]["columns"] == "predicted"
    assert evaluate_call("srl/srl.libsonnet", 'srl(glyce=false, columns="gold")')["dataset_reader"]["columns"] == "gold"

    for var in ("TRAIN_DATA_PATH", "VALIDATION_DATA_PATH"):
        monkeypatch.setenv(var, "unused")
    columns = file_pos_columns(os.path.join(SRL, "train.txt"))
    predicted = read_train_fixture(name, {"dataset_reader.pruning_k": 1})  # k = 1: the head change shows
    gold = read_train_fixture(name, {"dataset_reader.pruning_k": 1, "dataset_reader.columns": "gold"})
    assert {words for words, _, _ in predicted} <= set(columns)  # (a sentence without predicates: no instance)
    assert all(pos == columns[words][1] for words, pos, _ in predicted)  # PPOS
    assert all(pos == columns[words][0] for words, pos, _ in gold)  # POS
    assert [pos for _, pos, _ in predicted] != [pos for _, pos, _ in gold]
    assert [c for _, _, c in predicted] != [c for _, _, c in gold]  # the pruning follows PHEAD, not HEAD


# ------------------------------------------------------------------------------------------------ the model itself
@pytest.fixture(scope="module")
def vocab_and_instances(components):
    from allennlp.data import Vocabulary

    from glyce_allennlp.dataset_readers.conll2009_srl import Conll2009SrlDatasetReader

    reader = Conll2009SrlDatasetReader(pruning_k=1)
    instances = list(reader.read(os.path.join(SRL, "train.txt")))
    return Vocabulary.from_instances(instances), instances


@pytest.mark.parametrize("variant", [
    {"scorer": "biaffine"},
    {"pos_embedding_dim": 0, "predicate_indicator_dim": 0, "predict_senses": False},
])
def test_model_variants_train_and_respect_the_pruning(variant, vocab_and_instances):
    import torch
    from allennlp.common import Params
    from allennlp.data import Batch
    from allennlp.models import Model

    vocab, instances = vocab_and_instances
    pos = variant.get("pos_embedding_dim", 8)
    indicator = variant.get("predicate_indicator_dim", 4)
    params = Params({"type": "k_order_srl",
                     "text_field_embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 8}}},
                     "encoder": {"type": "lstm", "input_size": 8 + pos + indicator, "hidden_size": 8,
                                 "bidirectional": True},
                     "pos_embedding_dim": pos, "predicate_indicator_dim": indicator, "mlp_hidden_dim": 8,
                     **{k: v for k, v in variant.items() if k not in ("pos_embedding_dim", "predicate_indicator_dim")}})
    model = Model.from_params(vocab=vocab, params=params)
    batch = Batch(instances)
    batch.index_instances(vocab)
    tensors = batch.as_tensor_dict()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(3):
        optimizer.zero_grad()
        output = model(**tensors)
        assert torch.isfinite(output["loss"])
        output["loss"].backward()
        optimizer.step()
    metrics = model.get_metrics(reset=True)
    assert ("sem_f1" in metrics) == variant.get("predict_senses", True)
    # non-candidates are never labelled; every gold argument is counted (36, one of them pruned at k = 1)
    model.eval()
    output = model(**tensors)
    for roles, meta in zip(output["predicted_roles"], tensors["metadata"]):
        assert all(role == "_" for i, role in enumerate(roles) if i not in meta["candidates"])
        assert all(role not in ("@@PADDING@@", "@@UNKNOWN@@") for role in roles)
    assert model._scorer.counts()["gold_arguments"] == 36
    if not variant.get("predict_senses", True):
        assert output["predicted_sense"] == [None] * len(instances)


def test_model_configuration_errors(vocab_and_instances):
    from allennlp.common import Params
    from allennlp.common.checks import ConfigurationError
    from allennlp.data import Vocabulary
    from allennlp.models import Model

    vocab, _ = vocab_and_instances

    def params(**extra):  # Params consumes its dicts: a fresh one each time
        return Params({"type": "k_order_srl",
                       "text_field_embedder": {"token_embedders": {"tokens": {"type": "embedding",
                                                                              "embedding_dim": 8}}},
                       "encoder": {"type": "lstm", "input_size": 8 + 16, "hidden_size": 8, "bidirectional": True},
                       **extra})

    assert Model.from_params(vocab=vocab, params=params())  # default: no POS, indicator 16
    with pytest.raises(ConfigurationError, match="encoder input size"):
        Model.from_params(vocab=vocab, params=params(pos_embedding_dim=4))
    with pytest.raises(ConfigurationError, match="scorer"):
        Model.from_params(vocab=vocab, params=params(scorer="crf"))
    with pytest.raises(ConfigurationError, match="no-role label"):
        Model.from_params(vocab=Vocabulary({"tokens": {"a": 1}}), params=params())
