"""Every tagging config trains one epoch on the fixtures, evaluates, and predicts raw text through the real
`allennlp predict` command with one output line per input line (slow). Structural checks of every config under
training_configs/, evaluated to JSON without training: encoder input sizes = the sum of the embedders' output sizes,
seeds, data and test paths, the Glyce wrapper and λ callback, trainer.cuda_device from CUDA_DEVICE; baseline and Glyce
taggers share the char-ID initialisation and dropout."""
import json
import os
import subprocess
import sys

import pytest

from config_support import ALL_CONFIGS, ENV, VECTOR_ENV, evaluate_call, evaluate_config, inner_model
from conftest import FIXTURES, REPO

DATA = {
    "ner": ("ner/train.bmes", "ner/dev.bmes", "ner/test.bmes"),
    "cws": ("cws/train.txt", "cws/dev.txt", "cws/test.txt"),
    "pos": ("pos/train.txt", "pos/dev.txt", "pos/test.txt"),
}
CONFIGS = [(task, name) for task in DATA for name in ("bilstm_crf", "glyce_bilstm_crf")]
CONFIGS.append(("ner", "glyce_bilstm_crf_fast"))


def set_data_env(monkeypatch, task):
    """The data of ``task`` and the fixture vectors of the configs with pretrained inputs, in the environment."""
    for name, value in VECTOR_ENV.items():
        monkeypatch.setenv(name, value)
    train, dev, test = (os.path.join(FIXTURES, p) for p in DATA[task])
    monkeypatch.setenv("TRAIN_DATA_PATH", train)
    monkeypatch.setenv("VALIDATION_DATA_PATH", dev)
    monkeypatch.setenv("TEST_DATA_PATH", test)
    return test


@pytest.mark.slow
@pytest.mark.parametrize("task,name", CONFIGS)
def test_config_trains_evaluates_and_predicts(task, name, tmp_path, train_config):
    from allennlp.models.archival import load_archive
    from allennlp.training.util import evaluate
    from allennlp.data.data_loaders import SimpleDataLoader

    test_path = os.path.join(FIXTURES, DATA[task][2])
    serialization_dir = train_config(f"{task}/{name}.jsonnet", DATA[task], {"trainer.num_epochs": 1})
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


@pytest.mark.slow
def test_unseen_character_gets_nonzero_glyph_vector_at_predict_time(train_config):
    import torch
    from allennlp.models.archival import load_archive

    from glyce_allennlp.models.glyce_aux_loss import unwrap_model

    # the same run as test_config_trains_evaluates_and_predicts[cws-glyce_bilstm_crf]
    run = train_config("cws/glyce_bilstm_crf.jsonnet", DATA["cws"], {"trainer.num_epochs": 1})
    model = load_archive(str(run / "model.tar.gz")).model
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
    baseline = name.replace("glyce_", "").split("_fast")[0].split("_pretrained_glyph")[0]

    def tagger(config):
        model = Params.from_file(os.path.join(REPO, "training_configs", task, f"{config}.jsonnet")).as_dict()["model"]
        return model["model"] if model["type"] == "glyce_aux_loss" else model

    glyce, base = tagger(name), tagger(baseline)
    assert glyce["dropout"] == base["dropout"], (name, glyce["dropout"], baseline, base["dropout"])
    assert glyce["dropout"] == (0.3 if task == "ner" else 0.5)


# the pairs of configs with pretrained inputs: (baseline, its Glyce config)
PRETRAINED_PAIRS = sorted(
    (config, config.replace("/ud_", "/ud_glyce_") if "/ud_" in config else config.replace("/", "/glyce_"))
    for config in ALL_CONFIGS if any(rung in config for rung in ("pretrained_char", "char_bigram", "softlexicon"))
    and "glyce_" not in config)
# the settings that follow the embedded size (the glyph vector widens the first layers' input)
_INPUT_SIZES = {"glyce_crf_tagger": [("encoder", "input_size")],
                "basic_classifier": [("seq2vec_encoder", "input_size"), ("seq2vec_encoder", "embedding_dim")],
                "bimpm_f1": [("matcher_word", "hidden_dim"), ("encoder1", "input_size")]}


