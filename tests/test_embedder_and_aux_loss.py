"""The `glyce` token embedder, the `glyce_aux_loss` wrapper and the λ callback."""
import pytest
import torch


@pytest.fixture
def vocab(components):
    from allennlp.data import Vocabulary

    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(list("我爱北京天安门"), "glyce_chars")
    vocab.add_tokens_to_namespace(["O", "U-LOC"], "labels")
    return vocab


def make_embedder(vocab, **kwargs):
    from glyce_allennlp.modules import GlyceTokenEmbedder

    args = dict(fonts=["song", "kai"], glyph_dim=64, groups=4, char_id_dim=16)
    args.update(kwargs)
    return GlyceTokenEmbedder(vocab, **args)


def test_output_dim_and_shapes(vocab):
    emb = make_embedder(vocab)
    assert emb.get_output_dim() == 80
    out = emb(torch.tensor([[ord(c) for c in "我爱北京"], [ord("鑫"), 0, 0, 0]]))
    assert out.shape == (2, 4, 80)
    assert make_embedder(vocab, char_id_dim=0, highway=True).get_output_dim() == 64


def test_unseen_character_gets_real_glyph_but_oov_char_id(vocab):
    emb = make_embedder(vocab)
    emb.eval()
    with torch.no_grad():
        out = emb(torch.tensor([[ord("鑫"), ord("森")]]))
    glyph_part, id_part = out[..., :64], out[..., 64:]
    assert glyph_part[0, 0].abs().sum() > 0
    assert not torch.allclose(glyph_part[0, 0], glyph_part[0, 1])  # two unseen chars, two different glyph vectors
    assert torch.allclose(id_part[0, 0], id_part[0, 1])  # both OOV on the char-ID side


def test_aux_loss_wrapper_mixes_losses_and_lambda_follows_epochs(vocab):
    from allennlp.models import Model
    from allennlp.modules.text_field_embedders import BasicTextFieldEmbedder
    from allennlp.modules.seq2seq_encoders import PassThroughEncoder
    from allennlp_models.tagging.models.crf_tagger import CrfTagger

    from glyce_allennlp.models.glyce_aux_loss import GlyceAuxiliaryLoss
    from glyce_allennlp.training.glyce_lambda_callback import GlyceLambdaCallback

    tagger = CrfTagger(vocab, BasicTextFieldEmbedder({"glyce": make_embedder(vocab)}), PassThroughEncoder(80))
    model = GlyceAuxiliaryLoss(vocab, tagger, lambda0=0.5, lambda1=0.5)
    tokens = {"glyce": {"codepoints": torch.tensor([[ord(c) for c in "我爱北京"]])}}
    tags = torch.tensor([[0, 0, 1, 1]])
    model.train()
    out = model(tokens=tokens, tags=tags)
    assert out["glyph_aux_loss"].item() > 0
    expected = 0.5 * out["task_loss"] + 0.5 * out["glyph_aux_loss"]
    assert torch.allclose(out["loss"], expected)
    out["loss"].backward()
    assert tagger.text_field_embedder.token_embedder_glyce.glyph.classifier.weight.grad.abs().sum() > 0

    class FakeTrainer:
        def __init__(self, m):
            self.model = m
            self._epochs_completed = 0

    callback = GlyceLambdaCallback(serialization_dir="/tmp")
    callback.on_start(FakeTrainer(model))
    assert model.current_lambda == 0.5
    callback.on_epoch(FakeTrainer(model), metrics={}, epoch=0)
    assert model.current_lambda == 0.25
    callback.on_epoch(FakeTrainer(model), metrics={}, epoch=1)
    assert model.current_lambda == 0.125
    metrics = model.get_metrics(reset=True)
    assert metrics["glyph_lambda"] == 0.125 and isinstance(metrics["glyph_aux_loss"], float)
    assert all(type(v) is float for v in metrics.values())  # JSON-serialisable metrics

    summed = GlyceAuxiliaryLoss(vocab, tagger, lambda0=0.5, lambda1=0.5, aux_loss_reduction="sum")
    summed.train()
    out_sum = summed(tokens=tokens, tags=tags)
    # 4 known-character tokens: the summed glyph loss is 4 × the per-token mean (same weights, same batch)
    embedder = tagger.text_field_embedder.token_embedder_glyce.glyph
    assert embedder.last_aux_tokens == 4
    assert torch.allclose(out_sum["glyph_aux_loss"], 4 * embedder.last_aux_loss)

    model.eval()
    with torch.no_grad():
        out = model(tokens=tokens, tags=tags)
    assert "glyph_aux_loss" not in out  # the auxiliary loss is a training-time term only


