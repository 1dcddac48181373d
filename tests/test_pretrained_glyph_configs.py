"""The `*_pretrained_glyph` configs (the shipped glyph encoder, frozen or fine-tuned; on char-ID inputs or on the
pretrained inputs of the ladder, with the fixture vectors) train one epoch on the fixtures and predict raw text through
the real `allennlp predict` command with one output line per input line; a frozen encoder keeps its pretrained weights
and has no auxiliary glyph loss. A model archive is self-contained: loading it reads no encoder file (the encoder's
weights are in the archive), so it predicts the same after the shipped encoder changes or the encoder file it was
trained with is deleted, while a font file other than the one it was trained with is still a FontError."""
import json
import os
import shutil
import subprocess
import sys

import numpy
import pytest
import torch

from config_support import VECTOR_ENV
from conftest import FIXTURES

pytestmark = pytest.mark.slow  # trains models, runs `allennlp predict`

TAGGING = {"ner": ("ner/train.bmes", "ner/dev.bmes", "ner/test.bmes"),
           "cws": ("cws/train.txt", "cws/dev.txt", "cws/test.txt"),
           "pos": ("ud/train.conllu", "ud/dev.conllu", "ud/test.conllu")}
SENTENCES = {"classification": ("classification/train.tsv", "classification/dev.tsv", "classification/test.tsv"),
             "pair": ("pair/train.txt", "pair/dev.txt", "pair/test.txt")}
