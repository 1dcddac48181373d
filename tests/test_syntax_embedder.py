"""Glyce word embeddings: the glyce_word_characters indexer and the glyce_word embedder — shapes, padding,
pooling variants, gradients, unseen words/characters, and the aux-loss wrapper finding its GlyphEmbedding."""
import pytest
import torch

FONTS = ["song", "traditional"]  # two channels keep the tests fast
GLYPH_DIM = 64


def words_vocab(words, word_namespace="glyce_words"):
    from allennlp.data import Token, Vocabulary

    from glyce_allennlp.data.glyce_word_indexer import GlyceWordCharactersIndexer

    from collections import Counter, defaultdict

    counter = defaultdict(Counter)
    indexer = GlyceWordCharactersIndexer(word_namespace=word_namespace)
    for w in words:
        indexer.count_vocab_items(Token(w), counter)
    return Vocabulary(counter), indexer


TRAIN_WORDS = ["北京", "大學", "學生", "在", "工作", "。", "新華社"]


@pytest.fixture
def vocab_and_indexer(components):
    return words_vocab(TRAIN_WORDS)


def embedder(vocab, **kwargs):
    from glyce_allennlp.modules.glyce_word_embedder import GlyceWordEmbedder

    params = dict(fonts=FONTS, glyph_dim=GLYPH_DIM, groups=16)
    params.update(kwargs)
    return GlyceWordEmbedder(vocab, **params)


def batch(vocab, indexer, sentences):
    from allennlp.data import Batch, Instance, Token
    from allennlp.data.fields import TextField

    instances = [Instance({"words": TextField([Token(w) for w in s], {"glyce": indexer})}) for s in sentences]
    b = Batch(instances)
    b.index_instances(vocab)
    return b.as_tensor_dict()["words"]["glyce"]


def test_indexer_counts_chars_and_words_and_pads(vocab_and_indexer):
    vocab, indexer = vocab_and_indexer
    assert set(vocab.get_token_to_index_vocabulary("glyce_chars")) >= set("北京大學生在工作。新華社")
    assert vocab.get_token_index("學生", "glyce_words") > 1
    tensors = batch(vocab, indexer, [["北京", "大學"], ["新華社", "在", "龘龘龘龘"]])
    assert tensors["codepoints"].shape == (2, 3, 4)  # (batch, num_words, max_chars)
    assert tensors["codepoints"][0, 0].tolist() == [ord("北"), ord("京"), 0, 0]
    assert tensors["codepoints"][0, 2].tolist() == [0, 0, 0, 0]  # padding word
    assert tensors["word_ids"].shape == (2, 3)
    assert tensors["word_ids"][0, 2] == 0 and tensors["word_ids"][1, 2] == vocab.get_token_index("@@UNKNOWN@@",
                                                                                                  "glyce_words")


def test_indexer_options(components):
    from allennlp.data import Token, Vocabulary

    from glyce_allennlp.data.glyce_word_indexer import GlyceWordCharactersIndexer

    indexer = GlyceWordCharactersIndexer(word_namespace=None, max_chars_per_word=2, min_chars_per_word=3)
    indexed = indexer.tokens_to_indices([Token("中華 民國"), Token("好")], Vocabulary())
    assert indexed == {"codepoints": [[ord("中"), ord("華")], [ord("好")]]}  # whitespace skipped, truncated
    padded = indexer.as_padded_tensor_dict(indexed, indexer.get_padding_lengths(indexed))
    assert set(padded) == {"codepoints"} and padded["codepoints"].shape == (2, 3)


@pytest.mark.parametrize("pooling,pooling_dim,expected", [("max", None, GLYPH_DIM), ("mean", None, GLYPH_DIM),
                                                          ("cnn", 48, 48), ("lstm", 40, 40)])
