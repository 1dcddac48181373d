"""The bounded load generator of ``glyce-allennlp serve`` (``python -m glyce_allennlp.serve.loadtest``): it only
targets this machine, counts every answer (200, other statuses, lost requests, requests not sent before the time
limit) and passes only when every request was answered 200; and a small real run on a trained tagger.
"""
import asyncio
import json
import subprocess
import sys
import time

import pytest

from reliability_support import trained_tagger
from serve_support import server_in_thread

from glyce_allennlp.serve.app import create_app
from glyce_allennlp.serve.loadtest import free_port, is_loopback_url, main, passed, percentile, run_load
from glyce_allennlp.serve.models import ServedModel


class SometimesFailing:
    """Test double of a predictor: fails (a server error) on lines containing "boom", else echoes; ``delay`` s per
    call."""

    def __init__(self, delay=0.0):
        self.delay = delay

    def load_line(self, line):
        return {"sentence": line}

    def predict_batch_json(self, inputs):
        time.sleep(self.delay)
        if any("boom" in item["sentence"] for item in inputs):
            raise RuntimeError("boom")
        return [{"text": item["sentence"]} for item in inputs]


def served(predictor):
    return ServedModel(name="m", task="cws", archive="m.tar.gz", predictor=predictor, labels=[], fonts=[])


def test_only_loopback_targets():
    assert is_loopback_url("http://127.0.0.1:8000") and is_loopback_url("http://localhost:1")
    assert is_loopback_url("http://127.8.9.10:80") and is_loopback_url("http://[::1]:8000")
    for url in ("http://10.0.0.1:8000", "http://192.168.1.1", "http://8.8.8.8", "http://example.invalid", "nothing"):
        assert not is_loopback_url(url), url
    with pytest.raises(SystemExit) as stop:
        main(["--url", "http://10.0.0.1:8000", "--requests", "1"])
    assert stop.value.code == 2
    with pytest.raises(ValueError, match="only sends requests to this machine"):
        asyncio.run(run_load("http://192.168.0.1:80", "/predict/m", "cws", ["字"], 1, 1, 1.0))


def test_percentile_nearest_rank():
    values = sorted(float(v) for v in range(1, 101))
    assert percentile(values, 50) == 50 and percentile(values, 99) == 99 and percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0 and percentile([], 50) is None


def test_counts_every_answer():
    with server_in_thread(create_app([served(SometimesFailing())])) as url:
        good = asyncio.run(run_load(url, "/predict/m", "cws", ["一", "二"], clients=3, requests=20, time_limit=60))
        assert good["answered_200"] == good["sent"] == 20 and good["lost"] == 0 and passed(good)
        assert good["latency_ms"]["p50"] <= good["latency_ms"]["p99"] <= good["latency_ms"]["max"]
        bad = asyncio.run(run_load(url, "/predict/m", "cws", ["一", "boom"], clients=2, requests=10, time_limit=60))
        assert bad["statuses"] == {"200": 5, "500": 5} and not passed(bad)
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    lost = asyncio.run(run_load(nobody, "/predict/m", "cws", ["一"], clients=2, requests=4, time_limit=60, timeout=5))
    assert lost["lost"] == 4 and lost["answered_200"] == 0 and not passed(lost)


def test_stops_at_the_time_limit():
    with server_in_thread(create_app([served(SometimesFailing(delay=0.2))])) as url:
        began = time.perf_counter()
        report = asyncio.run(run_load(url, "/predict/m", "cws", ["一"], clients=2, requests=1000, time_limit=1.0))
        assert time.perf_counter() - began < 5
    assert 0 < report["sent"] < 1000 and report["not_sent"] == 1000 - report["sent"] and not passed(report)


@pytest.mark.slow
def test_small_load_on_a_trained_tagger():
    command = [sys.executable, "-m", "glyce_allennlp.serve.loadtest", str(trained_tagger()), "--clients", "4",
               "--requests", "40", "--time-limit", "300", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["target"].endswith("/predict/cws")
    assert report["statuses"] == {"200": 40} and report["lost"] == 0 and report["not_sent"] == 0
    assert report["throughput_rps"] > 0 and 0 < report["latency_ms"]["p50"] <= report["latency_ms"]["p99"]