def without_glyph(config):
    """``config`` without what only a Glyce config has: the glyce indexer and embedder, the aux-loss wrapper and λ
    callback, and the input sizes that follow the embedded size."""
    config = json.loads(json.dumps(config))
    config["model"] = inner_model(config)
    config["dataset_reader"]["token_indexers"].pop("glyce", None)
    config["model"]["text_field_embedder"]["token_embedders"].pop("glyce", None)
    config["trainer"]["callbacks"] = [c for c in config["trainer"]["callbacks"] if c["type"] != "glyce_aux_lambda"]
    for layer, key in _INPUT_SIZES[config["model"]["type"]]:
        config["model"][layer].pop(key, None)
    return config


def test_every_config_with_pretrained_inputs_has_its_glyce_pair():
    assert len(PRETRAINED_PAIRS) == 10
    for baseline, glyce in PRETRAINED_PAIRS:
        assert glyce in ALL_CONFIGS, (baseline, glyce)


@pytest.mark.parametrize("baseline,glyce", PRETRAINED_PAIRS)
def test_baseline_and_glyce_with_pretrained_inputs_share_every_non_glyph_setting(baseline, glyce):
    """With pretrained inputs the Δ must be the glyph alone: the Glyce config = its baseline (every indexer, embedder,
    vector file, vocabulary, layer, initialiser, data loader, trainer setting) + the glyph-only glyce embedder (no
    char-ID part of its own) + the auxiliary glyph loss."""
    base_config, glyce_config = evaluate_config(baseline), evaluate_config(glyce)
    assert without_glyph(glyce_config) == without_glyph(base_config)
    embedders = inner_model(glyce_config)["text_field_embedder"]["token_embedders"]
    assert embedders["glyce"]["char_id_dim"] == 0 and embedders["tokens"]["pretrained_file"] == ENV["CHAR_VECTORS"]
    assert glyce_config["dataset_reader"]["token_indexers"]["glyce"]["type"] == "glyce_characters"
    assert glyce_config["model"]["type"] == "glyce_aux_loss" and base_config["model"]["type"] != "glyce_aux_loss"


# the configs with the pretrained glyph encoder: "<Glyce config>_pretrained_glyph" (frozen) and "..._finetuned"
PRETRAINED_GLYPH = sorted(config for config in ALL_CONFIGS if "_pretrained_glyph" in config)
FROZEN_GLYPH = [config for config in PRETRAINED_GLYPH if config.endswith("_pretrained_glyph")]


def glyph_source(config):
    """The from-scratch Glyce config that a ``*_pretrained_glyph[_finetuned]`` config starts from."""
    return config.split("_pretrained_glyph")[0]


def baseline_of(glyce_config):
    """The baseline of a Glyce config: ``ner/glyce_softlexicon_bilstm_crf`` → ``ner/softlexicon_bilstm_crf``,
    ``pos/ud_glyce_bilstm_crf_pretrained_glyph`` → ``pos/ud_bilstm_crf``, ``ner/glyce_bilstm_crf_fast_pretrained_glyph``
    → ``ner/bilstm_crf``."""
    return glyph_source(glyce_config).replace("glyce_", "", 1).replace("_fast", "")