def test_wrapper_refuses_a_model_without_glyph_embedder(vocab):
    from allennlp.modules.text_field_embedders import BasicTextFieldEmbedder
    from allennlp.modules.token_embedders import Embedding
    from allennlp.modules.seq2seq_encoders import PassThroughEncoder
    from allennlp_models.tagging.models.crf_tagger import CrfTagger

    from glyce_allennlp.models.glyce_aux_loss import GlyceAuxiliaryLoss

    tagger = CrfTagger(vocab, BasicTextFieldEmbedder({"tokens": Embedding(8, num_embeddings=10)}),
                       PassThroughEncoder(8))
    with pytest.raises(ValueError, match="without any glyph embedder"):
        GlyceAuxiliaryLoss(vocab, tagger)


def test_indexer_rejects_multi_character_tokens(components):
    from allennlp.data.tokenizers import Token

    from glyce_allennlp.data import GlyceCharacterIndexer

    indexer = GlyceCharacterIndexer()
    assert indexer.tokens_to_indices([Token("中"), Token("文")], None) == {"codepoints": [0x4E2D, 0x6587]}
    with pytest.raises(ValueError, match="single characters"):
        indexer.tokens_to_indices([Token("中文")], None)


@pytest.mark.parametrize("options", [
    dict(),
    dict(highway=True),
    dict(projection_dim=24),
    dict(glyph_norm="layer_norm", highway=True, projection_dim=24),
    dict(char_id_dim=0, glyph_norm="layer_norm"),
    dict(projection_dim=24, position_embeddings=8),
    dict(char_id_dim=0, glyph_norm="layer_norm", glyph_scale=0.02),
    dict(projection_dim=24, position_embeddings=8, output_layer_norm=True, output_dropout=0.3),
])
def test_prediction_table_gives_exactly_the_computed_vectors(vocab, options):
    """In eval mode without gradients the embedder looks vectors up in its per-character table; they must be the
    vectors the layers compute (padding, training chars, unseen chars; a batch that adds new chars to the table)."""
    torch.manual_seed(0)
    emb = make_embedder(vocab, **options)
    emb.eval()
    first = torch.tensor([[ord(c) for c in "我爱北京"], [ord("鑫"), ord("我"), 0, 0]])
    second = torch.tensor([[ord(c) for c in "天安门森林"], [ord("我"), 0, 0, 0, 0]])
    with torch.no_grad():
        looked_up = [emb(first), emb(second), emb(first)]
    assert all(ord(c) in emb._memo for c in "我爱北京鑫天安门森林") and 0 in emb._memo
    with torch.enable_grad():  # gradients on: the table is not used
        computed = [emb(first), emb(second), emb(first)]
    for a, b in zip(looked_up, computed):
        assert torch.allclose(a, b, atol=1e-6)
    computed[1].sum().backward()  # eval mode with gradients (e.g. saliency): they reach the glyph CNN
    assert emb.glyph.cnn.conv.weight.grad.abs().sum() > 0
    assert len(emb.glyph._memo) == 0  # one table only: the embedder's (whole output per character)
    expected_dim = options.get("projection_dim") or 64 + options.get("char_id_dim", 16)
    assert looked_up[0].shape == (2, 4, expected_dim) and emb.get_output_dim() == expected_dim


def test_prediction_table_is_dropped_when_weights_change(vocab):
    emb = make_embedder(vocab, projection_dim=24)
    chars = torch.tensor([[ord(c) for c in "我爱北京"]])
    emb.eval()
    with torch.no_grad():
        before = emb(chars)
    assert len(emb._memo) == 4
    state = {k: v.clone() for k, v in emb.state_dict().items()}
    state["projection.weight"] += 1.0
    emb.load_state_dict(state)
    assert len(emb._memo) == 0
    with torch.no_grad():
        after = emb(chars)
    assert not torch.allclose(before, after)
    emb.train()  # a training step changes the weights: back in eval mode the table is rebuilt
    assert len(emb._memo) == 0
    with torch.no_grad():
        emb.projection.bias += 1.0
    emb.eval()
    with torch.no_grad():
        assert torch.allclose(emb(chars), after + 1.0, atol=1e-6)


