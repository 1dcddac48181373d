"""The syntax configs train one epoch on the UD fixtures, evaluate, and predict through the real
`allennlp predict` command with one output record per input line: the biaffine parsers with the
`chinese_dependency_parser` predictor (JSON and, via --predictor-args, CoNLL-U), the UD char-level POS taggers with
`chinese_tagger`; and the raw-text pipeline (POS tagger output → parser)."""
import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO

UD = os.path.join(FIXTURES, "ud")
RAW_WORDS = os.path.join(UD, "raw_words.txt")
PARSERS = ["biaffine", "glyce_biaffine"]
TAGGERS = ["ud_bilstm_crf", "ud_glyce_bilstm_crf", "ud_glyce_bilstm_crf_fast"]
TASK = {**{name: "dependency" for name in PARSERS}, **{name: "pos" for name in TAGGERS}}


@pytest.fixture(scope="module")
def trained(train_config):
    """name → serialization dir, trained once per session (1 epoch on the UD fixtures)."""

    def get(name):
        return train_config(f"{TASK[name]}/{name}.jsonnet", ("ud/train.conllu", "ud/dev.conllu", "ud/test.conllu"),
                            {"trainer.num_epochs": 1})

    return get


def allennlp_predict(archive, input_file, output, predictor, *extra):
    cmd = [os.path.join(os.path.dirname(sys.executable), "allennlp"), "predict", str(archive), str(input_file),
           "--include-package", "glyce_allennlp", "--predictor", predictor, "--output-file", str(output), "--silent",
           "--batch-size", "2", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return output.read_text(encoding="utf-8")


def python_predict(run, predictor_name, lines, **extra_args):
    """What `allennlp predict` writes, through the Python API (the line → output path of the CLI)."""
    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    predictor = Predictor.from_archive(load_archive(str(run / "model.tar.gz")), predictor_name, extra_args=extra_args)
    results = predictor.predict_batch_json([predictor.load_line(line + "\n") for line in lines])
    return "".join(predictor.dump_line(r) for r in results)


def evaluate_archive(run, test_file):
    from allennlp.data.data_loaders import SimpleDataLoader
    from allennlp.models.archival import load_archive
    from allennlp.training.util import evaluate

    archive = load_archive(str(run / "model.tar.gz"))
    instances = list(archive.validation_dataset_reader.read(test_file))
    loader = SimpleDataLoader(instances, batch_size=16, vocab=archive.model.vocab)
    return evaluate(archive.model, loader, cuda_device=-1)


@pytest.mark.slow
@pytest.mark.parametrize("name", PARSERS)
def test_parser_config_trains_evaluates_and_predicts(name, trained, tmp_path):
    run = trained(name)
    metrics = json.loads((run / "metrics.json").read_text())
    for key in ("best_validation_UAS", "best_validation_LAS", "test_UAS", "test_LAS"):
        assert 0.0 <= metrics[key] <= 1.0
    if name.startswith("glyce"):
        assert metrics["training_glyph_lambda"] == pytest.approx(0.1)
        assert metrics["training_glyph_aux_loss"] > 0
    result = evaluate_archive(run, os.path.join(UD, "test.conllu"))
    assert 0.0 <= result["LAS"] <= result["UAS"] <= 1.0

    lines = open(RAW_WORDS, encoding="utf-8").read().splitlines()
    if name == "biaffine":  # the real CLI (glyce_biaffine goes through it in the CoNLL-U test below)
        output = allennlp_predict(run / "model.tar.gz", RAW_WORDS, tmp_path / "p.jsonl", "chinese_dependency_parser")
    else:
        output = python_predict(run, "chinese_dependency_parser", lines)
    predictions = [json.loads(line) for line in output.splitlines()]
    assert len(predictions) == len(lines)
    for line, prediction in zip(lines, predictions):
        tokens = line.split()
        assert prediction["text"] == line
        assert len(prediction["words"]) == len(prediction["pos"]) == len(prediction["heads"]) == \
               len(prediction["relations"]) == len(tokens)
        assert all(0 <= h <= len(tokens) for h in prediction["heads"])
        if tokens:
            assert prediction["heads"].count(0) >= 1
    assert predictions[1] == {"text": "", "words": [], "pos": [], "heads": [], "relations": []}
    assert predictions[2]["words"][0] == "李娜" and predictions[2]["pos"][:2] == ["PROPN", "VERB"]  # word_POS split
    assert predictions[0]["pos"] == ["_"] * 6  # no POS given


@pytest.mark.slow
def test_parser_conllu_output_via_predictor_args(trained, tmp_path):
    run = trained("glyce_biaffine")
    text = allennlp_predict(run / "model.tar.gz", RAW_WORDS, tmp_path / "p.conllu", "chinese_dependency_parser",
                            "--predictor-args", json.dumps({"output_format": "conllu"}))
    lines = open(RAW_WORDS, encoding="utf-8").read().splitlines()
    blocks = text.split("\n\n")
    assert blocks[-1] == ""
    blocks = blocks[:-1]
    assert len(blocks) == len(lines)  # one block per input line, empty lines included
    for k, (line, block) in enumerate(zip(lines, blocks), start=1):
        rows = block.split("\n")
        assert rows[0] == f"# sent_id = {k}" and rows[1] == "# text = " + " ".join(line.split())
        words = [r.split("\t") for r in rows[2:]]
        assert len(words) == len(line.split())
        for i, cols in enumerate(words, start=1):
            assert len(cols) == 10 and cols[0] == str(i) and 0 <= int(cols[6]) <= len(words)
    # the written file reads back with our own CoNLL-U reader (comment-only blocks are skipped)
    from glyce_allennlp.formats.conll import read_conll

    sentences = list(read_conll(str(tmp_path / "p.conllu")))
    assert len(sentences) == sum(1 for line in lines if line.strip())
    assert sentences[1].words[0] == "李娜" and sentences[1].upos[0] == "PROPN"


@pytest.mark.slow
@pytest.mark.parametrize("name", TAGGERS)
def test_ud_pos_tagger_config_trains_evaluates_and_predicts(name, trained, tmp_path):
    run = trained(name)
    metrics = json.loads((run / "metrics.json").read_text())
    assert 0.0 <= metrics["test_f1-measure-overall"] <= 1.0
    result = evaluate_archive(run, os.path.join(UD, "test.conllu"))
    assert 0.0 <= result["f1-measure-overall"] <= 1.0
    raw = os.path.join(FIXTURES, "raw.txt")
    lines = open(raw, encoding="utf-8").read().splitlines()
    if name.startswith("glyce") or name.startswith("ud_glyce"):  # the real CLI for one of the two (saves ~10 s)
        output = allennlp_predict(run / "model.tar.gz", raw, tmp_path / "pos.jsonl", "chinese_tagger")
    else:
        output = python_predict(run, "chinese_tagger", lines)
    predictions = [json.loads(line) for line in output.splitlines()]
    assert len(predictions) == len(lines)
    for line, prediction in zip(lines, predictions):
        assert prediction["text"] == line and "pos" in prediction
        assert "".join(prediction["words"]) == "".join(line.split())


@pytest.mark.slow
def test_raw_text_pipeline_pos_tagger_then_parser(trained):
    """Raw, unsegmented text → UD char-level POS tagger (joint segmentation + UPOS, `chinese_tagger`) → parser."""
    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    tagger = Predictor.from_archive(load_archive(str(trained("ud_bilstm_crf") / "model.tar.gz")), "chinese_tagger")
    parser = Predictor.from_archive(load_archive(str(trained("biaffine") / "model.tar.gz")),
                                    "chinese_dependency_parser")
    raw = ["張偉今天在北京工作。", "", "李娜是清華大學的老師。"]
    tagged = [tagger.dump_line(r) for r in tagger.predict_batch_json([tagger.load_line(line) for line in raw])]
    parsed = parser.predict_batch_json([parser.load_line(line) for line in tagged])
    assert len(parsed) == 3
    for line, record in zip(raw, parsed):
        assert record["text"] == line
        assert "".join(record["words"]) == line
        assert len(record["heads"]) == len(record["relations"]) == len(record["pos"]) == len(record["words"])
        assert all(p != "_" for p in record["pos"])  # the tagger's POS reached the parser
    assert parsed[1]["words"] == []


@pytest.mark.parametrize("name", ["bilstm_crf", "glyce_bilstm_crf"])
def test_existing_pos_configs_read_ud_with_a_dotted_override(name, components, monkeypatch):
    from allennlp.common import Params
    from allennlp.data import DatasetReader

    for var in ("TRAIN_DATA_PATH", "VALIDATION_DATA_PATH"):
        monkeypatch.setenv(var, "x")
    params = Params.from_file(os.path.join(REPO, "training_configs", "pos", f"{name}.jsonnet"),
                              params_overrides=json.dumps({"dataset_reader.type": "conll_char_pos"}))
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    assert type(reader).__name__ == "ConllCharPosDatasetReader"
    from glyce_allennlp.data.glyce_character_indexer import GlyceCharacterIndexer

    if name.startswith("glyce"):  # the config's own indexer was kept
        assert list(reader._token_indexers) == ["glyce"]
        assert isinstance(reader._token_indexers["glyce"], GlyceCharacterIndexer)
    else:
        assert list(reader._token_indexers) == ["tokens"]
    instance = next(iter(reader.read(os.path.join(UD, "train.conllu"))))
    assert instance["tags"].labels[0] == "B-PROPN"
