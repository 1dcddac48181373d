"""Glyce-BERT inputs line up: BERT wordpieces, glyph characters and tags (tagging, via
`pretrained_transformer_mismatched`), and [CLS]/[SEP] (classification and pairs, via `bert_sentence_input`), with
whitespace, Latin letters, digits and characters BERT does not know; long inputs never crash (overlapping windows
for tagging, truncation for classification); glyph position embeddings; the sliding-window embedder matches BERT."""
import pytest
import torch

from glyce_bert_support import MAX_POSITIONS, NOT_IN_VOCAB, bert_vars, tiny_bert  # noqa: F401 (fixtures)

MIXED = "张伟 用iPhone12 拍照，在 北京" + NOT_IN_VOCAB  # whitespace, Latin letters, digits, full-width comma, [UNK]


def _index(instance, vocab=None):
    from allennlp.data import Batch, Vocabulary

    vocab = vocab or Vocabulary.from_instances([instance])
    batch = Batch([instance])
    batch.index_instances(vocab)
    return batch.as_tensor_dict(), vocab


def _hf(tiny_bert):
    from allennlp.common import cached_transformers

    return cached_transformers.get_tokenizer(tiny_bert)


def test_tagging_alignment_wordpieces_glyphs_tags(tiny_bert, components):
    from allennlp.data.token_indexers import PretrainedTransformerMismatchedIndexer

    from glyce_allennlp.data import GlyceCharacterIndexer
    from glyce_allennlp.dataset_readers import CharNerDatasetReader

    reader = CharNerDatasetReader(token_indexers={"bert": PretrainedTransformerMismatchedIndexer(tiny_bert),
                                                  "glyph": GlyceCharacterIndexer()})
    chars = [c for c in MIXED]
    tags = ["O" if c.isspace() else "U-PER" for c in chars]
    instance = reader.text_to_instance(chars, tags)
    kept = [c for c in MIXED if not c.isspace()]
    assert [t.text for t in instance["tokens"].tokens] == kept  # whitespace dropped, one token per character
    assert len(instance["tags"].labels) == len(kept)
    tensors, _ = _index(instance)
    bert, glyph = tensors["tokens"]["bert"], tensors["tokens"]["glyph"]
    hf = _hf(tiny_bert)
    ids = bert["token_ids"][0].tolist()
    offsets = bert["offsets"][0].tolist()
    assert ids[0] == hf.cls_token_id and ids[-1] == hf.sep_token_id
    assert len(offsets) == len(kept) == glyph["codepoints"].shape[1] == bert["mask"].shape[1]
    for char, (start, end), codepoint in zip(kept, offsets, glyph["codepoints"][0].tolist()):
        assert start == end  # exactly one wordpiece per character
        expected = hf.convert_tokens_to_ids(char.lower())
        assert ids[start] == (expected if char != NOT_IN_VOCAB else hf.unk_token_id)
        assert codepoint == ord(char)  # the glyph side sees the character itself (also for [UNK] and Latin)


def test_character_without_wordpiece_gets_zero_bert_vector(tiny_bert, components):
    """A character the BERT tokenizer deletes (U+200B, a format character) still is one position on both sides:
    BERT side zero vector (no wordpiece), glyph side its glyph."""
    from allennlp.data.token_indexers import PretrainedTransformerMismatchedIndexer

    from glyce_allennlp.dataset_readers import CharNerDatasetReader
    from glyce_allennlp.modules.sliding_window_embedder import SlidingWindowMismatchedEmbedder

    reader = CharNerDatasetReader(token_indexers={"bert": PretrainedTransformerMismatchedIndexer(tiny_bert)})
    instance = reader.text_to_instance(list("北\u200b京"), ["O", "O", "O"])
    tensors, _ = _index(instance)
    assert tensors["tokens"]["bert"]["offsets"][0].tolist()[1] == [-1, -1]
    embedder = SlidingWindowMismatchedEmbedder(tiny_bert).eval()
    with torch.no_grad():
        out = embedder(**tensors["tokens"]["bert"])
    assert out.shape[1] == 3 and out[0, 1].abs().sum() == 0 and out[0, 0].abs().sum() > 0


def _classification_reader(tiny_bert, pair=False, max_length=None):
    from allennlp.data.token_indexers import PretrainedTransformerIndexer

    from glyce_allennlp.data import GlyceCharacterIndexer
    from glyce_allennlp.dataset_readers import (BertSentenceInputReader, ChineseSentencePairDatasetReader,
                                                ChineseTextClassificationDatasetReader)

    inner = ChineseSentencePairDatasetReader() if pair else ChineseTextClassificationDatasetReader()
    indexers = {"bert": PretrainedTransformerIndexer(tiny_bert),
                "glyph": GlyceCharacterIndexer(special_tokens=["[CLS]", "[SEP]"])}
    return BertSentenceInputReader(inner, tiny_bert, max_length=max_length, token_indexers=indexers)