def test_the_pretrained_glyph_configs_cover_every_glyph_comparison_of_the_benchmarks():
    frozen_rungs = {"ner/glyce_pretrained_char_bilstm_crf", "ner/glyce_char_bigram_bilstm_crf",
                    "ner/glyce_softlexicon_bilstm_crf",
                    "cws/glyce_pretrained_char_bilstm_crf", "cws/glyce_char_bigram_bilstm_crf",
                    "pos/ud_glyce_char_bigram_bilstm_crf", "classification/glyce_pretrained_char_bilstm",
                    "pair/glyce_pretrained_char_bimpm", "ner/glyce_bilstm_crf_fast",
                    "classification/glyce_bilstm_fast"}
    char_id = {"ner/glyce_bilstm_crf", "cws/glyce_bilstm_crf", "pos/ud_glyce_bilstm_crf", "classification/glyce_bilstm",
               "pair/glyce_bimpm"}
    assert set(FROZEN_GLYPH) == {f"{c}_pretrained_glyph" for c in frozen_rungs | char_id}
    pretrained_chars = {"ner/glyce_pretrained_char_bilstm_crf", "cws/glyce_pretrained_char_bilstm_crf",
                        "classification/glyce_pretrained_char_bilstm", "pair/glyce_pretrained_char_bimpm"}
    bigrams = {"ner/glyce_char_bigram_bilstm_crf", "cws/glyce_char_bigram_bilstm_crf",
               "pos/ud_glyce_char_bigram_bilstm_crf"}
    softlexicon = {"ner/glyce_softlexicon_bilstm_crf"}
    assert set(PRETRAINED_GLYPH) - set(FROZEN_GLYPH) == {f"{c}_pretrained_glyph_finetuned"
                                                         for c in char_id | pretrained_chars | bigrams | softlexicon}
    for config in PRETRAINED_GLYPH:
        assert glyph_source(config) in ALL_CONFIGS and baseline_of(config) in ALL_CONFIGS, config


@pytest.mark.parametrize("config", PRETRAINED_GLYPH)
def test_a_pretrained_glyph_config_is_its_glyce_config_with_the_shipped_encoder(config):
    """``X_pretrained_glyph`` = Glyce config X with ``glyph_encoder: {pretrained: "default", freeze: true}`` on its
    glyce embedder and without the auxiliary glyph loss (wrapper and λ callback), which a frozen CNN leaves nothing to
    train; ``X_pretrained_glyph_finetuned`` = X with ``freeze: false`` (the auxiliary loss kept). Nothing else
    differs."""
    frozen = config in FROZEN_GLYPH
    expected = evaluate_config(glyph_source(config))
    if frozen:
        expected["model"] = inner_model(expected)
        expected["trainer"]["callbacks"] = [c for c in expected["trainer"]["callbacks"]
                                            if c["type"] != "glyce_aux_lambda"]
    inner_model(expected)["text_field_embedder"]["token_embedders"]["glyce"]["glyph_encoder"] = {
        "pretrained": "default", "freeze": frozen}
    assert evaluate_config(config) == expected


def char_id_as_embedding(config):
    """A char-ID Glyce config whose glyce embedder holds the char-ID embedding (char-ID taggers; the fast layout)
    with that char-ID part written the way its baseline writes it (a ``single_id`` indexer, the config's own "tokens"
    indexer if it has one, and an ``embedding`` of ``char_id_dim``, N(0, 1) by an initializer when ``char_id_init`` is
    ``"normal"``) and the glyph part left out."""
    config = json.loads(json.dumps(config))
    model = config["model"]
    glyce = model["text_field_embedder"]["token_embedders"].pop("glyce")
    indexers = config["dataset_reader"]["token_indexers"]
    config["dataset_reader"]["token_indexers"] = {"tokens": indexers.get("tokens", {"type": "single_id"})}
    model["text_field_embedder"]["token_embedders"]["tokens"] = {"type": "embedding",
                                                                 "embedding_dim": glyce["char_id_dim"]}
    if glyce["char_id_init"] == "normal":
        model["initializer"] = {"regexes": [["text_field_embedder.token_embedder_tokens.weight",
                                             {"type": "normal", "mean": 0, "std": 1}]]}
    return config