def test_shapes_padding_and_gradients(vocab_and_indexer, pooling, pooling_dim, expected):
    vocab, indexer = vocab_and_indexer
    module = embedder(vocab, pooling=pooling, pooling_dim=pooling_dim, word_id_dim=8)
    assert module.get_output_dim() == expected + 8
    tensors = batch(vocab, indexer, [["北京", "大學"], ["新華社", "在", "學生"]])
    module.train()
    out = module(**tensors)
    assert out.shape == (2, 3, expected + 8)
    assert out[0, 2].abs().sum() == 0  # padding word: zero pooled part and the padding word-ID row
    out.sum().backward()
    cnn_grads = [p.grad for p in module.char_embedder.glyph.cnn.parameters() if p.grad is not None]
    assert cnn_grads and any(g.abs().sum() > 0 for g in cnn_grads)
    assert module.word_embedding.weight.grad.abs().sum() > 0
    # the auxiliary loss is over the batch's real characters (2+2 + 3+1+2), not padding
    assert module.glyph.last_aux_tokens == 10 and module.glyph.last_aux_loss > 0


def test_max_pooling_is_the_max_over_the_characters(vocab_and_indexer):
    vocab, indexer = vocab_and_indexer
    module = embedder(vocab).eval()
    tensors = batch(vocab, indexer, [["北京", "在"]])
    with torch.no_grad():
        words = module(**tensors)
        chars = module.char_embedder(torch.tensor([[ord("北"), ord("京")]]))
    assert torch.allclose(words[0, 0], chars[0].max(dim=0).values)


def test_cnn_and_lstm_pooling_handle_words_shorter_than_filters(vocab_and_indexer):
    vocab, indexer = vocab_and_indexer
    for module in (embedder(vocab, pooling="cnn", pooling_dim=30, cnn_widths=[2, 3, 5]), embedder(vocab, pooling="lstm")):
        out = module(**batch(vocab, indexer, [["在", "。"]]))
        assert torch.isfinite(out).all() and out.abs().sum() > 0


def test_unseen_word_and_character_get_real_glyph_vectors(vocab_and_indexer):
    vocab, indexer = vocab_and_indexer
    module = embedder(vocab, word_id_dim=8).eval()
    assert "龘" not in vocab.get_token_to_index_vocabulary("glyce_chars")
    tensors = batch(vocab, indexer, [["龘龘", "京大"]])  # unseen character; unseen word of seen characters
    assert tensors["word_ids"][0].tolist() == [1, 1]  # both OOV for the word-ID part
    with torch.no_grad():
        out = module(**tensors)
    glyph_part = out[0, :, :GLYPH_DIM]
    assert (glyph_part.abs().sum(-1) > 0).all()
    assert not torch.allclose(glyph_part[0], glyph_part[1])  # not an UNK vector: different words differ
    assert not module.glyph.is_missing("龘")


def test_word_ids_required_for_word_id_dim_and_bad_pooling(components):
    vocab, indexer = words_vocab(TRAIN_WORDS, word_namespace=None)
    module = embedder(vocab, word_id_dim=4)
    with pytest.raises(ValueError, match="word_ids"):
        module(**batch(vocab, indexer, [["北京"]]))
    with pytest.raises(ValueError, match="pooling"):
        embedder(vocab, pooling="attention")


def test_aux_loss_wrapper_finds_the_word_embedders_glyph_module(vocab_and_indexer):
    from allennlp.models import Model
    from allennlp.modules.text_field_embedders import BasicTextFieldEmbedder

    from glyce_allennlp.glyph import GlyphEmbedding
    from glyce_allennlp.models.glyce_aux_loss import GlyceAuxiliaryLoss

    vocab, indexer = vocab_and_indexer

    class Tiny(Model):
        def __init__(self, vocab):
            super().__init__(vocab)
            self.embedder = BasicTextFieldEmbedder({"glyce": embedder(vocab)})

        def forward(self, words):
            return {"loss": self.embedder(words).pow(2).mean()}

    wrapper = GlyceAuxiliaryLoss(vocab, Tiny(vocab), lambda0=0.5, lambda1=1.0, aux_loss_reduction="mean")
    assert len(wrapper._glyph_modules) == 1 and isinstance(wrapper._glyph_modules[0], GlyphEmbedding)
    wrapper.train()
    output = wrapper(words={"glyce": batch(vocab, indexer, [["北京", "大學"]])})
    assert output["glyph_aux_loss"] > 0
    assert torch.allclose(output["loss"], 0.5 * output["task_loss"] + 0.5 * output["glyph_aux_loss"])