def test_classification_alignment_cls_sep(tiny_bert, components):
    reader = _classification_reader(tiny_bert)
    instance = reader.text_to_instance(MIXED, "1")
    kept = [c for c in MIXED if not c.isspace()]
    assert [t.text for t in instance["tokens"].tokens] == ["[CLS]"] + kept + ["[SEP]"]
    assert instance["label"].label == "1" and set(instance.fields) == {"tokens", "label"}
    tensors, vocab = _index(instance)
    hf = _hf(tiny_bert)
    ids = tensors["tokens"]["bert"]["token_ids"][0].tolist()
    codepoints = tensors["tokens"]["glyph"]["codepoints"][0].tolist()
    assert ids == ([hf.cls_token_id] + [hf.convert_tokens_to_ids(c.lower()) if c != NOT_IN_VOCAB else hf.unk_token_id
                                        for c in kept] + [hf.sep_token_id])
    assert codepoints == [0] + [ord(c) for c in kept] + [0]  # [CLS]/[SEP]: code point 0 = zero glyph vector
    assert tensors["tokens"]["bert"]["type_ids"][0].tolist() == [0] * len(ids)
    glyph_chars = vocab.get_token_to_index_vocabulary("glyce_chars")
    assert "[CLS]" not in glyph_chars and "[SEP]" not in glyph_chars and "张" in glyph_chars


def test_pair_alignment_cls_sep_sep_and_segments(tiny_bert, components):
    reader = _classification_reader(tiny_bert, pair=True)
    instance = reader.text_to_instance("杭州 有什么", "iPhone好吃的？", "0")
    s1, s2 = list("杭州有什么"), list("iPhone好吃的？")
    assert [t.text for t in instance["tokens"].tokens] == ["[CLS]"] + s1 + ["[SEP]"] + s2 + ["[SEP]"]
    assert set(instance.fields) == {"tokens", "label"}  # premise / hypothesis replaced
    tensors, _ = _index(instance)
    codepoints = tensors["tokens"]["glyph"]["codepoints"][0].tolist()
    assert codepoints == [0] + [ord(c) for c in s1] + [0] + [ord(c) for c in s2] + [0]
    assert tensors["tokens"]["bert"]["type_ids"][0].tolist() == [0] * (len(s1) + 2) + [1] * (len(s2) + 1)


def test_truncation_single_and_pairs_longest_first(tiny_bert, components):
    reader = _classification_reader(tiny_bert)
    assert reader.max_length == MAX_POSITIONS  # from the BERT's config
    instance = reader.text_to_instance("好" * 500, "1")
    tokens = [t.text for t in instance["tokens"].tokens]
    assert len(tokens) == MAX_POSITIONS and tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    pair = _classification_reader(tiny_bert, pair=True)
    budget = MAX_POSITIONS - 3
    for n1, n2, expected in ((100, 10, (budget - 10, 10)), (10, 100, (10, budget - 10)), (40, 40, (31, 30)),
                             (5, 6, (5, 6))):
        c1, c2 = pair.truncate(["甲"] * n1, ["乙"] * n2)
        assert (len(c1), len(c2)) == expected
    instance = pair.text_to_instance("甲" * 300, "乙" * 20, "1")
    texts = [t.text for t in instance["tokens"].tokens]
    assert len(texts) == MAX_POSITIONS and texts.count("乙") == 20 and texts.count("[SEP]") == 2
    tensors, _ = _index(instance)
    assert tensors["tokens"]["bert"]["token_ids"].shape[1] == MAX_POSITIONS


def test_glyph_position_embeddings(components):
    from allennlp.data import Vocabulary

    from glyce_allennlp.modules.glyce_token_embedder import GlyceTokenEmbedder

    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(list("北京天气"), "glyce_chars")
    plain = GlyceTokenEmbedder(vocab, fonts=["song"], glyph_dim=64, aux_classifier=False)
    assert plain.position_embedding is None  # default: unchanged behaviour
    embedder = GlyceTokenEmbedder(vocab, fonts=["song"], glyph_dim=64, aux_classifier=False, position_embeddings=8)
    embedder.eval()
    codepoints = torch.tensor([[0] + [ord(c) for c in "北京天气"] + [0], [0, ord("北"), 0, 0, 0, 0]])
    with torch.no_grad():
        out = embedder(codepoints)
        glyphs = embedder.glyph(codepoints)
    table = embedder.position_embedding.weight
    assert torch.allclose(out[0, 0], table[0])  # [CLS]: zero glyph + position 0
    assert torch.allclose(out[0, 5], table[5])  # [SEP]
    assert torch.allclose(out - glyphs, table[:6].unsqueeze(0).expand(2, -1, -1), atol=1e-6)
    assert torch.allclose(out[0, 1] - table[1], out[1, 1] - table[1])  # same character, same glyph vector
    with torch.no_grad():  # longer than the table: the positions past it share its last row
        long = embedder(torch.full((1, 20), ord("北")))
    assert torch.allclose(long[0, 19], long[0, 7]) and not torch.allclose(long[0, 6], long[0, 7])


