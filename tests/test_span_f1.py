"""The BMES-with-O evaluation trap (data/NOTES.md): NER tags are converted to BIOUL, and span F1 matches a hand count."""
import pytest


def f1_of(gold_tags, predicted_tags, encoding):
    import torch
    from allennlp.data import Vocabulary
    from allennlp.training.metrics import SpanBasedF1Measure

    labels = sorted(set(gold_tags) | set(predicted_tags))
    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(labels, "labels")
    index = {t: vocab.get_token_index(t, "labels") for t in labels}
    metric = SpanBasedF1Measure(vocab, "labels", label_encoding=encoding)
    n = vocab.get_vocab_size("labels")
    predictions = torch.zeros(1, len(predicted_tags), n)
    for i, tag in enumerate(predicted_tags):
        predictions[0, i, index[tag]] = 1.0
    gold = torch.tensor([[index[t] for t in gold_tags]])
    metric(predictions, gold, torch.ones(1, len(gold_tags), dtype=torch.bool))
    return metric.get_metric(reset=True)


GOLD_BMES = ["O", "B-PER", "E-PER", "O", "S-LOC", "O", "O", "O"]


def test_allennlp_bmes_with_o_is_wrong_and_bioul_is_right(components):
    from glyce_allennlp.formats.tag_schemes import bmes_to_bioul

    all_o = ["O"] * 8
    # the trap: BMES decoding turns each O into an empty-label span and counts it
    assert f1_of(GOLD_BMES, all_o, "BMES")["f1-measure-overall"] == pytest.approx(2 / 3)
    # converted to BIOUL: nothing predicted, 2 gold entities -> F1 0 (hand count)
    gold = bmes_to_bioul(GOLD_BMES)
    assert gold == ["O", "B-PER", "L-PER", "O", "U-LOC", "O", "O", "O"]
    assert f1_of(gold, all_o, "BIOUL")["f1-measure-overall"] == 0.0


def test_span_f1_matches_hand_count(components):
    from glyce_allennlp.formats.tag_schemes import bmes_to_bioul

    gold = bmes_to_bioul(GOLD_BMES)  # entities: PER[1,2], LOC[4]
    # predicted: PER[1,2] correct, LOC[4] wrong type (ORG), extra LOC[6,7]
    predicted = ["O", "B-PER", "L-PER", "O", "U-ORG", "O", "B-LOC", "L-LOC"]
    # hand count: TP = 1, FP = 2, FN = 1 -> P = 1/3, R = 1/2, F1 = 2PR/(P+R) = 0.4
    m = f1_of(gold, predicted, "BIOUL")
    assert m["precision-overall"] == pytest.approx(1 / 3)
    assert m["recall-overall"] == pytest.approx(1 / 2)
    assert m["f1-measure-overall"] == pytest.approx(0.4)
    assert m["f1-measure-PER"] == pytest.approx(1.0)
