"""Scale: the Glyce tagger trains with AllenNLP's ``"distributed"`` config on 2 CPU worker processes
(torch.distributed, gloo backend, DistributedDataParallel), with a test set.

What is checked, from one real ``allennlp train`` run with ``"distributed": {"cuda_devices": [-1, -1]}``, a test set
(``evaluate_on_test``) and a probe callback (tests/reliability_support.py) that dumps what each worker holds at the
end of training:
* the run ends normally: ``metrics.json`` with the ``test_`` metrics and ``model.tar.gz`` (AllenNLP 2.10.1 alone dies
  after training: see glyce_allennlp.patches.distributed_evaluation);
* the ``test_`` metrics are those of the whole test set: equal to a single-process evaluation of the archive;
* same metrics format as single-process training (same keys, Python floats, finite), span F1 included
  (glyce_allennlp.patches.distributed_metrics aggregates SpanBasedF1Measure over the workers);
* the weights are identical in both workers (DDP syncs parameters and the ``font_sha256`` buffer); the glyph
  *tables* are not parameters: each worker renders its own, identical for the training characters (same vocabulary,
  same fonts) and grown on demand by whatever characters its data shard brings;
* every training batch of every worker had a finite loss and a finite glyph auxiliary loss;
* the archive written by the primary loads and predicts.
"""
import json

import pytest

from reliability_support import (CWS_CONFIG, FIXTURES, allennlp_cli, assert_metrics_are_finite_numbers,
                                 comparable_metrics, run, small_overrides, subprocess_env, trained_tagger)

pytestmark = pytest.mark.slow  # real training runs, subprocesses

WORKERS = 2


TEST_SET = FIXTURES / "cws" / "test.txt"


@pytest.fixture(scope="module")
def distributed_run(tmp_path_factory):
    """One distributed training run: its serialization folder, log, return code and the unseen characters."""
    from glyce_allennlp.glyph.fonts import gb2312_chars

    folder = tmp_path_factory.mktemp("distributed")
    serialization_dir = folder / "run"
    # validation data with characters unseen in training (and in the test set), at an even and an odd line:
    # AllenNLP shards instances round-robin, so each worker renders different characters on demand
    seen = "".join((FIXTURES / "cws" / name).read_text(encoding="utf-8") for name in ("train.txt", "dev.txt"))
    seen += TEST_SET.read_text(encoding="utf-8")
    dev_lines = (FIXTURES / "cws" / "dev.txt").read_text(encoding="utf-8").splitlines()
    unseen = [c for c in gb2312_chars(level1_only=True) if c not in seen][:4]
    dev_lines += [f"{unseen[0]} {unseen[1]}", f"{unseen[2]}{unseen[3]}"]
    dev = folder / "dev.txt"
    dev.write_text("\n".join(dev_lines) + "\n", encoding="utf-8")
    overrides = small_overrides(epochs=1, **{
        "distributed": {"cuda_devices": [-1] * WORKERS},
        "trainer.callbacks": [{"type": "glyce_aux_lambda"}, {"type": "reliability_worker_probe"}],
    })
    cmd = allennlp_cli("train", CWS_CONFIG, "-s", str(serialization_dir), "-o", json.dumps(overrides),
                       "--include-package", "reliability_support")
    env = subprocess_env(VALIDATION_DATA_PATH=str(dev), TEST_DATA_PATH=str(TEST_SET))
    proc = run(cmd, env, folder / "train.log", timeout=600)
    return serialization_dir, (folder / "train.log").read_text(errors="replace"), proc.returncode, unseen


def test_two_cpu_workers_with_a_test_set_finish_with_the_whole_test_set_evaluated(distributed_run, components):
    from allennlp.data.data_loaders import MultiProcessDataLoader
    from allennlp.models.archival import load_archive
    from allennlp.training.util import evaluate

    serialization_dir, log, returncode, _ = distributed_run
    assert returncode == 0, log[-4000:]
    assert "Connection closed by peer" not in log
    assert (serialization_dir / "model.tar.gz").is_file()
    metrics = json.loads((serialization_dir / "metrics.json").read_text())
    test_metrics = {k[len("test_"):]: v for k, v in metrics.items() if k.startswith("test_")}
    assert {"loss", "accuracy", "f1-measure-overall"} <= set(test_metrics)

    # the same numbers as evaluating the archived model on the whole test set in one process
    archive = load_archive(str(serialization_dir / "model.tar.gz"))
    loader = MultiProcessDataLoader(archive.validation_dataset_reader, str(TEST_SET), batch_size=16)
    loader.index_with(archive.model.vocab)
    expected = evaluate(archive.model, loader)
    # not compared: the loss (a mean over batches: the batches differ) and glyph_lambda (the λ the glyce_aux_lambda
    # callback set during training, not a property of the test set)
    counted = {k: v for k, v in expected.items() if k not in ("loss", "glyph_lambda")}
    assert {"accuracy", "f1-measure-overall"} <= set(counted)
    assert {k: test_metrics[k] for k in counted} == pytest.approx(counted, abs=1e-9)


def test_two_cpu_workers_train_predict_and_stay_in_sync(distributed_run, components):
    import math

    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    serialization_dir, log, returncode, unseen = distributed_run
    assert returncode == 0, log[-4000:]

    # metrics: the format of a single-process run of the same config (tests/reliability_support.trained_tagger)
    metrics = json.loads((serialization_dir / "metrics.json").read_text())
    single = json.loads((trained_tagger() / "metrics.json").read_text())
    assert {k for k in comparable_metrics(metrics) if not k.startswith("test_")} == set(comparable_metrics(single))
    assert {f"peak_worker_{rank}_memory_MB" for rank in range(WORKERS)} <= set(metrics)
    assert_metrics_are_finite_numbers(metrics)
    assert 0.0 <= metrics["validation_f1-measure-overall"] <= 1.0
    assert metrics["training_glyph_lambda"] == pytest.approx(0.1) and metrics["training_glyph_aux_loss"] > 0

    probes = [json.loads((serialization_dir / f"probe_{rank}.json").read_text()) for rank in range(WORKERS)]
    assert [p["rank"] for p in probes] == list(range(WORKERS)) and {p["world_size"] for p in probes} == {WORKERS}
    first = probes[0]
    for probe in probes:
        assert probe["state_digest"] == first["state_digest"]  # weights in sync
        assert probe["font_sha256"] == first["font_sha256"]
        assert probe["vocab"] == first["vocab"] and probe["known_chars"] == first["known_chars"] > 0
        assert probe["known_table_digest"] == first["known_table_digest"]  # same glyphs for the training chars
        assert probe["table_rows"] == 1 + probe["known_chars"] + probe["rendered_on_demand"]
        assert set(probe["on_demand_chars"]) <= set(unseen)
        assert probe["losses"] and all(math.isfinite(x) for x in probe["losses"])
        assert len(probe["aux_losses"]) == len(probe["losses"]) and all(
            math.isfinite(x) and x > 0 for x in probe["aux_losses"])

    shards = [set(p["on_demand_chars"]) for p in probes]
    assert set().union(*shards) == set(unseen) and shards[0] != shards[1]  # tables differ, weights do not

    archive = load_archive(str(serialization_dir / "model.tar.gz"))
    assert archive.model.vocab.get_vocab_size("glyce_chars") == first["vocab"]["glyce_chars"]
    predictor = Predictor.from_archive(archive, "chinese_tagger")
    outputs = predictor.predict_batch_json([{"sentence": s} for s in ["张伟在北京工作。", "", "龘靐齉"]])
    assert [len(o["tags"]) for o in outputs] == [8, 0, 3]
