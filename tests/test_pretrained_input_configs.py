"""The configs with pretrained inputs (training_configs/pretrained_inputs.libsonnet: pretrained character vectors,
character-bigram vectors, SoftLexicon): each trains one epoch on the fixtures with the fixture vectors and predicts raw
text through the real `allennlp predict` command with one output line per input line, without the vector files;
baseline and Glyce start from the same pretrained rows; an empty variable is an error that names it."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from config_support import CONFIG_DIR, VECTOR_ENV, evaluate_config
from conftest import FIXTURES

TAGGING = {"ner": ("ner/train.bmes", "ner/dev.bmes", "ner/test.bmes"),
           "cws": ("cws/train.txt", "cws/dev.txt", "cws/test.txt"),
           "pos": ("ud/train.conllu", "ud/dev.conllu", "ud/test.conllu")}
SENTENCES = {"classification": ("classification/train.tsv", "classification/dev.tsv", "classification/test.tsv"),
             "pair": ("pair/train.txt", "pair/dev.txt", "pair/test.txt")}
RAW = {"classification": ("classification/raw.txt", "chinese_text_classifier"),
       "pair": ("pair/raw.txt", "chinese_pair_classifier")}
# every config that reads a pretrained input (those with the pretrained glyph encoder as well: in
# test_pretrained_glyph_configs.py)
CONFIGS = sorted(f"{task}/{name[:-len('.jsonnet')]}" for task in os.listdir(CONFIG_DIR)
                 if os.path.isdir(os.path.join(CONFIG_DIR, task))
                 for name in os.listdir(os.path.join(CONFIG_DIR, task))
                 if any(rung in name for rung in ("pretrained_char", "char_bigram", "softlexicon"))
                 and "_pretrained_glyph" not in name)


def data_of(config):
    task = config.split("/")[0]
    return TAGGING.get(task) or SENTENCES[task]


def test_every_rung_has_its_baseline_and_glyce_configs():
    expected = {f"{task}/{glyce}{rung}_bilstm_crf" for task in ("ner", "cws")
                for rung in ("pretrained_char", "char_bigram", "softlexicon") for glyce in ("", "glyce_")}
    expected |= {f"pos/ud_{glyce}{rung}_bilstm_crf" for rung in ("pretrained_char", "char_bigram")
                 for glyce in ("", "glyce_")}
    expected |= {"classification/pretrained_char_bilstm", "classification/glyce_pretrained_char_bilstm",
                 "pair/pretrained_char_bimpm", "pair/glyce_pretrained_char_bimpm"}
    assert set(CONFIGS) == expected


@pytest.mark.parametrize("variable,config", [("CHAR_VECTORS", "ner/pretrained_char_bilstm_crf"),
                                             ("BIGRAM_VECTORS", "cws/glyce_char_bigram_bilstm_crf"),
                                             ("LEXICON_FILE", "ner/softlexicon_bilstm_crf"),
                                             ("WORD_VECTORS", "ner/glyce_softlexicon_bilstm_crf"),
                                             ("CHAR_VECTORS", "classification/pretrained_char_bilstm"),
                                             ("CHAR_VECTORS", "pair/glyce_pretrained_char_bimpm")])
def test_an_empty_input_variable_is_an_error_naming_it(variable, config):
    with pytest.raises(RuntimeError, match=f"{variable} is empty: set it to the file this config reads"):
        evaluate_config(config, **{variable: ""})


@pytest.mark.parametrize("value,message", [("", "CHAR_DIM is empty: the size of the vectors in \\$CHAR_VECTORS"),
                                           ("8d", "CHAR_DIM must be the vector size .* got '8d'")])
def test_an_unusable_vector_size_is_an_error_naming_its_variable(value, message):
    with pytest.raises(RuntimeError, match=message):
        evaluate_config("ner/char_bigram_bilstm_crf", CHAR_DIM=value)


def test_vector_sizes_are_read_from_the_vector_files(monkeypatch):
    """Unset, CHAR_DIM / BIGRAM_DIM / WORD_DIM become the sizes in the files' first lines (a header "count dim", or
    the fields of the first vector)."""
    import glyce_allennlp

    headerless = os.path.join(FIXTURES, "vectors", "chars.vec")
    assert glyce_allennlp.vector_dim(headerless) == "8"
    assert glyce_allennlp.vector_dim(os.path.join(FIXTURES, "vectors", "bigrams.vec.gz")) == "4"
    assert glyce_allennlp.vector_dim(os.path.join(FIXTURES, "vectors", "absent.vec")) == ""
    for name in ("CHAR", "BIGRAM", "WORD"):
        monkeypatch.setenv(f"{name}_VECTORS", VECTOR_ENV[f"{name}_VECTORS"])
        monkeypatch.delenv(f"{name}_DIM", raising=False)
    monkeypatch.setenv("WORD_DIM", "7")  # a value given is kept
    glyce_allennlp._set_vector_dims()
    assert (os.environ["CHAR_DIM"], os.environ["BIGRAM_DIM"], os.environ["WORD_DIM"]) == ("8", "4", "7")


@pytest.mark.parametrize("config", ["ner/softlexicon_bilstm_crf", "classification/pretrained_char_bilstm"])
def test_baseline_and_glyce_start_from_the_same_pretrained_rows(config, monkeypatch, components):
    """Every row of a pretrained token in the character, bigram and word embeddings is the file's vector, in both
    models; the other rows come from the same distribution (the vectors' mean and standard deviation)."""
    import gzip

    import numpy
    from allennlp.common import Params
    from allennlp.data import DatasetReader, Vocabulary
    from allennlp.models import Model

    from glyce_allennlp.models.glyce_aux_loss import unwrap_model
    from glyce_allennlp.vectors.lexicon import Lexicon

    task, name = config.split("/")
    train, dev, _ = (os.path.join(FIXTURES, p) for p in data_of(config))
    for key, value in {**VECTOR_ENV, "TRAIN_DATA_PATH": train, "VALIDATION_DATA_PATH": dev,
                       "TEST_DATA_PATH": ""}.items():
        monkeypatch.setenv(key, value)

    def vectors(path):
        with (gzip.open if path.endswith(".gz") else open)(path, "rt", encoding="utf-8") as handle:
            rows = [line.split() for line in handle][1:]
        return {row[0]: numpy.array([float(x) for x in row[1:]]) for row in rows}

    models = []
    for one in (config, f"{task}/glyce_{name}"):
        params = Params.from_file(os.path.join(CONFIG_DIR, f"{one}.jsonnet"))
        reader = DatasetReader.from_params(params.pop("dataset_reader"))
        vocab = Vocabulary.from_params(params.pop("vocabulary"), instances=list(reader.read(train)))
        model = unwrap_model(Model.from_params(vocab=vocab, params=params.pop("model")))
        embedder = getattr(model, "text_field_embedder", None) or model._text_field_embedder  # (basic_classifier)
        models.append({"vocab": vocab, **{part: getattr(embedder, f"token_embedder_{part}")
                                          for part in ("tokens", "bigrams", "lexicon")
                                          if hasattr(embedder, f"token_embedder_{part}")}})
    base, glyce = models
    assert set(base) == set(glyce) and "tokens" in base
    chars = vectors(VECTOR_ENV["CHAR_VECTORS"])
    for char, vector in chars.items():
        for model in models:
            index = model["vocab"].get_token_index(char, "tokens")
            assert index > 1, char  # every character of the file is in the vocabulary, trained on or not
            numpy.testing.assert_allclose(model["tokens"].weight[index].detach().numpy(), vector, atol=1e-6)
    if "bigrams" in base:
        for bigram, vector in vectors(VECTOR_ENV["BIGRAM_VECTORS"]).items():
            for model in models:
                index = model["vocab"].get_token_index(bigram, "char_bigrams")
                assert index > 1, bigram
                numpy.testing.assert_allclose(model["bigrams"].weight[index].detach().numpy(), vector, atol=1e-6)
    if "lexicon" in base:
        word_vectors = vectors(VECTOR_ENV["WORD_VECTORS"])
        for row, word in enumerate(Lexicon.read(VECTOR_ENV["LEXICON_FILE"]).words, start=2):
            if word in word_vectors:
                for model in models:
                    numpy.testing.assert_allclose(model["lexicon"].embedding.weight[row].detach().numpy(),
                                                  word_vectors[word], atol=1e-6)
    # the training characters without a vector: drawn alike in both models
    unknown = [i for t, i in base["vocab"].get_token_to_index_vocabulary("tokens").items() if t not in chars and i > 1]
    stds = [model["tokens"].weight[unknown].std().item() for model in models]
    assert len(unknown) > 5 and stds[0] == pytest.approx(stds[1], rel=0.3)


@pytest.fixture(scope="module")
def vector_copies(tmp_path_factory):
    """The environment of the configs with the fixture vector files copied into a folder of their own (moved away
    while an archive predicts); the lexicon file stays in fixtures/ (a trained model reads it again)."""
    folder = tmp_path_factory.mktemp("vectors")
    env = dict(VECTOR_ENV)
    for variable in ("CHAR_VECTORS", "BIGRAM_VECTORS", "WORD_VECTORS"):
        env[variable] = str(shutil.copy(VECTOR_ENV[variable], folder))
    return folder, env


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIGS)
def test_config_trains_and_predicts_one_line_per_input_line_without_the_vector_files(config, train_config,
                                                                                      vector_copies, tmp_path):
    from allennlp.models.archival import load_archive

    folder, env = vector_copies
    overrides = {"trainer.num_epochs": 1}
    if config.startswith(("classification/", "pair/")):
        overrides["data_loader.batch_sampler.batch_size"] = 32
    run = train_config(f"{config}.jsonnet", data_of(config), overrides, env=env)
    metrics = json.loads((run / "metrics.json").read_text())
    assert all(not isinstance(v, float) or v == v for v in metrics.values())  # no NaN
    assert ("training_glyph_aux_loss" in metrics) == ("glyce_" in config)
    saved = json.loads((run / "config.json").read_text())
    assert saved["vocabulary"]["pretrained_files"]["tokens"] == env["CHAR_VECTORS"]

    task = config.split("/")[0]
    raw, predictor = RAW.get(task, ("raw.txt", "chinese_tagger"))
    raw = os.path.join(FIXTURES, raw)
    output = tmp_path / "predictions.jsonl"
    away = folder.with_name(folder.name + "-away")
    folder.rename(away)  # the archive needs none of the vector files: they live in its weights
    try:
        load_archive(str(run / "model.tar.gz"))
        cmd = [os.path.join(os.path.dirname(sys.executable), "allennlp"), "predict", str(run / "model.tar.gz"), raw,
               "--include-package", "glyce_allennlp", "--predictor", predictor, "--output-file", str(output),
               "--silent", "--batch-size", "3"]
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env={k: v for k, v in os.environ.items() if k not in VECTOR_ENV})
    finally:
        away.rename(folder)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = open(raw, encoding="utf-8").read().splitlines()
    predictions = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(predictions) == len(lines) > 0
    if predictor == "chinese_tagger":
        for line, prediction in zip(lines, predictions):
            assert prediction["text"] == line
            assert len(prediction["tags"]) == sum(1 for c in line if not c.isspace())
