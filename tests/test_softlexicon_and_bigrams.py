"""The ``char_bigrams`` and ``softlexicon`` indexers, the ``softlexicon`` embedder, and AllenNLP's standard
``embedding`` reading the word2vec text fixtures (plain and gzip, with their header line)."""
import os

import pytest
import torch
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError
from allennlp.data import Batch, Instance, Token, Vocabulary
from allennlp.data.fields import TextField
from allennlp.data.token_indexers import SingleIdTokenIndexer
from allennlp.modules.text_field_embedders import BasicTextFieldEmbedder
from allennlp.modules.token_embedders import Embedding

from conftest import FIXTURES
from glyce_allennlp.data.char_bigram_indexer import CharBigramIndexer
from glyce_allennlp.data.softlexicon_indexer import SoftLexiconIndexer
from glyce_allennlp.modules.softlexicon_embedder import SoftLexiconEmbedder
from glyce_allennlp.vectors.lexicon import NONE_ID, Lexicon

VECTORS = os.path.join(FIXTURES, "vectors")
BIGRAMS = os.path.join(VECTORS, "bigrams.vec.gz")
CHARS = os.path.join(VECTORS, "chars.vec")
WORDS = os.path.join(VECTORS, "words.vec")
LEXICON = os.path.join(VECTORS, "lexicon.tsv")


def vec_rows(path):
    import gzip

    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()[1:]
    return {line.split(" ")[0]: [float(x) for x in line.split(" ")[1:]] for line in lines}


def instances(sentences, indexers):
    return [Instance({"tokens": TextField([Token(c) for c in s], indexers)}) for s in sentences]


def bigram_vocab(sentences, indexers):
    return Vocabulary.from_params(Params({"type": "from_instances", "pretrained_files": {"char_bigrams": BIGRAMS},
                                          "min_pretrained_embeddings": {"char_bigrams": -1}}),
                                  instances=instances(sentences, indexers))


def test_bigram_ids_are_the_bigram_each_character_starts_from_the_pretrained_file():
    indexers = {"bigrams": CharBigramIndexer()}
    vocab = bigram_vocab(["张伟在北京"], indexers)
    assert vocab.get_vocab_size("char_bigrams") == 2 + 10  # padding, OOV, the file's 10 bigrams (not its header)
    ids = indexers["bigrams"].tokens_to_indices([Token(c) for c in "中国银行。"], vocab)["bigram_ids"]
    assert ids == [vocab.get_token_index(b, "char_bigrams") for b in ["中国", "国银", "银行", "行。", "。</s>"]]
    assert ids[3] == 1 and min(ids[:3] + ids[4:]) >= 2  # 行。 has no vector: OOV
    with pytest.raises(ValueError, match="single characters"):
        indexers["bigrams"].tokens_to_indices([Token("北京")], vocab)


def test_bigram_indexer_refuses_a_vocabulary_without_bigrams():
    indexers = {"bigrams": CharBigramIndexer()}
    vocab = Vocabulary.from_instances(instances(["张伟在北京"], indexers))
    with pytest.raises(ConfigurationError, match="pretrained_files"):
        indexers["bigrams"].tokens_to_indices([Token("张")], vocab)


def test_standard_embedding_reads_gzip_and_plain_word2vec_files_with_their_header():
    indexers = {"bigrams": CharBigramIndexer(), "chars": SingleIdTokenIndexer(namespace="chars")}
    vocab = bigram_vocab(["张伟在北京", "中国"], indexers)
    bigrams = Embedding(embedding_dim=4, vocab=vocab, vocab_namespace="char_bigrams", pretrained_file=BIGRAMS)
    chars = Embedding(embedding_dim=8, vocab=vocab, vocab_namespace="chars", pretrained_file=CHARS)
    for embedding, namespace, path in (bigrams, "char_bigrams", BIGRAMS), (chars, "chars", CHARS):
        rows = vec_rows(path)
        for token, index in vocab.get_token_to_index_vocabulary(namespace).items():
            if token in rows:
                assert embedding.weight[index].tolist() == pytest.approx(rows[token], abs=1e-6)
    assert "10" not in vocab.get_token_to_index_vocabulary("char_bigrams")  # the header "10 4" is not a token