SENTENCE_BATCH = {"data_loader.batch_sampler.batch_size": 32}
# config → (data, raw input, predictor, overrides[, environment: the pretrained inputs])
CONFIGS = {
    "ner/glyce_bilstm_crf_pretrained_glyph": (TAGGING["ner"], "raw.txt", "chinese_tagger", {}),
    "ner/glyce_bilstm_crf_pretrained_glyph_finetuned": (TAGGING["ner"], "raw.txt", "chinese_tagger", {}),
    "ner/glyce_bilstm_crf_fast_pretrained_glyph": (TAGGING["ner"], "raw.txt", "chinese_tagger", {}),
    "cws/glyce_bilstm_crf_pretrained_glyph": (TAGGING["cws"], "raw.txt", "chinese_tagger", {}),
    "pos/ud_glyce_bilstm_crf_pretrained_glyph": (TAGGING["pos"], "raw.txt", "chinese_tagger", {}),
    "classification/glyce_bilstm_pretrained_glyph": (SENTENCES["classification"], "classification/raw.txt",
                                                     "chinese_text_classifier",
                                                     {"data_loader.batch_sampler.batch_size": 32}),
    "classification/glyce_bilstm_fast_pretrained_glyph": (SENTENCES["classification"], "classification/raw.txt",
                                                          "chinese_text_classifier", SENTENCE_BATCH),
    "pair/glyce_bimpm_pretrained_glyph": (SENTENCES["pair"], "pair/raw.txt", "chinese_pair_classifier",
                                          {"data_loader.batch_sampler.batch_size": 32}),
    "cws/glyce_bilstm_crf_pretrained_glyph_finetuned": (TAGGING["cws"], "raw.txt", "chinese_tagger", {}),
    "pos/ud_glyce_bilstm_crf_pretrained_glyph_finetuned": (TAGGING["pos"], "raw.txt", "chinese_tagger", {}),
    "classification/glyce_bilstm_pretrained_glyph_finetuned": (SENTENCES["classification"], "classification/raw.txt",
                                                               "chinese_text_classifier", SENTENCE_BATCH),
    "pair/glyce_bimpm_pretrained_glyph_finetuned": (SENTENCES["pair"], "pair/raw.txt", "chinese_pair_classifier",
                                                    SENTENCE_BATCH),
    # the strongest rungs of the ladder (pretrained inputs) with the frozen encoder
    "ner/glyce_pretrained_char_bilstm_crf_pretrained_glyph": (TAGGING["ner"], "raw.txt", "chinese_tagger", {},
                                                              VECTOR_ENV),
    "ner/glyce_char_bigram_bilstm_crf_pretrained_glyph": (TAGGING["ner"], "raw.txt", "chinese_tagger", {},
                                                          VECTOR_ENV),
    "ner/glyce_softlexicon_bilstm_crf_pretrained_glyph": (TAGGING["ner"], "raw.txt", "chinese_tagger", {},
                                                          VECTOR_ENV),
    "cws/glyce_pretrained_char_bilstm_crf_pretrained_glyph": (TAGGING["cws"], "raw.txt", "chinese_tagger", {},
                                                              VECTOR_ENV),
    "cws/glyce_char_bigram_bilstm_crf_pretrained_glyph": (TAGGING["cws"], "raw.txt", "chinese_tagger", {},
                                                          VECTOR_ENV),
    "pos/ud_glyce_char_bigram_bilstm_crf_pretrained_glyph": (TAGGING["pos"], "raw.txt", "chinese_tagger", {},
                                                             VECTOR_ENV),
    "classification/glyce_pretrained_char_bilstm_pretrained_glyph": (SENTENCES["classification"],
                                                                     "classification/raw.txt",
                                                                     "chinese_text_classifier", SENTENCE_BATCH,
                                                                     VECTOR_ENV),
    "pair/glyce_pretrained_char_bimpm_pretrained_glyph": (SENTENCES["pair"], "pair/raw.txt", "chinese_pair_classifier",
                                                          SENTENCE_BATCH, VECTOR_ENV),
    # the pretrained-char, bigram and NER SoftLexicon rungs with the fine-tuned encoder
    "ner/glyce_pretrained_char_bilstm_crf_pretrained_glyph_finetuned": (TAGGING["ner"], "raw.txt", "chinese_tagger",
                                                                        {}, VECTOR_ENV),
    "cws/glyce_pretrained_char_bilstm_crf_pretrained_glyph_finetuned": (TAGGING["cws"], "raw.txt", "chinese_tagger",
                                                                        {}, VECTOR_ENV),
    "classification/glyce_pretrained_char_bilstm_pretrained_glyph_finetuned": (SENTENCES["classification"],
                                                                               "classification/raw.txt",
                                                                               "chinese_text_classifier",
                                                                               SENTENCE_BATCH, VECTOR_ENV),
    "pair/glyce_pretrained_char_bimpm_pretrained_glyph_finetuned": (SENTENCES["pair"], "pair/raw.txt",
                                                                    "chinese_pair_classifier", SENTENCE_BATCH,
                                                                    VECTOR_ENV),
    "ner/glyce_char_bigram_bilstm_crf_pretrained_glyph_finetuned": (TAGGING["ner"], "raw.txt", "chinese_tagger", {},
                                                                    VECTOR_ENV),
    "pos/ud_glyce_char_bigram_bilstm_crf_pretrained_glyph_finetuned": (TAGGING["pos"], "raw.txt", "chinese_tagger",
                                                                       {}, VECTOR_ENV),
    "cws/glyce_char_bigram_bilstm_crf_pretrained_glyph_finetuned": (TAGGING["cws"], "raw.txt", "chinese_tagger", {},
                                                                    VECTOR_ENV),
    "ner/glyce_softlexicon_bilstm_crf_pretrained_glyph_finetuned": (TAGGING["ner"], "raw.txt", "chinese_tagger", {},
                                                                    VECTOR_ENV),
}


def trained(train_config, config):
    data, _, _, overrides, *env = CONFIGS[config]
    return train_config(f"{config}.jsonnet", data, {"trainer.num_epochs": 1, **overrides}, env=env[0] if env else None)