@pytest.mark.parametrize("config", FROZEN_GLYPH)
def test_a_frozen_glyce_config_has_exactly_its_baselines_non_glyph_inputs(config):
    """With the frozen encoder the Δ must be the glyph alone: the config = its baseline (every indexer, embedder,
    vector file, vocabulary, layer, initialiser, data loader, trainer setting) + the frozen glyph vector, with no
    auxiliary loss. A char-ID tagger's glyce embedder holds the char-ID embedding itself: its size and start must be
    the baseline's (a fast-layout classifier keeps the "tokens" indexer, with an ``empty`` embedder)."""
    glyce, base = evaluate_config(config), evaluate_config(baseline_of(config))
    assert glyce["model"]["type"] != "glyce_aux_loss" and glyce["trainer"]["callbacks"] == []
    embedders = glyce["model"]["text_field_embedder"]["token_embedders"]
    assert embedders["glyce"]["glyph_encoder"] == {"pretrained": "default", "freeze": True}
    if embedders.get("tokens", {"type": "empty"})["type"] == "empty":  # the glyce embedder holds the char-ID part
        glyce = char_id_as_embedding(glyce)
    assert without_glyph(glyce) == without_glyph(base)


# ------------------------------------------------------------------------------ structure of every config (no training)
def embedded_size(model, bert_dim):
    """Output size of the model's text_field_embedder, from the token embedders AllenNLP builds from the config
    (a pretrained_transformer* embedder needs a real BERT: its size is ``bert_dim``, what BERT_DIM says)."""
    from allennlp.common import Params
    from allennlp.data import Vocabulary
    from allennlp.modules.token_embedders import TokenEmbedder

    total = 0
    for embedder in model["text_field_embedder"]["token_embedders"].values():
        if embedder["type"].startswith("pretrained_transformer"):
            total += bert_dim
        else:
            if embedder["type"] == "embedding":  # its pretrained vectors need a vocabulary; its size is embedding_dim
                embedder = {k: v for k, v in embedder.items() if k != "pretrained_file"}
            total += TokenEmbedder.from_params(vocab=Vocabulary(), params=Params(dict(embedder))).get_output_dim()
    return total


def encoder_inputs(model, embedded):
    """(layer, its declared input size, the size it receives) of every layer that reads the embedded tokens."""
    kind = model["type"]
    if kind in ("crf_tagger", "glyce_crf_tagger"):
        encoder = model["encoder"]
        return [("encoder", encoder.get("input_size", encoder.get("input_dim")), embedded)]
    if kind == "basic_classifier":
        layers = []
        if "seq2seq_encoder" in model:  # pytorch_transformer: output size = input size
            layers.append(("seq2seq_encoder", model["seq2seq_encoder"]["input_dim"], embedded))
        seq2vec = model["seq2vec_encoder"]
        return layers + [("seq2vec_encoder", seq2vec.get("input_size", seq2vec.get("embedding_dim")), embedded)]
    if kind == "bimpm_f1":
        return [("encoder1", model["encoder1"]["input_size"], embedded),
                ("matcher_word", model["matcher_word"]["hidden_dim"], embedded)]
    if kind == "biaffine_parser":  # the POS embedding is concatenated to the embedded words
        return [("encoder", model["encoder"]["input_size"], embedded + model["pos_tag_embedding"]["embedding_dim"])]
    if kind == "k_order_srl":  # ⊕ POS embedding ⊕ predicate-indicator embedding
        return [("encoder", model["encoder"]["input_size"],
                 embedded + model["pos_embedding_dim"] + model["predicate_indicator_dim"])]
    raise AssertionError(f"no input-size rule for model type {kind!r}: add one here")


def check_input_sizes(config, bert_dim=int(ENV["BERT_DIM"])):
    model = inner_model(config)
    embedded = embedded_size(model, bert_dim)
    for layer, declared, received in encoder_inputs(model, embedded):
        assert declared == received, (model["type"], layer, declared, received)


@pytest.mark.parametrize("config", ALL_CONFIGS)
def test_every_encoder_input_size_is_the_sum_of_its_embedder_sizes(config, components):
    check_input_sizes(evaluate_config(config))