def test_softlexicon_indexer_pads_sets_to_the_longest_of_the_batch():
    indexer = SoftLexiconIndexer(LEXICON)
    lexicon = Lexicon.read(LEXICON)
    batch = Batch(instances(["中国移动", "上海"], {"lexicon": indexer}))
    batch.index_instances(Vocabulary())
    tensors = batch.as_tensor_dict()["tokens"]["lexicon"]
    ids, weights = tensors["lexicon_ids"], tensors["lexicon_weights"]
    assert ids.shape == weights.shape == (2, 4, 4, 2)
    # 中: B {中国: 3, 中国移动: 5}; M, E empty; S empty (中 is not a lexicon word); Z = 3 + 5 + 3
    assert ids[0, 0].tolist() == [[lexicon.ids["中国"], lexicon.ids["中国移动"]], [NONE_ID, 0], [NONE_ID, 0],
                                  [NONE_ID, 0]]
    assert weights[0, 0].flatten().tolist() == pytest.approx([12 / 11, 20 / 11, 4 / 11, 0, 4 / 11, 0, 4 / 11, 0])
    # 上海: 上 B {上海: 4} (Z 7); the padded characters 3, 4 of sentence 2: id 0, weight 0
    assert ids[1, 0, 0, 0] == lexicon.ids["上海"] and weights[1, 0, 0, 0] == pytest.approx(16 / 7)
    assert ids[1, 2:].eq(0).all() and weights[1, 2:].eq(0).all()


def test_softlexicon_embedder_pools_each_set_with_the_weights():
    embedder = SoftLexiconEmbedder(LEXICON, embedding_dim=4, pretrained_file=WORDS, trainable=False)
    lexicon = Lexicon.read(LEXICON)
    rows = vec_rows(WORDS)
    weight = embedder.embedding.weight
    assert weight.shape == (len(lexicon) + 2, 4) and not weight.requires_grad
    for word, index in lexicon.ids.items():
        if word in rows:
            assert weight[index].tolist() == pytest.approx(rows[word], abs=1e-6)
    assert "国家" not in rows and weight[lexicon.ids["国家"]].abs().sum() > 0  # no vector: random start
    ids = torch.tensor([[[[lexicon.ids["中国"], lexicon.ids["中国移动"]], [NONE_ID, 0], [NONE_ID, 0], [NONE_ID, 0]]]])
    weights = torch.tensor([[[[0.5, 2.0], [1.0, 0.0], [0.25, 0.0], [0.25, 0.0]]]])
    output = embedder(ids, weights)
    assert output.shape == (1, 1, 16) and embedder.get_output_dim() == 16
    expected_b = 0.5 * torch.tensor(rows["中国"]) + 2.0 * torch.tensor(rows["中国移动"])
    assert output[0, 0, :4].tolist() == pytest.approx(expected_b.tolist(), abs=1e-6)
    assert output[0, 0, 4:8].tolist() == pytest.approx(weight[NONE_ID].tolist(), abs=1e-6)
    assert output[0, 0, 8:12].tolist() == pytest.approx((0.25 * weight[NONE_ID]).tolist(), abs=1e-6)
    assert SoftLexiconEmbedder(LEXICON, embedding_dim=4).embedding.weight.requires_grad  # default: fine-tuned


def test_text_field_composes_chars_bigrams_and_softlexicon(components):
    indexers = {"chars": SingleIdTokenIndexer(namespace="chars"), "bigrams": CharBigramIndexer(),
                "lexicon": SoftLexiconIndexer(LEXICON)}
    sentences = ["中国银行在上海", "北京"]
    vocab = bigram_vocab(sentences, indexers)
    embedder = BasicTextFieldEmbedder.from_params(vocab=vocab, params=Params({"token_embedders": {
        "chars": {"type": "embedding", "embedding_dim": 8, "vocab_namespace": "chars", "pretrained_file": CHARS},
        "bigrams": {"type": "embedding", "embedding_dim": 4, "vocab_namespace": "char_bigrams",
                    "pretrained_file": BIGRAMS},
        "lexicon": {"type": "softlexicon", "lexicon_file": LEXICON, "embedding_dim": 4, "pretrained_file": WORDS},
    }}))
    batch = Batch(instances(sentences, indexers))
    batch.index_instances(vocab)
    tokens = batch.as_tensor_dict()["tokens"]
    output = embedder(tokens)
    assert output.shape == (2, 7, 8 + 4 + 16) == (2, 7, embedder.get_output_dim())
    from allennlp.nn.util import get_text_field_mask

    assert get_text_field_mask(tokens).sum(dim=1).tolist() == [7, 2]
