"""CoNLL-2009 semantic scores (glyce_allennlp.formats.srl_scores) on hand-computed examples, and the AllenNLP metric
of the ``k_order_srl`` model (glyce_allennlp.models.srl_metric), also in a distributed run."""
import json
import os
import socket

import pytest

from glyce_allennlp.formats.srl_scores import SrlScorer, prf, same_sense

SRL_TRAIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "srl", "train.txt")


def scorer_with_two_predicates(score_senses):
    scorer = SrlScorer(score_senses=score_senses)
    senses = (("01", "01"), ("02", "01")) if score_senses else ((None, None), (None, None))
    # predicate 1: gold A0@0 A1@2 TMP@4; system A0@0 (right) A2@2 (wrong role) A1@3 (wrong word)
    scorer.add({0: "A0", 2: "A1", 4: "TMP"}, {0: "A0", 2: "A2", 3: "A1"}, *senses[0])
    # predicate 2: gold A0@1; system A0@1 (right) ADV@5 (spurious)
    scorer.add({1: "A0"}, {1: "A0", 5: "ADV"}, *senses[1])
    return scorer


def test_arguments_only():
    metrics = scorer_with_two_predicates(False).get_metric()
    # correct 2 (A0@0, A0@1), system 5, gold 4
    assert metrics["arg_precision"] == pytest.approx(2 / 5)
    assert metrics["arg_recall"] == pytest.approx(2 / 4)
    assert metrics["arg_f1"] == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    # unlabelled: words 0, 2 (pred 1) and 1 (pred 2) found: 3 / 5, 3 / 4
    assert metrics["arg_unlabelled_f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert "sem_f1" not in metrics and "sense_accuracy" not in metrics


def test_with_senses_is_the_official_semantic_labelled_score():
    metrics = scorer_with_two_predicates(True).get_metric()
    # eval09.pl: (corl_arg + corl_prop) / (pred_arg + pred_prop) = (2 + 1) / (5 + 2); recall (2 + 1) / (4 + 2)
    assert metrics["sem_precision"] == pytest.approx(3 / 7)
    assert metrics["sem_recall"] == pytest.approx(3 / 6)
    assert metrics["sem_f1"] == pytest.approx(2 * (3 / 7) * 0.5 / (3 / 7 + 0.5))  # = 6 / 13
    assert metrics["sem_f1"] == pytest.approx(6 / 13)
    assert metrics["sense_accuracy"] == 0.5
    assert metrics["arg_f1"] == pytest.approx(4 / 9)  # unchanged by the senses


def test_values_are_python_floats_and_keys_are_stable():
    for score_senses in (False, True):
        empty = SrlScorer(score_senses).get_metric()
        full = scorer_with_two_predicates(score_senses).get_metric()
        assert set(empty) == set(full)
        assert all(type(v) is float for v in list(empty.values()) + list(full.values()))
    assert SrlScorer(True).get_metric() == {"arg_precision": 0.0, "arg_recall": 0.0, "arg_f1": 0.0,
                                            "arg_unlabelled_f1": 0.0, "sem_precision": 0.0, "sem_recall": 0.0,
                                            "sem_f1": 0.0, "sense_accuracy": 0.0}


def test_no_prediction_and_perfect_prediction():
    scorer = SrlScorer()
    scorer.add({0: "A0", 3: "A1"}, {})
    assert scorer.get_metric(reset=True)["arg_recall"] == 0.0
    scorer.add({0: "A0", 3: "A1"}, {0: "A0", 3: "A1"})
    scorer.add({}, {})
    assert scorer.get_metric()["arg_f1"] == 1.0


def test_reset():
    scorer = scorer_with_two_predicates(True)
    assert scorer.get_metric(reset=True)["arg_f1"] > 0
    assert scorer.predicates == 0 and scorer.get_metric()["sem_f1"] == 0.0


def test_pruned_gold_arguments_count_as_misses():
    # the caller passes every gold argument, also those outside the candidates: recall 1 / 2
    scorer = SrlScorer()
    scorer.add({1: "A0", 7: "TMP"}, {1: "A0"})
    metrics = scorer.get_metric()
    assert metrics["arg_precision"] == 1.0 and metrics["arg_recall"] == 0.5


def test_multiple_roles_in_one_cell_as_eval09():
    # eval09.pl splits "A0|A1" into two arguments of the same word
    scorer = SrlScorer()
    scorer.add({2: "A0|A1"}, {2: "A1"})
    assert (scorer.gold_arguments, scorer.predicted_arguments, scorer.correct_arguments) == (2, 1, 1)
    assert scorer.correct_unlabelled == 1


def test_sense_comparison_as_eval09():
    assert same_sense("01", "1") and same_sense("XX", "XX")
    assert not same_sense("01", "02") and not same_sense("01", "01a")
    scorer = SrlScorer(score_senses=True)
    scorer.add({}, {}, "01", "1")
    assert scorer.get_metric()["sense_accuracy"] == 1.0


def test_senses_required_when_scored():
    with pytest.raises(ValueError, match="sense"):
        SrlScorer(score_senses=True).add({}, {})


def test_merge_counts_and_prf():
    a, b = scorer_with_two_predicates(True), SrlScorer(True)
    b.merge_counts(a.counts())
    assert b.get_metric() == a.get_metric()
    assert prf(0, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


# ------------------------------------------------------------------------------------------------ the AllenNLP metric
def test_metric_adds_a_batch_as_the_scorer_adds_its_predicates():
    from glyce_allennlp.models.srl_metric import Conll2009SrlMetric

    metric = Conll2009SrlMetric(score_senses=True)
    metric([{0: "A0", 2: "A1", 4: "TMP"}, {1: "A0"}], [{0: "A0", 2: "A2", 3: "A1"}, {1: "A0", 5: "ADV"}],
           ["01", "02"], ["01", "01"])
    assert metric.counts() == scorer_with_two_predicates(True).counts()
    assert metric.get_metric(reset=True) == scorer_with_two_predicates(True).get_metric()
    assert metric.counts()["predicates"] == 0
    with pytest.raises(ValueError, match="one gold and one predicted sense per predicate"):
        metric([{}], [{}])


def _srl_model_and_shards():
    """A small untrained ``k_order_srl`` (the same weights in every process: seeded) and the fixture's instances in
    two shards of different sizes, as two tensor batches."""
    import torch
    from allennlp.common import Params
    from allennlp.data import Batch, Vocabulary
    from allennlp.models import Model

    import glyce_allennlp.models.k_order_srl  # noqa: F401  (registers k_order_srl)
    from glyce_allennlp.dataset_readers.conll2009_srl import Conll2009SrlDatasetReader

    instances = list(Conll2009SrlDatasetReader(pruning_k=1).read(SRL_TRAIN))
    vocab = Vocabulary.from_instances(instances)
    torch.manual_seed(0)
    model = Model.from_params(vocab=vocab, params=Params({
        "type": "k_order_srl",
        "text_field_embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 8}}},
        "encoder": {"type": "lstm", "input_size": 8 + 4 + 4, "hidden_size": 8, "bidirectional": True},
        "pos_embedding_dim": 4, "predicate_indicator_dim": 4, "mlp_hidden_dim": 8}))
    model.eval()
    batches = []
    for shard in (instances[: len(instances) // 3], instances[len(instances) // 3:]):
        batch = Batch(shard)
        batch.index_instances(vocab)
        batches.append(batch.as_tensor_dict())
    return model, batches


def _distributed_worker(rank: int, world_size: int, port: int, out_dir: str) -> None:
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    model, batches = _srl_model_and_shards()  # before the group: a distributed AllenNLP reader reads its rank's share
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size)
    try:
        with torch.no_grad():
            model(**batches[rank])  # each worker evaluates its own shard
        result = {"counts": model._scorer.counts(), "metrics": model.get_metrics()}
        with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
            json.dump(result, f)
    finally:
        dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_every_worker_of_a_distributed_run_reports_the_metric_of_all_shards(tmp_path, components):
    import torch
    import torch.multiprocessing as mp

    model, batches = _srl_model_and_shards()
    local = []
    with torch.no_grad():
        for batch in batches:  # one process, both shards: the numbers every worker must report
            model(**batch)
            local.append(dict(model._scorer.counts()))
    expected = {"counts": local[-1], "metrics": model.get_metrics()}
    shard_counts = [local[0], {k: local[1][k] - local[0][k] for k in local[1]}]
    assert shard_counts[0] != shard_counts[1] != expected["counts"]  # the shards are told apart by the counts

    mp.spawn(_distributed_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    for rank in (0, 1):
        with open(tmp_path / f"rank{rank}.json") as f:
            result = json.load(f)
        assert result["counts"] == expected["counts"], f"worker {rank} counted its own shard only"
        assert result["metrics"] == pytest.approx(expected["metrics"])
