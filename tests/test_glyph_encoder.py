"""The pretrained glyph encoder: pretraining end to end on a tiny character set (manifest, determinism, resume),
loading checks (weights against the manifest, fonts, embedder options), the `glyce` embedder with a frozen encoder
(a table lookup, no CNN in the training step, no gradient into the CNN, save → load identical even when the encoder
file changes) and a fine-tuned one (starts from the pretrained weights), an embedder built for a model archive's
weights (no encoder file read), and `neighbors --encoder`."""
import dataclasses
import json
import logging
import shutil

import pytest
import torch

from glyce_allennlp.glyph.augment import Augmentation
from glyce_allennlp.glyph.encoder import (SAMPLE_TOLERANCE, GlyphEncoderError, load_encoder, manifest_path,
                                          sample_accuracy)
from glyce_allennlp.glyph.fonts import FontError, resolve_font
from glyce_allennlp.glyph.pretrain import PretrainOptions, pretrain

FONTS = ["song", "traditional", "fangsong", "kai", "cursive"]
CHARS = "明湖锦鸟日月木林森水火土金人口山川大小中国天地玉"
NO_FONT = "\ue000"  # a private-use code point: no font draws it
CNN_KEYS = {"conv.weight", "conv.bias", "down.weight", "down.bias", "up.weight", "up.bias"}