# lib calls with sizes unlike the defaults: the input sizes follow them (computed, not written by hand)
RESIZED_CALLS = [
    ("tagger.libsonnet", 'tagger(glyce=false, reader={type: "sighan_cws"}, encoding="BMES", char_dim=20)'),
    ("tagger.libsonnet", 'tagger(glyce=true, reader={type: "sighan_cws"}, encoding="BMES", glyph_dim=64, char_dim=20)'),
    ("tagger.libsonnet", 'tagger(glyce=true, reader={type: "sighan_cws"}, encoding="BMES", glyph_dim=64, char_dim=20, '
                         'projection_dim=24, glyph_norm="layer_norm")'),
    ("classification/classifier.libsonnet", 'classifier(glyce=true, encoder="lstm", glyph_dim=64, char_dim=20)'),
    ("classification/classifier.libsonnet", 'classifier(glyce=true, encoder="cnn", glyph_dim=64, char_dim=20)'),
    ("classification/classifier.libsonnet", 'classifier(glyce=true, encoder="lstm", glyph_dim=64, char_dim=20, '
                                            'projection_dim=24)'),
    ("pair/bimpm.libsonnet", 'bimpm(glyce=true, glyph_dim=64, char_dim=20, perspectives=4)'),
    ("dependency/parser.libsonnet", 'parser(glyce=true, glyph_dim=64, word_dim=20, pos_dim=10)'),
    ("dependency/parser.libsonnet", 'parser(glyce=true, glyph_dim=64, word_dim=20, pooling="cnn", pooling_dim=30)'),
    # max pooling keeps the glyph size whatever pooling_dim says
    ("dependency/parser.libsonnet", 'parser(glyce=true, glyph_dim=64, word_dim=20, pooling="max", pooling_dim=30)'),
    ("srl/srl.libsonnet", 'srl(glyce=true, glyph_dim=64, word_dim=0, pos_dim=0, indicator_dim=8)'),
    ("srl/srl.libsonnet", 'srl(glyce=false, word_dim=20, pos_dim=10, indicator_dim=4)'),
    ("glyce_bert.libsonnet", 'glyce_bert(glyce=true, task="tagging", reader={type: "char_ner"}, encoding="BIOUL", '
                             'glyph_dim=64)'),
    ("glyce_bert.libsonnet", 'glyce_bert(glyce=true, task="classification", reader={type: "chinese_sentence_pair"}, '
                             'glyph_dim=64)'),
    ("glyce_bert.libsonnet", 'glyce_bert(glyce=false, task="classification", reader={type: "chinese_sentence_pair"})'),
]


@pytest.mark.parametrize("libsonnet,call", RESIZED_CALLS)
def test_encoder_input_sizes_follow_the_embedder_sizes(libsonnet, call, components):
    check_input_sizes(evaluate_call(libsonnet, call, BERT_DIM="48"), bert_dim=48)


def test_unknown_token_embedder_size_is_a_clear_error():
    with pytest.raises(RuntimeError, match="does not know the output size of token embedder 'character_encoding'"):
        evaluate_call("common.libsonnet", 'embedders_dim({ tokens: { type: "character_encoding" } })')


@pytest.mark.parametrize("config", ALL_CONFIGS)
def test_seeds_data_paths_and_test_set(config):
    without_test = evaluate_config(config, TEST_DATA_PATH="")
    assert without_test["random_seed"] == without_test["numpy_seed"] == without_test["pytorch_seed"] == 13
    assert without_test["train_data_path"] == ENV["TRAIN_DATA_PATH"]
    assert without_test["validation_data_path"] == ENV["VALIDATION_DATA_PATH"]
    assert without_test["datasets_for_vocab_creation"] == ["train"]  # no vocabulary from dev/test
    assert "test_data_path" not in without_test and "evaluate_on_test" not in without_test
    with_test = evaluate_config(config, TEST_DATA_PATH="/data/test.txt")
    assert with_test["test_data_path"] == "/data/test.txt" and with_test["evaluate_on_test"] is True
    assert {k: v for k, v in with_test.items() if k not in ("test_data_path", "evaluate_on_test")} == without_test