def test_glyph_layer_norm_centres_the_glyph_part(vocab):
    emb = make_embedder(vocab, glyph_norm="layer_norm")
    out = emb(torch.tensor([[ord(c) for c in "我爱北京"] + [0]]))
    glyph_part = out[0, :, :64]
    assert torch.allclose(glyph_part[:4].mean(-1), torch.zeros(4), atol=1e-5)  # LayerNorm: zero mean per vector
    assert torch.allclose(glyph_part[:4].std(-1, unbiased=False), torch.ones(4), atol=1e-2)
    assert glyph_part[4].abs().sum() == 0  # padding stays zero
    raw = make_embedder(vocab)(torch.tensor([[ord(c) for c in "我爱北京"]]))[0, :, :64]
    assert (raw >= 0).all()  # without it: the CNN's ReLU output
    with pytest.raises(ValueError, match="glyph_norm"):
        make_embedder(vocab, glyph_norm="batch_norm")
    torch.manual_seed(0)
    scaled = make_embedder(vocab, glyph_norm="layer_norm", glyph_scale=0.02)
    torch.manual_seed(0)
    unscaled = make_embedder(vocab, glyph_norm="layer_norm")
    chars = torch.tensor([[ord(c) for c in "我爱北京"]])
    assert torch.allclose(scaled(chars)[..., :64], 0.02 * unscaled(chars)[..., :64], atol=1e-6)
    assert torch.allclose(scaled(chars)[..., 64:], unscaled(chars)[..., 64:])  # the char-ID part is not scaled


def test_char_id_part_is_initialised_like_the_baselines_embedding(vocab):
    """The char-ID part must start like AllenNLP's `embedding` (xavier-uniform), which the char-ID baselines use;
    torch's default N(0, 1) made the Glyce taggers' char-ID part ~40× larger than the baseline's."""
    from allennlp.modules.token_embedders import Embedding

    torch.manual_seed(0)
    emb = make_embedder(vocab, char_id_dim=100)
    baseline = Embedding(embedding_dim=100, num_embeddings=emb.char_embedding.num_embeddings)
    ours, theirs = emb.char_embedding.weight[1:], baseline.weight
    bound = (6.0 / sum(theirs.shape)) ** 0.5  # xavier-uniform limit for this shape
    assert ours.abs().max() <= bound and theirs.abs().max() <= bound
    assert abs(ours.std().item() - theirs.std().item()) < 0.2 * theirs.std().item()
    assert emb.char_embedding.weight[0].abs().sum() == 0  # padding row
    normal = make_embedder(vocab, char_id_dim=100, char_id_init="normal").char_embedding.weight
    assert 0.8 < normal[1:].std().item() < 1.2 and normal[0].abs().sum() == 0
    with pytest.raises(ValueError, match="char_id_init"):
        make_embedder(vocab, char_id_init="zeros")


def test_output_layer_norm_normalises_every_output_vector_after_the_positions(vocab):
    """The Glyce-BERT glyph layer: glyph ⊕ char-ID + position embedding, then a LayerNorm (as BERT's embeddings)."""
    torch.manual_seed(0)
    emb = make_embedder(vocab, position_embeddings=8, output_layer_norm=True)
    chars = torch.tensor([[ord(c) for c in "我爱北京"] + [0], [ord("鑫"), ord("我"), 0, 0, 0]])
    out = emb(chars)
    assert out.shape == (2, 5, 80)
    assert torch.allclose(out.mean(-1), torch.zeros(2, 5), atol=1e-5)  # every vector, padding included
    assert torch.allclose(out.std(-1, unbiased=False), torch.ones(2, 5), atol=1e-2)
    # applied after the position embeddings: the same character at two positions gets two normalised vectors
    assert not torch.allclose(out[0, 0], out[1, 1])
    torch.manual_seed(0)
    plain = make_embedder(vocab, position_embeddings=8)(chars)
    assert torch.allclose(out, torch.nn.functional.layer_norm(plain, (80,)), atol=1e-5)
    assert not torch.allclose(plain.mean(-1), torch.zeros(2, 5), atol=1e-3)  # default: no normalisation


def test_output_dropout_acts_in_training_mode_only(vocab):
    torch.manual_seed(0)
    emb = make_embedder(vocab, position_embeddings=8, output_layer_norm=True, output_dropout=0.5)
    torch.manual_seed(0)
    reference = make_embedder(vocab, position_embeddings=8, output_layer_norm=True)
    chars = torch.tensor([[ord(c) for c in "我爱北京天安门"]])
    emb.train()
    reference.train()
    dropped, kept = emb(chars), reference(chars)
    zeros = (dropped == 0) & (kept != 0)
    assert 0.3 < zeros.float().mean().item() < 0.7  # about half the entries dropped
    assert torch.allclose(dropped[~zeros], 2.0 * kept[~zeros], atol=1e-5)  # the others scaled by 1 / (1 − p)
    emb.eval()
    reference.eval()
    with torch.no_grad():  # evaluation: no dropout, with and without the prediction table
        assert torch.allclose(emb(chars), reference(chars), atol=1e-6)
    assert torch.allclose(emb(chars), reference(chars), atol=1e-6)
    with pytest.raises(ValueError, match="output_dropout"):
        make_embedder(vocab, output_dropout=1.0)


