"""`glyce_crf_tagger`: the batched Viterbi decoder returns exactly the stock decoder's paths (random scores, varied
masks, constrained and unconstrained CRFs, ties), and the model's outputs and metrics equal the stock `crf_tagger`'s."""
import copy
import os
import random

import pytest
import torch

from conftest import FIXTURES


def _labels(encoding):
    types = ["PER", "LOC", "ORG"]
    if encoding == "BIOUL":
        return ["O"] + [f"{p}-{t}" for t in types for p in "BIUL"]
    if encoding == "BMES":
        return [f"{p}-{t}" for t in types for p in "BMES"]
    return ["O"] + [f"{p}-{t}" for t in types for p in "BI"]


def _random_mask(rng, batch, length, kind):
    if kind == "full":
        return torch.ones(batch, length, dtype=torch.bool)
    if kind == "holes":  # the stock decoder takes the unmasked positions in order: so must we
        return torch.rand(batch, length) > 0.3
    lengths = torch.tensor([rng.randint(0, length) for _ in range(batch)])
    lengths[rng.randrange(batch)] = length  # the batch's longest sentence fills the tensor, as in a real batch
    return torch.arange(length).unsqueeze(0) < lengths.unsqueeze(1)


@pytest.mark.parametrize("encoding", ["BIOUL", "BMES", "BIO"])
def test_batched_viterbi_equals_stock_decoder_on_random_scores(encoding):
    from allennlp.modules import ConditionalRandomField
    from allennlp.modules.conditional_random_field.conditional_random_field import allowed_transitions

    from glyce_allennlp.models.fast_crf_tagger import batched_viterbi_tags

    rng = random.Random(7)
    torch.manual_seed(7)
    labels = _labels(encoding)
    index = dict(enumerate(labels))
    checked = 0
    for trial in range(80):
        constraints = allowed_transitions(encoding, index) if trial % 2 else None
        crf = ConditionalRandomField(len(labels), constraints, include_start_end_transitions=trial % 3 != 0)
        batch, length = rng.randint(1, 12), rng.randint(1, 25)
        scale = rng.choice([0.01, 1.0, 10.0, 1000.0])
        logits = torch.randn(batch, length, len(labels)) * scale
        mask = _random_mask(rng, batch, length, ["prefix", "prefix", "full", "holes"][trial % 4])
        expected = [best[0][0] for best in crf.viterbi_tags(logits, mask, top_k=1)]
        assert batched_viterbi_tags(crf, logits, mask) == expected, f"trial {trial}"
        assert batched_viterbi_tags(crf, logits, None) == [b[0][0] for b in crf.viterbi_tags(logits, None, top_k=1)]
        checked += batch
    assert checked > 300


def test_batched_viterbi_breaks_exact_ties_like_the_stock_decoder():
    """Integer scores and transitions make many exact ties; the sentences whose path goes through one are decoded
    again by the stock decoder, so the paths still agree."""
    from allennlp.modules import ConditionalRandomField
    from allennlp.modules.conditional_random_field.conditional_random_field import allowed_transitions

    from glyce_allennlp.models.fast_crf_tagger import batched_viterbi_tags

    rng = random.Random(3)
    torch.manual_seed(3)
    labels = _labels("BIOUL")
    for trial in range(150):
        constraints = allowed_transitions("BIOUL", dict(enumerate(labels))) if trial % 2 else None
        crf = ConditionalRandomField(len(labels), constraints, include_start_end_transitions=trial % 3 != 0)
        with torch.no_grad():
            crf.transitions.copy_(torch.randint(-1, 2, crf.transitions.shape).float())
            if crf.include_start_end_transitions:
                crf.start_transitions.zero_()
                crf.end_transitions.copy_(torch.randint(0, 2, crf.end_transitions.shape).float())
        batch, length = rng.randint(1, 6), rng.randint(1, 9)
        logits = torch.randint(-1, 2, (batch, length, len(labels))).float()
        mask = _random_mask(rng, batch, length, "prefix")
        expected = [best[0][0] for best in crf.viterbi_tags(logits, mask, top_k=1)]
        assert batched_viterbi_tags(crf, logits, mask) == expected, f"trial {trial}"