@pytest.mark.parametrize("config", ALL_CONFIGS)
def test_glyce_configs_add_the_aux_loss_and_its_lambda_callback(config):
    """A Glyce config wraps its model in glyce_aux_loss and decays λ with the glyce_aux_lambda callback; a baseline
    has neither, nor has a Glyce config whose pretrained glyph encoder is frozen (the glyph loss has nothing to
    train)."""
    result = evaluate_config(config)
    callbacks = [c["type"] for c in result["trainer"]["callbacks"]]
    embedders = inner_model(result)["text_field_embedder"]["token_embedders"].values()
    frozen = any((e.get("glyph_encoder") or {}).get("freeze") for e in embedders)
    if os.path.basename(config).startswith(("glyce", "ud_glyce")) and not frozen:
        assert result["model"]["type"] == "glyce_aux_loss"
        assert result["model"]["lambda0"] == 0.1 and result["model"]["lambda1"] == 0.8
        assert result["model"]["aux_loss_reduction"] in ("sum", "mean")
        assert callbacks[0] == "glyce_aux_lambda"
    else:
        assert result["model"]["type"] != "glyce_aux_loss" and callbacks == []


# --------------------------------------------------------------------------------------- trainer.cuda_device
def test_cuda_device_defaults_to_the_first_gpu_else_the_cpu(monkeypatch, components):
    """Unset (or empty), glyce_allennlp sets CUDA_DEVICE when AllenNLP loads it: 0 when torch sees a GPU, else -1."""
    import torch
    from allennlp.common import Params

    import glyce_allennlp

    expected = 0 if torch.cuda.is_available() else -1
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CUDA_DEVICE", "")
    glyce_allennlp._set_cuda_device_default()
    assert os.environ["CUDA_DEVICE"] == str(expected)
    monkeypatch.delenv("CUDA_DEVICE")
    glyce_allennlp._set_cuda_device_default()
    assert os.environ["CUDA_DEVICE"] == str(expected)
    for config in ALL_CONFIGS:  # as `allennlp train` reads them: the environment is jsonnet's ext_vars
        params = Params.from_file(os.path.join(REPO, "training_configs", f"{config}.jsonnet"))
        assert params["trainer"]["cuda_device"] == expected, config


# one config of each lib (all of them build the trainer with common.libsonnet)
ONE_CONFIG_PER_LIB = ["ner/bilstm_crf", "classification/glyce_cnn", "pair/glyce_bimpm", "dependency/biaffine",
                      "srl/glyce_k_order_pruning", "ner/glyce_bert_crf"]


@pytest.mark.parametrize("value", ["0", "-1", "1"])
def test_cuda_device_comes_from_the_environment(value, monkeypatch):
    import glyce_allennlp

    monkeypatch.setenv("CUDA_DEVICE", value)
    glyce_allennlp._set_cuda_device_default()  # a value given is kept
    assert os.environ["CUDA_DEVICE"] == value
    for config in ONE_CONFIG_PER_LIB:
        assert evaluate_config(config, CUDA_DEVICE=value)["trainer"]["cuda_device"] == int(value), config


@pytest.mark.parametrize("value", ["cuda:0", "gpu", "-2", "0,1", " 0", ""])
def test_unusable_cuda_device_is_a_clear_error(value):
    with pytest.raises(RuntimeError, match=f"CUDA_DEVICE must be a GPU index .* or -1 for the CPU, got '{value}'"):
        evaluate_config("ner/bilstm_crf", CUDA_DEVICE=value)


@pytest.mark.slow
def test_cuda_device_default_is_set_only_once_torch_is_loaded():
    """`import glyce_allennlp` stays cheap (no torch, CUDA_DEVICE left unset); with torch loaded first, as under
    `allennlp train`, the import sets the default."""
    env = {k: v for k, v in os.environ.items() if k != "CUDA_DEVICE"}
    check = ("import os, sys; import glyce_allennlp; "
             "print('torch' in sys.modules, os.environ.get('CUDA_DEVICE'))")
    out = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, cwd=REPO)
    assert out.stdout.split() == ["False", "None"], out.stderr[-2000:]
    check = ("import os, torch; import glyce_allennlp; "
             "print(os.environ['CUDA_DEVICE'] == ('0' if torch.cuda.is_available() else '-1'))")
    out = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, cwd=REPO)
    assert out.stdout.split() == ["True"], out.stderr[-2000:]