def _wrapped_tagger(vocab, **wrapper_args):
    from allennlp.modules.seq2seq_encoders import PassThroughEncoder
    from allennlp.modules.text_field_embedders import BasicTextFieldEmbedder
    from allennlp_models.tagging.models.crf_tagger import CrfTagger

    from glyce_allennlp.models.glyce_aux_loss import GlyceAuxiliaryLoss

    tagger = CrfTagger(vocab, BasicTextFieldEmbedder({"glyce": make_embedder(vocab)}), PassThroughEncoder(80))
    return GlyceAuxiliaryLoss(vocab, tagger, **wrapper_args)


class _FakeTrainer:
    def __init__(self, model, epochs_completed=0):
        self.model = model
        self._epochs_completed = epochs_completed


def test_lambda_counts_from_start_epoch_and_is_zero_before(vocab):
    """Staged Glyce-BERT: with start_epoch = 2 (the glyph stage), λ is 0 in epochs 0-1 and λ0 in epoch 2."""
    from allennlp.common.checks import ConfigurationError

    from glyce_allennlp.training.glyce_lambda_callback import GlyceLambdaCallback

    model = _wrapped_tagger(vocab, lambda0=0.1, lambda1=0.8)
    callback = GlyceLambdaCallback(serialization_dir="/tmp", start_epoch=2)
    trainer = _FakeTrainer(model)
    callback.on_start(trainer)
    lambdas = [model.current_lambda]
    for epoch in range(5):
        callback.on_epoch(trainer, metrics={}, epoch=epoch)
        lambdas.append(model.current_lambda)
    expected = [0.0, 0.0, 0.1, 0.08, 0.064, 0.0512]
    assert lambdas == pytest.approx(expected, abs=1e-12)
    assert model.get_metrics()["glyph_lambda"] == pytest.approx(0.0512)

    # `allennlp train --recover` after 3 completed epochs: a fresh model and callback continue with epoch 3's λ
    recovered = _wrapped_tagger(vocab, lambda0=0.1, lambda1=0.8)
    callback = GlyceLambdaCallback(serialization_dir="/tmp", start_epoch=2)
    trainer = _FakeTrainer(recovered, epochs_completed=3)
    callback.on_start(trainer)
    lambdas = [recovered.current_lambda]
    for epoch in (3, 4):
        callback.on_epoch(trainer, metrics={}, epoch=epoch)
        lambdas.append(recovered.current_lambda)
    assert lambdas == pytest.approx(expected[3:], abs=1e-12)

    # before start_epoch the auxiliary term does not enter the loss
    callback.on_start(_FakeTrainer(recovered, epochs_completed=1))
    recovered.train()
    out = recovered(tokens={"glyce": {"codepoints": torch.tensor([[ord(c) for c in "我爱北京"]])}},
                    tags=torch.tensor([[0, 0, 1, 1]]))
    assert torch.equal(out["loss"], out["task_loss"])
    with pytest.raises(ConfigurationError, match="start_epoch"):
        GlyceLambdaCallback(serialization_dir="/tmp", start_epoch=-1)


def test_aux_loss_metrics_pass_non_scalar_metrics_through(vocab):
    """A wrapped model may report lists, dicts or strings as metrics: only numeric scalars become floats."""
    import numpy

    model = _wrapped_tagger(vocab)
    inner = {"f1": numpy.float32(0.5), "count": 3, "loss": torch.tensor(0.25), "accuracy": numpy.array(0.75),
             "per_label": [0.1, 0.2], "report": {"LOC": {"f1": 0.4}}, "note": "ok", "scores": torch.tensor([1.0, 2.0])}
    model.model.get_metrics = lambda reset=False: dict(inner)
    metrics = model.get_metrics()
    assert {k: metrics[k] for k in ("f1", "count", "loss", "accuracy")} == {"f1": 0.5, "count": 3.0, "loss": 0.25,
                                                                          "accuracy": 0.75}
    assert all(type(metrics[k]) is float for k in ("f1", "count", "loss", "accuracy", "glyph_lambda"))
    assert metrics["per_label"] == [0.1, 0.2] and metrics["report"] == {"LOC": {"f1": 0.4}}
    assert metrics["note"] == "ok" and torch.equal(metrics["scores"], torch.tensor([1.0, 2.0]))