def glyph_embedding(model):
    from glyce_allennlp.glyph import GlyphEmbedding

    (glyph,) = [m for m in model.modules() if isinstance(m, GlyphEmbedding)]
    return glyph


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_config_trains_and_predicts_one_line_per_input_line(config, train_config, tmp_path):
    from allennlp.models.archival import load_archive

    from glyce_allennlp.glyph.encoder import load_encoder

    run = trained(train_config, config)
    metrics = json.loads((run / "metrics.json").read_text())
    frozen = not config.endswith("_finetuned")
    assert ("training_glyph_aux_loss" in metrics) == (not frozen)  # no glyph loss with a frozen encoder
    assert all(not isinstance(v, float) or v == v for v in metrics.values())  # no NaN

    glyph = glyph_embedding(load_archive(str(run / "model.tar.gz")).model)
    pretrained = load_encoder("default").state_dict
    assert glyph.frozen == frozen
    assert torch.equal(glyph.cnn.conv.weight.detach(), pretrained["conv.weight"]) == frozen  # fine-tuned: moved

    _, raw, predictor, *_ = CONFIGS[config]
    raw = os.path.join(FIXTURES, raw)
    output = tmp_path / "predictions.jsonl"
    cmd = [os.path.join(os.path.dirname(sys.executable), "allennlp"), "predict", str(run / "model.tar.gz"), raw,
           "--include-package", "glyce_allennlp", "--predictor", predictor, "--output-file", str(output),
           "--silent", "--batch-size", "3"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = open(raw, encoding="utf-8").read().splitlines()
    predictions = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(predictions) == len(lines) > 0


FROZEN_NER = "ner/glyce_bilstm_crf_pretrained_glyph"
GLYCE = "model.text_field_embedder.token_embedders.glyce"  # the NER configs' glyce embedder, for overrides


def predict_instances(archive):
    """The model of ``archive`` (evaluation mode) and its outputs on the NER test fixture."""
    from allennlp.models.archival import load_archive

    loaded = load_archive(archive)
    model = loaded.model.eval()  # (a loaded archive's model is in training mode: dropout)
    instances = list(loaded.validation_dataset_reader.read(os.path.join(FIXTURES, "ner/test.bmes")))
    return model, model.forward_on_instances(instances)


def assert_same_predictions(before, after):
    assert len(before) == len(after) > 0
    for old, new in zip(before, after):
        assert numpy.array_equal(old["logits"], new["logits"]) and old["tags"] == new["tags"]


def allennlp_predict(archive, output):
    """What `allennlp predict` writes for the raw NER fixture (one line per input line)."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "allennlp"), "predict", archive,
           os.path.join(FIXTURES, "raw.txt"), "--include-package", "glyce_allennlp", "--predictor", "chinese_tagger",
           "--output-file", str(output), "--silent", "--batch-size", "3"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return output.read_text(encoding="utf-8")


@pytest.mark.parametrize("config", [FROZEN_NER, f"{FROZEN_NER}_finetuned"])
def test_an_archive_predicts_the_same_after_the_shipped_encoder_changes(config, train_config, tmp_path, monkeypatch):
    import glyce_allennlp.glyph.encoder as encoder_module
    from glyce_allennlp.glyph.encoder import load_encoder
    from glyce_allennlp.glyph.pretrain import PretrainOptions, pretrain

    archive = str(trained(train_config, config) / "model.tar.gz")
    model, before = predict_instances(archive)
    trained_weights = glyph_embedding(model).cnn.conv.weight.detach().clone()

    # a later version of the package ships another default encoder, with other options (D 32, groups 2)
    other = pretrain(PretrainOptions(out=str(tmp_path / "other.safetensors"), glyph_dim=32, groups=2,
                                     chars="明湖锦鸟日月木林", epochs=1, batch_size=8, sample_size=8, progress=False))
    monkeypatch.setattr(encoder_module, "DEFAULT_ENCODER", other)
    assert load_encoder("default").glyph_dim == 32
    reloaded, after = predict_instances(archive)
    glyph = glyph_embedding(reloaded)
    assert torch.equal(glyph.cnn.conv.weight, trained_weights)
    frozen = config == FROZEN_NER  # frozen stays frozen: no gradient if the loaded model trains further
    assert glyph.frozen == frozen and all(p.requires_grad != frozen for p in glyph.cnn.parameters())
    assert_same_predictions(before, after)


@pytest.fixture(scope="module")
def archive_of_a_deleted_encoder(train_config, tmp_path_factory):
    """The frozen NER config trained with a copy of the shipped encoder and, as its kai channel, a copy of the kai font
    file (a font path in the config); then the encoder copy deleted. Returns the archive, the kai copy, and from before
    the deletion: the model's outputs on the NER test fixture and what `allennlp predict` wrote for the raw one."""
    from pathlib import Path

    from glyce_allennlp.glyph.encoder import DEFAULT_ENCODER, manifest_path
    from glyce_allennlp.glyph.fonts import resolve_font

    folder = tmp_path_factory.mktemp("deleted_encoder")
    encoder = folder / "encoder.safetensors"
    shutil.copyfile(DEFAULT_ENCODER, encoder)
    shutil.copyfile(manifest_path(DEFAULT_ENCODER), manifest_path(encoder))
    kai = folder / f"kai{Path(resolve_font('kai').path).suffix}"
    shutil.copyfile(resolve_font("kai").path, kai)
    data, _, _, overrides = CONFIGS[FROZEN_NER]
    run = train_config(f"{FROZEN_NER}.jsonnet", data,
                       {"trainer.num_epochs": 1, **overrides, f"{GLYCE}.glyph_encoder.pretrained": str(encoder),
                        f"{GLYCE}.fonts": ["song", "traditional", "fangsong", str(kai), "cursive"]})
    archive = str(run / "model.tar.gz")
    _, outputs = predict_instances(archive)
    printed = allennlp_predict(archive, folder / "before.jsonl")
    encoder.unlink()
    manifest_path(encoder).unlink()
    return archive, kai, outputs, printed


def test_an_archive_predicts_the_same_after_the_encoder_file_it_was_trained_with_is_deleted(
        archive_of_a_deleted_encoder, tmp_path):
    archive, _, before, printed = archive_of_a_deleted_encoder
    model, after = predict_instances(archive)
    glyph = glyph_embedding(model)
    assert glyph.frozen and not any(p.requires_grad for p in glyph.cnn.parameters())
    assert_same_predictions(before, after)
    assert allennlp_predict(archive, tmp_path / "after.jsonl") == printed


def test_an_archive_loaded_with_another_font_file_than_it_was_trained_with_is_a_font_error(
        archive_of_a_deleted_encoder):
    from allennlp.models.archival import load_archive

    from glyce_allennlp.glyph.fonts import FontError, resolve_font

    archive, kai, _, _ = archive_of_a_deleted_encoder
    original = kai.read_bytes()
    shutil.copyfile(resolve_font("song").path, kai)  # another file behind the font path the model was trained with
    try:
        with pytest.raises(FontError) as caught:
            load_archive(archive)
    finally:
        kai.write_bytes(original)
    message = str(caught.value)
    assert str(kai) in message and resolve_font("kai").sha256[:16] in message
    assert resolve_font("song").sha256[:16] in message and "GLYCE_FONT_MISMATCH=warn" in message


def test_glyph_lr_applies_to_the_glyph_cnn_alone(train_config):
    """The tagger lib's ``glyph_lr`` with the fine-tuned encoder: its parameter group holds exactly the Tianzige-CNN's
    parameters; at ``glyph_lr=0`` the CNN (trainable, with its auxiliary loss) keeps the pretrained weights through an
    epoch while the rest of the model trains at ``lr``."""
    import re

    from allennlp.models.archival import load_archive

    from glyce_allennlp.glyph.encoder import load_encoder

    call = ('tagger(glyce=true, reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, '
            'encoding="BIOUL", epochs=1, glyph_encoder={ pretrained: "default", freeze: false }, glyph_lr=0)')
    run = train_config("tagger.libsonnet", TAGGING["ner"], call=call)
    assert "training_glyph_aux_loss" in json.loads((run / "metrics.json").read_text())
    model = load_archive(str(run / "model.tar.gz")).model
    glyph = glyph_embedding(model)
    assert not glyph.frozen and all(p.requires_grad for p in glyph.cnn.parameters())
    (pattern,) = json.loads((run / "config.json").read_text())["trainer"]["optimizer"]["parameter_groups"][0][0]
    grouped = {name for name, _ in model.named_parameters() if re.search(pattern, name)}
    cnn = {name for name, p in model.named_parameters() if any(p is q for q in glyph.cnn.parameters())}
    assert grouped == cnn and len(cnn) == len(list(glyph.cnn.parameters())) > 0
    pretrained = load_encoder("default").state_dict
    assert all(torch.equal(value, pretrained[name]) for name, value in glyph.cnn.state_dict().items())
    # the optimizer as saved after the epoch: the CNN's group at learning rate 0, every other parameter at lr = 1e-3,
    # each with Adam moments (a gradient reached it)
    (saved,) = run.glob("training_state_*.th")
    state = torch.load(str(saved), weights_only=False)["optimizer"]
    cnn_group, rest = state["param_groups"]
    trainable = sum(p.requires_grad for p in model.parameters())
    assert cnn_group["lr"] == 0 and rest["lr"] == 0.001
    assert len(cnn_group["params"]) == len(cnn) and len(rest["params"]) == trainable - len(cnn)
    assert all(state["state"][i]["exp_avg"].abs().sum() > 0 for i in cnn_group["params"] + rest["params"])