GLYPH_LR_CALLS = {
    "tagger.libsonnet": 'tagger(glyce=%s, reader={ type: "char_ner" }, encoding="BIOUL"%s)',
    "classification/classifier.libsonnet": 'classifier(glyce=%s, encoder="lstm"%s)',
    "pair/bimpm.libsonnet": "bimpm(glyce=%s%s)",
    "dependency/parser.libsonnet": "parser(glyce=%s%s)",
}
FINETUNED = ', glyph_encoder={ pretrained: "default", freeze: false }'


@pytest.mark.parametrize("libsonnet", sorted(GLYPH_LR_CALLS))
def test_glyph_lr_gives_the_glyph_cnn_its_own_learning_rate(libsonnet):
    """``glyph_lr`` (every lib with a glyph CNN): one optimizer parameter group, the Tianzige-CNN's parameters
    (``glyph.cnn.*``) at that learning rate; without it the optimizer has no groups (every parameter at ``lr``)."""
    call = GLYPH_LR_CALLS[libsonnet]
    plain = evaluate_call(libsonnet, call % ("true", FINETUNED))["trainer"]["optimizer"]
    assert "parameter_groups" not in plain
    for options in (FINETUNED + ", glyph_lr=0.0001", ", glyph_lr=0.0001"):  # fine-tuned encoder, CNN from scratch
        optimizer = evaluate_call(libsonnet, call % ("true", options))["trainer"]["optimizer"]
        assert optimizer == dict(plain, parameter_groups=[[["glyph\\.cnn\\."], {"lr": 0.0001}]])


@pytest.mark.parametrize("libsonnet", sorted(GLYPH_LR_CALLS))
def test_glyph_lr_without_a_trainable_glyph_cnn_is_a_clear_error(libsonnet):
    call = GLYPH_LR_CALLS[libsonnet]
    with pytest.raises(RuntimeError, match=r"a baseline \(glyce=false\) has no glyph CNN"):
        evaluate_call(libsonnet, call % ("false", ", glyph_lr=0.0001"))
    frozen = ', glyph_encoder={ pretrained: "default", freeze: true }, glyph_lr=0.0001'
    with pytest.raises(RuntimeError, match=r"a frozen glyph encoder \(freeze: true\) does not train"):
        evaluate_call(libsonnet, call % ("true", frozen))


def test_fast_classifier_reads_the_baselines_width_through_one_glyce_embedder():
    """The fast-layout classifier: its BiLSTM reads what the baseline's reads (char_dim), the glyce embedder holds a
    char-ID embedding of the baseline's size and start and projects [glyph ⊕ char-ID] to that width, and the "tokens"
    indexer stays (basic_classifier's output reads its ids) with an ``empty`` embedder."""
    base = evaluate_config("classification/bilstm")
    char_dim = base["model"]["text_field_embedder"]["token_embedders"]["tokens"]["embedding_dim"]
    for config in ("classification/glyce_bilstm_fast", "classification/glyce_bilstm_fast_pretrained_glyph"):
        model = inner_model(evaluate_config(config))
        embedders = model["text_field_embedder"]["token_embedders"]
        assert embedders["tokens"] == {"type": "empty"}
        assert embedders["glyce"]["char_id_dim"] == embedders["glyce"]["projection_dim"] == char_dim
        assert embedders["glyce"]["char_id_init"] == "xavier"  # AllenNLP's embedding: xavier-uniform
        assert model["seq2vec_encoder"]["input_size"] == base["model"]["seq2vec_encoder"]["input_size"] == char_dim


@pytest.mark.parametrize("call", ['classifier(glyce=false, encoder="lstm", projection_dim=100)',
                                  'classifier(glyce=true, encoder="lstm", projection_dim=100, char_vectors="v.vec")'])
def test_fast_classifier_without_glyce_or_with_pretrained_chars_is_a_clear_error(call):
    with pytest.raises(RuntimeError, match=r"projection_dim \(the fast layout\) is for Glyce \(glyce=true\) on "
                                           r"char-ID inputs"):
        evaluate_call("classification/classifier.libsonnet", call)