def _stock_and_sliding(tiny_bert, **kwargs):
    from allennlp.modules.token_embedders import PretrainedTransformerMismatchedEmbedder

    from glyce_allennlp.modules.sliding_window_embedder import SlidingWindowMismatchedEmbedder

    torch.manual_seed(0)
    stock = PretrainedTransformerMismatchedEmbedder(tiny_bert).eval()
    sliding = SlidingWindowMismatchedEmbedder(tiny_bert, **kwargs).eval()
    sliding.load_state_dict(stock.state_dict())
    return stock, sliding


def _tagging_batch(tiny_bert, sentences):
    from allennlp.data import Batch, Vocabulary
    from allennlp.data.token_indexers import PretrainedTransformerMismatchedIndexer

    from glyce_allennlp.dataset_readers import CharNerDatasetReader

    reader = CharNerDatasetReader(token_indexers={"bert": PretrainedTransformerMismatchedIndexer(tiny_bert)})
    batch = Batch([reader.text_to_instance(list(s)) for s in sentences])
    batch.index_instances(Vocabulary())
    return batch.as_tensor_dict()["tokens"]["bert"]


def test_sliding_window_embedder_short_input_is_the_stock_embedder(tiny_bert, components):
    stock, sliding = _stock_and_sliding(tiny_bert)
    assert sliding.window == MAX_POSITIONS and sliding.overlap == (MAX_POSITIONS - 2) // 4
    inputs = _tagging_batch(tiny_bert, ["张伟在北京工作。", "李娜"])
    with torch.no_grad():
        assert torch.equal(stock(**inputs), sliding(**inputs))


def test_sliding_window_embedder_long_input(tiny_bert, components):
    """150 characters with 64 positions: windows of 62 content wordpieces, starting 47 apart (overlap 15); each
    character gets BERT's vector from the window where it is most central; a short row in the same batch is
    unaffected; the stock embedder cannot run it at all."""
    from allennlp.nn import util

    stock, sliding = _stock_and_sliding(tiny_bert)
    text = ("王鑫在上海参观了人民日报。中国银行和新华社签署了合作协议。陈静经常去杭州出差。" * 4)[:150]
    short = "张伟今天在北京工作。" * 4  # 40 characters
    inputs = _tagging_batch(tiny_bert, [text, short])
    assert inputs["token_ids"].shape[1] == 152 > MAX_POSITIONS
    with pytest.raises(Exception):
        with torch.no_grad():
            stock(**inputs)
    with torch.no_grad():
        out = sliding(**inputs)
    assert out.shape == (2, 150, 32) and torch.isfinite(out).all()
    starts = sliding.window_starts(150)
    assert starts == [0, 47, 94]
    bert = stock._matched_embedder
    ids = inputs["token_ids"][0]
    cls, sep = ids[:1], ids[151:152]
    with torch.no_grad():
        content = [ids[1 + s:min(1 + s + 62, 151)] for s in starts]
        windows = [bert(torch.cat([cls, c, sep]).unsqueeze(0), torch.ones(1, 2 + len(c), dtype=torch.bool))[0]
                   for c in content]
    # character p (one wordpiece each) → the window maximising min(p - start, start + 61 - p)
    for p in (0, 20, 30, 31, 55, 70, 78, 79, 100, 120, 149):
        best = max(range(3), key=lambda k: min(p - starts[k], starts[k] + 61 - p) if starts[k] <= p < starts[k] + 62
                   else -1)
        assert torch.allclose(out[0, p], windows[best][1 + p - starts[best]], atol=1e-5), p
    # the short row: exactly what BERT gives it alone
    alone = _tagging_batch(tiny_bert, [short])
    with torch.no_grad():
        assert torch.allclose(out[1, :40], stock(**alone)[0], atol=1e-5)
    assert util.get_text_field_mask({"bert": inputs}).shape == (2, 150)


def test_sliding_window_configuration_errors(tiny_bert, components):
    from allennlp.common.checks import ConfigurationError

    from glyce_allennlp.modules.sliding_window_embedder import SlidingWindowMismatchedEmbedder

    with pytest.raises(ConfigurationError, match="overlap"):
        SlidingWindowMismatchedEmbedder(tiny_bert, overlap=62)
    with pytest.raises(ConfigurationError, match="max_length"):
        SlidingWindowMismatchedEmbedder(tiny_bert, max_length=32)
    assert SlidingWindowMismatchedEmbedder(tiny_bert, window=16, overlap=4).window_starts(30) == [0, 10, 20]