def test_batched_viterbi_edge_cases():
    from allennlp.modules import ConditionalRandomField

    from glyce_allennlp.models.fast_crf_tagger import batched_viterbi, batched_viterbi_tags

    crf = ConditionalRandomField(4)
    logits = torch.randn(3, 5, 4)
    mask = torch.zeros(3, 5, dtype=torch.bool)
    assert batched_viterbi_tags(crf, logits, mask) == [[], [], []]
    assert batched_viterbi_tags(crf, logits[:, :1], None) == [b[0][0] for b in crf.viterbi_tags(logits[:, :1], None, 1)]
    paths, lengths = batched_viterbi(crf, logits.double(), mask.clone().fill_(True))
    assert paths.dtype == torch.long and lengths.tolist() == [5, 5, 5]
    tags = batched_viterbi_tags(crf, logits, None)
    assert all(isinstance(tag, int) for row in tags for tag in row)


def _tagger_pair(encoding_config, **extra):
    """A stock `crf_tagger` and a `glyce_crf_tagger` with identical weights, on the NER fixture vocabulary."""
    from allennlp.common import Params
    from allennlp.data import Vocabulary
    from allennlp.models import Model

    from glyce_allennlp.dataset_readers.char_ner import CharNerDatasetReader

    reader = CharNerDatasetReader(tag_scheme="auto")
    instances = list(reader.read(os.path.join(FIXTURES, "ner", "train.bmes")))
    vocab = Vocabulary.from_instances(instances)
    config = {
        "label_encoding": "BIOUL", "constrain_crf_decoding": True, "calculate_span_f1": True, "dropout": 0.5,
        "text_field_embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 8}}},
        "encoder": {"type": "lstm", "input_size": 8, "hidden_size": 6, "bidirectional": True},
        **encoding_config, **extra,
    }
    torch.manual_seed(0)
    stock = Model.from_params(Params(copy.deepcopy({"type": "crf_tagger", **config})), vocab=vocab)
    fast = Model.from_params(Params(copy.deepcopy({"type": "glyce_crf_tagger", **config})), vocab=vocab)
    fast.load_state_dict(stock.state_dict())
    return stock, fast, instances, vocab


@pytest.mark.parametrize("crf_config", [{}, {"include_start_end_transitions": False},
                                        {"constrain_crf_decoding": False, "calculate_span_f1": False}])
def test_fast_tagger_matches_stock_crf_tagger(crf_config, components):
    from allennlp.data import Batch

    from glyce_allennlp.models.fast_crf_tagger import FastCrfTagger

    stock, fast, instances, vocab = _tagger_pair(crf_config)
    assert isinstance(fast, FastCrfTagger)
    stock.eval()
    fast.eval()
    for start in range(0, len(instances), 7):
        batch = Batch(instances[start: start + 7])
        batch.index_instances(vocab)
        tensors = batch.as_tensor_dict()
        out_stock, out_fast = stock(**tensors), fast(**tensors)
        assert out_fast["tags"] == out_stock["tags"]
        assert torch.equal(out_fast["loss"], out_stock["loss"])
        human_fast = fast.make_output_human_readable(dict(out_fast))
        assert human_fast["tags"] == stock.make_output_human_readable(dict(out_stock))["tags"]
    metrics_stock, metrics_fast = stock.get_metrics(reset=True), fast.get_metrics(reset=True)
    assert metrics_fast == metrics_stock
    assert all(type(value) is float for value in metrics_fast.values())  # Python floats: --recover loads them safely


def test_fast_tagger_top_k_uses_stock_decoder(components):
    from allennlp.data import Batch

    stock, fast, instances, vocab = _tagger_pair({}, top_k=3)
    stock.eval()
    fast.eval()
    batch = Batch(instances[:4])
    batch.index_instances(vocab)
    tensors = batch.as_tensor_dict()
    out_stock, out_fast = stock(**tensors), fast(**tensors)
    assert out_fast["tags"] == out_stock["tags"]
    assert out_fast["top_k_tags"] == out_stock["top_k_tags"]
