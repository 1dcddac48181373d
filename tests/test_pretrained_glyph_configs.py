"""The `*_pretrained_glyph` configs (the shipped glyph encoder, frozen or fine-tuned; on char-ID inputs or on the
pretrained inputs of the ladder, with the fixture vectors) train one epoch on the fixtures and predict raw text through
the real `allennlp predict` command with one output line per input line; a frozen encoder keeps its pretrained weights
and has no auxiliary glyph loss; a model archive with a frozen encoder predicts the same after the shipped encoder file
changes."""
import json
import os
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
    "cws/glyce_bilstm_crf_pretrained_glyph": (TAGGING["cws"], "raw.txt", "chinese_tagger", {}),
    "pos/ud_glyce_bilstm_crf_pretrained_glyph": (TAGGING["pos"], "raw.txt", "chinese_tagger", {}),
    "classification/glyce_bilstm_pretrained_glyph": (SENTENCES["classification"], "classification/raw.txt",
                                                     "chinese_text_classifier",
                                                     {"data_loader.batch_sampler.batch_size": 32}),
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
    "ner/glyce_softlexicon_bilstm_crf_pretrained_glyph": (TAGGING["ner"], "raw.txt", "chinese_tagger", {},
                                                          VECTOR_ENV),
    "pos/ud_glyce_char_bigram_bilstm_crf_pretrained_glyph": (TAGGING["pos"], "raw.txt", "chinese_tagger", {},
                                                             VECTOR_ENV),
    "classification/glyce_pretrained_char_bilstm_pretrained_glyph": (SENTENCES["classification"],
                                                                     "classification/raw.txt",
                                                                     "chinese_text_classifier", SENTENCE_BATCH,
                                                                     VECTOR_ENV),
    "pair/glyce_pretrained_char_bimpm_pretrained_glyph": (SENTENCES["pair"], "pair/raw.txt", "chinese_pair_classifier",
                                                          SENTENCE_BATCH, VECTOR_ENV),
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


def test_a_frozen_encoder_archive_predicts_the_same_after_the_shipped_encoder_changes(train_config, tmp_path,
                                                                                      monkeypatch):
    from allennlp.models.archival import load_archive

    import glyce_allennlp.glyph.encoder as encoder_module
    from glyce_allennlp.glyph.encoder import load_encoder
    from glyce_allennlp.glyph.pretrain import PretrainOptions, pretrain

    config = "ner/glyce_bilstm_crf_pretrained_glyph"
    archive = str(trained(train_config, config) / "model.tar.gz")
    model = load_archive(archive).model.eval()  # (a loaded archive's model is in training mode: dropout)
    instances = list(load_archive(archive).validation_dataset_reader.read(os.path.join(FIXTURES, "ner/test.bmes")))
    before = model.forward_on_instances(instances)
    trained_weights = glyph_embedding(model).cnn.conv.weight.detach().clone()

    # another encoder with the shipped one's options (fonts, 12 px, D 256, groups 16) becomes the default
    other = pretrain(PretrainOptions(out=str(tmp_path / "other.safetensors"), chars="明湖锦鸟日月木林", epochs=1,
                                     batch_size=8, sample_size=8, progress=False))
    monkeypatch.setattr(encoder_module, "DEFAULT_ENCODER", other)
    assert not torch.equal(load_encoder("default").state_dict["conv.weight"], trained_weights)
    reloaded = load_archive(archive).model.eval()
    assert torch.equal(glyph_embedding(reloaded).cnn.conv.weight, trained_weights)
    after = reloaded.forward_on_instances(instances)
    for old, new in zip(before, after):
        assert numpy.array_equal(old["logits"], new["logits"]) and old["tags"] == new["tags"]