def tiny_options(out, **changes):
    options = PretrainOptions(out=str(out), fonts=FONTS, glyph_dim=32, groups=2, chars=CHARS + NO_FONT, epochs=2,
                              batch_size=8, sample_size=12, progress=False)
    return dataclasses.replace(options, **changes)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny encoder (D 32, 2 epochs, 24 characters + one no font draws), pretrained once for this module."""
    return pretrain(tiny_options(tmp_path_factory.mktemp("encoder") / "tiny.safetensors"))


def copy_encoder(source, folder, name="copy"):
    target = folder / f"{name}.safetensors"
    shutil.copyfile(source, target)
    shutil.copyfile(manifest_path(source), manifest_path(target))
    return target


# ----------------------------------------------------------------------------------------------------- pretraining
def test_pretraining_writes_the_encoder_weights_and_a_manifest(tiny):
    from safetensors.torch import load_file

    assert set(load_file(str(tiny))) == CNN_KEYS  # the CNN only: no classification head
    manifest = json.loads(manifest_path(tiny).read_text(encoding="utf-8"))
    assert manifest["format"] == "glyce-glyph-encoder" and manifest["weights"]["file"] == tiny.name
    assert [f["label"] for f in manifest["fonts"]] == FONTS
    assert [f["sha256"] for f in manifest["fonts"]] == [resolve_font(f).sha256 for f in FONTS]
    assert (manifest["image_size"], manifest["glyph_dim"], manifest["groups"]) == (12, 32, 2)
    characters = manifest["characters"]
    assert (characters["requested"], characters["trained"], characters["skipped"]) == (len(CHARS) + 1, len(CHARS), 1)
    assert characters["skipped_characters"] == NO_FONT and characters["list"] == CHARS
    training = manifest["training"]
    assert training["command"].startswith("glyce-allennlp glyph-encoder pretrain --out ")
    assert "--seed 13" in training["command"] and "--threads 1" in training["command"]
    assert training["seed"] == 13 and training["seconds"] > 0 and len(training["history"]) == 2
    for key in ("accuracy", "clean_accuracy", "nearest_glyph_accuracy"):
        assert 0.0 <= manifest["heldout"][key] <= 1.0
    assert manifest["heldout"]["size"] == len(CHARS) and manifest["heldout"]["seed"] == 2019
    sample = manifest["sample"]
    assert len(sample["characters"]) == 12 and sample["accuracy"] == round(sample["correct"] / 12, 4)
    assert not PretrainOptions(out=str(tiny)).checkpoint_path.exists()  # removed once the encoder is written


def test_the_sample_check_is_reproduced_from_the_weights_alone(tiny):
    encoder = load_encoder(str(tiny))
    assert sample_accuracy(encoder) == encoder.manifest["sample"]["correct"]  # same machine: exact


def test_the_manifest_command_gives_the_same_options(tiny):
    import argparse
    import shlex

    from glyce_allennlp.glyph.encoder_cli import add_glyph_encoder_parser, options_from_args

    manifest = json.loads(manifest_path(tiny).read_text(encoding="utf-8"))
    parser = argparse.ArgumentParser()
    add_glyph_encoder_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(shlex.split(manifest["training"]["command"])[1:])
    assert options_from_args(args).run_options() == manifest["training"]["options"]


def test_same_seed_same_weights_and_a_resumed_run_equals_an_uninterrupted_one(tiny, tmp_path, monkeypatch):
    import glyce_allennlp.glyph.pretrain as pretrain_module

    out = tmp_path / "resumed.safetensors"
    saves = []
    real_save = pretrain_module._atomic_save

    def save_then_stop(state, path):  # killed right after the checkpoint of epoch 1
        real_save(state, path)
        saves.append(state["epoch"])
        raise KeyboardInterrupt

    monkeypatch.setattr(pretrain_module, "_atomic_save", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        pretrain(tiny_options(out))
    monkeypatch.setattr(pretrain_module, "_atomic_save", real_save)
    checkpoint = tiny_options(out).checkpoint_path
    assert saves == [1] and checkpoint.exists() and not out.exists()

    with pytest.raises(GlyphEncoderError, match="pass --resume"):
        pretrain(tiny_options(out))
    with pytest.raises(GlyphEncoderError, match="seed: 13 .now 14."):
        pretrain(tiny_options(out, seed=14, resume=True))
    pretrain(tiny_options(out, resume=True))
    assert not checkpoint.exists()
    uninterrupted, resumed = load_encoder(str(tiny)), load_encoder(str(out))
    for key in CNN_KEYS:
        assert torch.equal(uninterrupted.state_dict[key], resumed.state_dict[key]), key
    assert resumed.manifest["heldout"] == uninterrupted.manifest["heldout"]
    assert [h["epoch"] for h in resumed.manifest["training"]["history"]] == [1, 2]


def test_another_seed_gives_other_weights(tiny, tmp_path):
    other = load_encoder(str(pretrain(tiny_options(tmp_path / "other.safetensors", seed=14, epochs=1))))
    assert not torch.equal(other.state_dict["conv.weight"], load_encoder(str(tiny)).state_dict["conv.weight"])


def test_augmentation_is_seeded_and_keeps_a_channel():
    images = torch.rand(64, 5, 12, 12)
    augmentation = Augmentation(channel_drop=0.9, clean_fraction=0.0)
    first = augmentation(images, torch.Generator().manual_seed(1))
    assert torch.equal(first, augmentation(images, torch.Generator().manual_seed(1)))
    assert not torch.equal(first, augmentation(images, torch.Generator().manual_seed(2)))
    assert (first.flatten(2).abs().sum(-1) > 0).any(dim=1).all()  # at least one script channel left per image
    assert torch.equal(Augmentation(clean_fraction=1.0)(images, torch.Generator().manual_seed(1)), images)


# ------------------------------------------------------------------------------------------------------- loading
def test_weights_that_are_not_the_manifests_are_refused(tiny, tmp_path):
    copy = copy_encoder(tiny, tmp_path)
    data = bytearray(copy.read_bytes())
    data[-1] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(GlyphEncoderError, match="not the ones its manifest"):
        load_encoder(str(copy))
    with pytest.raises(GlyphEncoderError, match="does not exist"):
        load_encoder(str(tmp_path / "missing.safetensors"))


def test_a_font_that_differs_from_the_encoders_is_named(tiny, tmp_path, monkeypatch, caplog, components):
    from allennlp.data import Vocabulary

    from glyce_allennlp.glyph.render import GlyphRenderer
    from glyce_allennlp.modules import GlyceTokenEmbedder

    copy = copy_encoder(tiny, tmp_path)
    manifest = json.loads(manifest_path(copy).read_text(encoding="utf-8"))
    manifest["fonts"][3]["sha256"] = "ab" * 32  # as if the encoder had been trained with another kai file
    manifest_path(copy).write_text(json.dumps(manifest), encoding="utf-8")
    encoder = load_encoder(str(copy))
    with pytest.raises(FontError) as caught:
        encoder.check_fonts(GlyphRenderer(FONTS).fonts)
    message = str(caught.value)
    assert "'kai'" in message and resolve_font("kai").path in message and str(copy) in message
    assert resolve_font("kai").sha256[:16] in message and "abababab" in message
    assert "GLYCE_FONT_MISMATCH=warn" in message and "'song'" not in message
    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(list("明湖"), "glyce_chars")
    options = dict(fonts=FONTS, glyph_dim=32, groups=2, glyph_encoder={"pretrained": str(copy), "freeze": True})
    with pytest.raises(FontError, match="'kai'"):
        GlyceTokenEmbedder(vocab, **options)
    monkeypatch.setenv("GLYCE_FONT_MISMATCH", "warn")
    with caplog.at_level(logging.WARNING):
        GlyceTokenEmbedder(vocab, **options)
    assert any("glyph fonts differ" in r.getMessage() and "'kai'" in r.getMessage() for r in caplog.records)


def test_embedder_options_must_be_the_encoders(tiny, components):
    from allennlp.data import Vocabulary

    from glyce_allennlp.modules import GlyceTokenEmbedder

    encoder = {"pretrained": str(tiny), "freeze": True}
    with pytest.raises(GlyphEncoderError) as caught:
        GlyceTokenEmbedder(Vocabulary(), fonts=FONTS[:4], glyph_dim=64, groups=2, glyph_encoder=encoder)
    message = str(caught.value)
    assert "glyph_dim 64 (encoder: 32)" in message and "fonts ['song', 'traditional', 'fangsong', 'kai']" in message
    assert "groups" not in message.split(". Give")[0] and "glyph-encoder pretrain" in message
    for bad in ({"pretrained": str(tiny)}, {"pretrained": str(tiny), "freeze": "yes"},
                {"pretrained": str(tiny), "freeze": True, "lr": 1}):
        with pytest.raises(ValueError, match="glyph_encoder must be"):
            GlyceTokenEmbedder(Vocabulary(), fonts=FONTS, glyph_dim=32, groups=2, glyph_encoder=bad)


# ------------------------------------------------------------------------------------------------------ embedders
def embedder(encoder_path, freeze, chars="明湖锦鸟日月", **options):
    from allennlp.data import Vocabulary

    from glyce_allennlp.modules import GlyceTokenEmbedder

    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(list(chars), "glyce_chars")
    options = {"fonts": FONTS, "glyph_dim": 32, "groups": 2, **options}
    return GlyceTokenEmbedder(vocab, glyph_encoder={"pretrained": str(encoder_path), "freeze": freeze}, **options)


def codepoints(text):
    return torch.tensor([[ord(c) for c in text]])


def count_cnn_images(module):
    """A list that receives the number of images of every Tianzige-CNN call of ``module``."""
    calls = []
    module.glyph.cnn.conv.register_forward_hook(lambda m, args, out: calls.append(args[0].shape[0]))
    return calls


def test_frozen_encoder_is_a_table_computed_once(tiny, components):
    glyce = embedder(tiny, freeze=True, cnn_dropout=0.0)
    calls = count_cnn_images(glyce)
    glyce.train()
    out = glyce(codepoints("明湖锦鸟日月明"))
    assert calls == []  # the known characters' vectors were computed when the embedder was built
    cnn = load_encoder(str(tiny)).cnn().eval()
    images = glyce.glyph.glyph_images([ord(c) for c in "明湖锦鸟日月明"])
    assert torch.allclose(out[0], cnn.features(images), atol=1e-6)  # exactly the pretrained CNN's vectors
    glyce(codepoints("森林森"))  # two characters never seen: rendered and encoded once
    assert calls == [2]
    glyce(codepoints("森林明"))
    glyce.eval()
    with torch.no_grad():
        glyce(codepoints("森林明湖"))
    glyce.train()
    glyce(codepoints("森"))
    assert calls == [2]


def test_frozen_encoder_gets_no_gradient_and_the_layers_after_it_train(tiny, components):
    glyce = embedder(tiny, freeze=True, char_id_dim=8, glyph_norm="layer_norm", projection_dim=16, cnn_dropout=0.2)
    assert glyce.glyph.classifier is None and glyce.glyph.frozen
    glyce.train()
    glyce(codepoints("明湖锦鸟")).square().sum().backward()
    assert glyce.last_aux_loss is None
    for name, parameter in glyce.glyph.cnn.named_parameters():
        assert not parameter.requires_grad and parameter.grad is None, name
    for layer in (glyce.glyph_norm, glyce.char_embedding, glyce.projection):
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in layer.parameters())
    with pytest.raises(ValueError, match="nothing to train"):
        embedder(tiny, freeze=True, aux_classifier=True)


def test_fine_tuned_encoder_starts_from_the_pretrained_weights(tiny, components):
    glyce = embedder(tiny, freeze=False)
    pretrained = load_encoder(str(tiny)).state_dict
    for name, parameter in glyce.glyph.cnn.named_parameters():
        assert torch.equal(parameter.detach(), pretrained[name]) and parameter.requires_grad, name
    assert glyce.glyph.classifier is not None and not glyce.glyph.frozen
    calls = count_cnn_images(glyce)
    glyce.train()
    glyce(codepoints("明湖")).sum().backward()
    assert calls == [2] and glyce.glyph.cnn.conv.weight.grad.abs().sum() > 0
    assert glyce.last_aux_loss is not None


def test_frozen_weights_are_saved_and_loaded_even_when_the_encoder_file_changes(tiny, tmp_path, components):
    path = copy_encoder(tiny, tmp_path, "encoder")
    trained = embedder(path, freeze=True, char_id_dim=8, glyph_norm="layer_norm")
    assert "glyph.cnn.conv.weight" in trained.state_dict()
    state = {k: v.clone() for k, v in trained.state_dict().items()}
    trained.eval()
    with torch.no_grad():
        before = trained(codepoints("明湖锦鸟森"))
    other = pretrain(tiny_options(tmp_path / "other.safetensors", seed=99, epochs=1))
    copy_encoder(other, tmp_path, "encoder")  # the file behind the option is now another encoder
    rebuilt = embedder(path, freeze=True, char_id_dim=8, glyph_norm="layer_norm").eval()
    calls = count_cnn_images(rebuilt)
    with torch.no_grad():
        assert not torch.allclose(rebuilt(codepoints("明湖锦鸟森")), before)
        rebuilt.load_state_dict(state)
        del calls[:]
        assert torch.equal(rebuilt(codepoints("明湖锦鸟森")), before)
    rows = rebuilt.glyph.num_rows  # padding, 6 known characters, 森
    assert rows == 8 and calls == [rows]  # load_state_dict dropped the table: recomputed with the loaded weights, once
    rebuilt.train()
    rebuilt(codepoints("明湖"))
    assert calls == [rows]


def test_an_embedder_from_an_archive_reads_no_encoder_file_and_takes_the_weights_loaded_into_it(tiny, tmp_path,
                                                                                                  components):
    from glyce_allennlp.glyph.encoder import FROM_ARCHIVE

    path = copy_encoder(tiny, tmp_path, "encoder")
    trained = {freeze: embedder(path, freeze=freeze, char_id_dim=8).eval() for freeze in (True, False)}
    path.unlink()
    manifest_path(path).unlink()
    text = codepoints("明湖锦鸟森")
    for freeze, source in trained.items():
        loaded = embedder(FROM_ARCHIVE, freeze=freeze, char_id_dim=8)
        assert loaded.glyph.frozen == freeze and (loaded.glyph.classifier is None) == freeze
        assert all(parameter.requires_grad != freeze for parameter in loaded.glyph.cnn.parameters())
        calls = count_cnn_images(loaded)
        with pytest.raises(RuntimeError, match="none were loaded"):  # never a random CNN by mistake
            loaded(text)
        assert calls == []  # frozen: no table of the CNN's initial weights either
        loaded.load_state_dict(source.state_dict())
        loaded.eval()
        with torch.no_grad():
            assert torch.equal(loaded(text), source(text))
        if freeze:
            assert calls == [loaded.glyph.num_rows]  # the table, computed once from the loaded weights
        loaded.train()
        loaded(text).sum().backward()
        assert (loaded.glyph.cnn.conv.weight.grad is None) == freeze


def test_glyce_word_passes_the_encoder_on(tiny, components):
    from allennlp.data import Vocabulary

    from glyce_allennlp.modules import GlyceWordEmbedder

    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(list("明湖锦鸟"), "glyce_chars")
    word = GlyceWordEmbedder(vocab, fonts=FONTS, glyph_dim=32, groups=2,
                             glyph_encoder={"pretrained": str(tiny), "freeze": True})
    assert word.glyph.frozen and word.glyph.classifier is None
    assert torch.equal(word.glyph.cnn.conv.weight, load_encoder(str(tiny)).state_dict["conv.weight"])
    word.train()
    assert word(torch.tensor([[[ord("明"), ord("湖")], [ord("鸟"), 0]]])).shape == (1, 2, 32)


# ------------------------------------------------------------------------------------------------------ neighbors
def test_neighbors_of_the_encoder_alone(tiny, tmp_path, capsys):
    from PIL import Image

    from glyce_allennlp.cli import main
    from glyce_allennlp.glyph.neighbors import glyph_neighbors

    png = tmp_path / "neighbors.png"
    assert main(["neighbors", "--encoder", str(tiny), "明湖", "--top", "3", "--png", str(png)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"明 (U+660E, pretrained on): 3 nearest of {len(CHARS)} pretrained characters"
    assert lines[4].startswith("湖 (U+6E56, pretrained on)") and lines[-1] == f"sheet: {png}"
    glyph = load_encoder(str(tiny)).glyph_embedding(progress=False)
    expected = glyph_neighbors(glyph, "明", 3)
    assert [line.split()[1] for line in lines[1:4]] == [c for c, _ in expected]
    one = tmp_path / "one.png"
    assert main(["neighbors", "--encoder", str(tiny), "明", "--top", "3", "--png", str(one)]) == 0
    assert Image.open(png).width > 2 * Image.open(one).width  # one panel per query, side by side
    assert Image.open(png).height == Image.open(one).height == 4 + 4 * (12 * 4 + 4)
    capsys.readouterr()
    assert main(["neighbors", "明"]) == 2  # neither an archive nor an encoder
    assert main(["neighbors", "--encoder", str(tmp_path / "none.safetensors"), "明"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_glyph_encoder_check_command(tiny, capsys):
    from glyce_allennlp.cli import main

    assert main(["glyph-encoder", "check", str(tiny)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sample"]["matches"] and report["sample"]["correct"] == report["sample"]["manifest_correct"]
    assert abs(report["sample"]["correct"] - report["sample"]["manifest_correct"]) <= SAMPLE_TOLERANCE


# ----------------------------------------------------------------------------------------------- the shipped encoder
def test_the_shipped_encoder_loads_matches_its_manifest_and_reproduces_its_sample_accuracy():
    from config_support import evaluate_call
    from glyce_allennlp.glyph.encoder import CJK_SOURCE, DEFAULT_ENCODER, cjk_characters

    encoder = load_encoder("default")
    assert encoder.path == DEFAULT_ENCODER and DEFAULT_ENCODER.stat().st_size < 512 * 1024
    # the training configs' defaults (training_configs/common.libsonnet, the task libs' image_size/glyph_dim/groups)
    assert encoder.fonts == evaluate_call("common.libsonnet", "fonts")
    assert (encoder.image_size, encoder.glyph_dim, encoder.groups) == (12, 256, 16)
    characters = encoder.manifest["characters"]
    assert characters["source"] == CJK_SOURCE and characters["requested"] == len(cjk_characters()) == 20992
    assert characters["trained"] + characters["skipped"] == 20992 == len(characters["list"]) + characters["skipped"]
    manifest = encoder.manifest
    assert 0.0 < manifest["heldout"]["accuracy"] <= 1.0 and manifest["heldout"]["size"] == characters["trained"]
    correct = sample_accuracy(encoder)  # from the weights alone, on a small fixed sample
    assert abs(correct - manifest["sample"]["correct"]) <= SAMPLE_TOLERANCE, (correct, manifest["sample"])


def test_the_shipped_encoder_is_package_data_and_its_command_is_recorded():
    import argparse
    import shlex

    from conftest import REPO
    from glyce_allennlp.glyph.encoder_cli import add_glyph_encoder_parser, options_from_args

    setup = open(f"{REPO}/setup.py", encoding="utf-8").read()
    assert '"glyph_encoder_default.safetensors"' in setup and '"glyph_encoder_default.json"' in setup
    manifest = load_encoder("default").manifest
    command = shlex.split(manifest["training"]["command"])
    assert command[:5] == ["glyce-allennlp", "glyph-encoder", "pretrain", "--out",
                           "glyce_allennlp/glyph/glyph_encoder_default.safetensors"]
    parser = argparse.ArgumentParser()
    add_glyph_encoder_parser(parser.add_subparsers(dest="command"))
    assert options_from_args(parser.parse_args(command[1:])).run_options() == manifest["training"]["options"]


@pytest.mark.slow  # renders the encoder's ~19,000 characters (cached in $GLYCE_HOME afterwards)
def test_neighbors_of_the_shipped_encoder(tmp_path, capsys):
    from glyce_allennlp.cli import main

    assert main(["neighbors", "--encoder", "default", "明鑫", "--top", "5", "--png", str(tmp_path / "n.png")]) == 0
    lines = capsys.readouterr().out.splitlines()
    trained = load_encoder("default").manifest["characters"]["trained"]
    assert lines[0] == f"明 (U+660E, pretrained on): 5 nearest of {trained} pretrained characters"
    assert len(lines) == 1 + 5 + 1 + 5 + 1 and (tmp_path / "n.png").stat().st_size > 0


def test_char_ids_of_the_vocabulary_unseen_characters_get_the_oov_id(tiny, components):
    glyce = embedder(tiny, freeze=True, char_id_dim=4).eval()
    vocab_ids = {c: glyce.char_embedding.weight[i] for c, i in (("明", 2), ("湖", 3))}  # 0 padding, 1 OOV
    with torch.no_grad():
        out = glyce(torch.tensor([[ord("明"), ord("森"), ord("湖"), 0]]))[0, :, 32:]
    assert torch.equal(out[0], vocab_ids["明"]) and torch.equal(out[2], vocab_ids["湖"])
    assert torch.equal(out[1], glyce.char_embedding.weight[1]) and torch.equal(out[3], torch.zeros(4))


def test_a_glyph_embedding_with_an_auxiliary_classifier_cannot_be_frozen():
    from glyce_allennlp.glyph import GlyphEmbedding, GlyphRenderer

    glyph = GlyphEmbedding(GlyphRenderer(["song"]), list("明湖"), output_dim=32, groups=2, progress=False)
    with pytest.raises(ValueError, match="aux_classifier=False"):
        glyph.freeze_cnn()
    assert not glyph.frozen and glyph.cnn.conv.weight.requires_grad
