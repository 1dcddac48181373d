"""The HTTP API of ``glyce-allennlp serve`` against a real uvicorn server on a free port of 127.0.0.1, with a real
HTTP client (httpx): every endpoint, every refused input (413 / 400 / 422 / 404 / 405 with a message), batching of
concurrent requests, a failing request that does not fail the others, a slow model that does not block the server,
and a page that needs nothing from elsewhere.

The models here are test doubles that follow the public predictor API (``load_line``, ``predict_batch_json``), so
that this file needs no training; tests/test_serve_models.py runs the same server with real trained models.
"""
import asyncio
import io
import re
import time

import httpx
import pytest
from PIL import Image

from serve_support import server_in_thread

from glyce_allennlp.serve.app import STATIC_DIR, create_app
from glyce_allennlp.serve.command import add_serve_arguments, model_names
from glyce_allennlp.serve.limits import Limits
from glyce_allennlp.serve.models import ServedModel

LIMITS = Limits(max_body_bytes=4096, max_chars=50, max_lines=4, max_srl_words=5, max_glyph_chars=6)


class EchoPredictor:
    """Test double of a predictor: one record per input echoing it; sleeps ``delay`` s per call; raises ValueError
    on an input containing ``BAD`` (as the SRL predictor does on a malformed row). Records each call's batch size."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.batches = []

    def load_line(self, line):
        return {"sentence": line}

    def predict_batch_json(self, inputs):
        self.batches.append(len(inputs))
        time.sleep(self.delay)
        texts = [item.get("sentence", item.get("conll2009")) for item in inputs]
        if any("BAD" in text for text in texts):
            raise ValueError("<input>:1: expected at least 14 tab-separated columns")
        return [{"text": text, "length": len(text)} for text in texts]


def served(name, task, delay=0.0):
    return ServedModel(name=name, task=task, archive=f"/models/{name}/model.tar.gz", predictor=EchoPredictor(delay),
                       labels=["0", "1"], fonts=[])


@pytest.fixture(scope="module")
def server():
    models = [served("echo", "classifier"), served("slow", "cws", delay=0.4), served("pairs", "pair"),
              served("srl", "srl"), served("tagger", "cws", delay=0.05)]
    with server_in_thread(create_app(models, LIMITS)) as url:
        yield url, {m.name: m for m in models}


@pytest.fixture()
def http(server):
    with httpx.Client(base_url=server[0], timeout=30, trust_env=False) as client:
        yield client


def error_of(response, status):
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert isinstance(message, str) and message
    return message


# ------------------------------------------------------------------------------------------------ endpoints
def test_health_and_models(http):
    health = http.get("/health").json()
    assert health["status"] == "ok" and health["models"] == ["echo", "slow", "pairs", "srl", "tagger"]
    data = http.get("/models").json()
    assert [(m["name"], m["task"], m["predictor"]) for m in data["models"]] == [
        ("echo", "classifier", "chinese_text_classifier"), ("slow", "cws", "chinese_tagger"),
        ("pairs", "pair", "chinese_pair_classifier"), ("srl", "srl", "chinese_srl"), ("tagger", "cws", "chinese_tagger")]
    assert data["models"][0]["labels"] == ["0", "1"] and data["models"][0]["fonts"] == []
    assert data["models"][0]["archive"] == "model.tar.gz"  # no server path
    assert data["pipeline"] == {"segment": "slow", "parse": None, "ner": None, "classify": ["echo"]}
    assert data["limits"]["max_chars"] == 50


def test_predict_text_and_lines(http):
    one = http.post("/predict/echo", json={"text": "张伟在北京。"}).json()
    assert one == {"model": "echo", "task": "classifier", "results": [{"text": "张伟在北京。", "length": 6}]}
    many = http.post("/predict/echo", json={"lines": ["一", "二二", "三三三"]}).json()
    assert [r["length"] for r in many["results"]] == [1, 2, 3]


def test_predict_pairs_become_tab_lines(http):
    data = http.post("/predict/pairs", json={"pairs": [["北京天气", "上海天气"], ["甲", "乙"]]}).json()
    assert [r["text"] for r in data["results"]] == ["北京天气\t上海天气", "甲\t乙"]
    assert http.post("/predict/pairs", json={"text": "甲\t乙"}).json()["results"][0]["text"] == "甲\t乙"


def test_srl_blocks_and_a_malformed_one(http):
    block = "1\t我\t我\t我\tPN\tPN\t_\t_\t2\t2\tSBJ\tSBJ\t_\t_"
    data = http.post("/predict/srl", json={"blocks": [block, block]}).json()
    assert [r["sentence"] for r in data["results"]] == [1, 2]  # numbered within the request
    assert "malformed CoNLL-2009" in error_of(http.post("/predict/srl", json={"conll2009": "BAD row"}), 422)
    assert "no CoNLL-2009 rows" in error_of(http.post("/predict/srl", json={"conll2009": "# only\n\n"}), 422)
    assert "rows" in error_of(http.post("/predict/srl", json={"conll2009": "\n".join([block] * 6)}), 413)


def test_pipeline(http):
    data = http.post("/pipeline", json={"text": "张伟在北京。"}).json()
    assert data["pipeline"]["segment"] == "slow"
    record = data["results"][0]
    assert record["text"] == "张伟在北京。"
    assert record["segment"] == {"model": "slow", "text": "张伟在北京。", "length": 6}
    assert record["classify"] == [{"model": "echo", "text": "张伟在北京。", "length": 6}]
    assert "parse" not in record and "ner" not in record


def test_pipeline_without_models_is_404():
    with server_in_thread(create_app([], LIMITS)) as url:
        response = httpx.post(url + "/pipeline", json={"text": "字"}, trust_env=False)
        assert "needs a segmenter" in error_of(response, 404)
        assert httpx.get(url + "/health", trust_env=False).json()["models"] == []


# ------------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("body, status, words", [
    (b'{"text": "abc"', 400, "invalid JSON"),
    (b"\xff\xfe{}", 400, "not valid UTF-8"),
    ('{"text": "北京"}'.encode("gbk"), 400, "not valid UTF-8"),
    (b"", 400, "empty request body"),
    (b"   ", 400, "empty request body"),
    (b'["text"]', 422, "JSON object"),
    (b'"text"', 422, "JSON object"),
    (b'{"txt": "abc"}', 422, "txt: unknown field"),
    (b'{"text": 3}', 422, "text: Input should be a valid string"),
    (b'{"lines": "abc"}', 422, "lines: Input should be a valid list"),
    (b'{"lines": ["a", 2]}', 422, "lines.1"),
    (b'{"text": "a", "lines": ["b"]}', 422, "exactly one of"),
    (b"{}", 422, "given: none"),
    (b'{"pairs": [["a", "b"]]}', 422, 'a classifier model takes exactly one of "text" or "lines"'),
    (b'{"text": ""}', 422, "text is empty"),
    (b'{"text": " \\t\\n "}', 422, "text is empty"),
    (b'{"lines": []}', 422, "lines is an empty list"),
    (b'{"lines": ["ok", "  "]}', 422, "lines[1] is empty"),
    (b'{"text": "a\\ud800b"}', 422, "lone surrogate"),
    ('{"text": "%s"}' % ("字" * 51), 413, "51 characters; the limit is 50"),
    (b'{"lines": ["a", "b", "c", "d", "e"]}', 413, "5 items; the limit is 4"),
])
def test_bad_bodies(http, body, status, words):
    body = body.encode("utf-8") if isinstance(body, str) else body
    response = http.post("/predict/echo", content=body, headers={"Content-Type": "application/json"})
    assert words in error_of(response, status)


@pytest.mark.parametrize("body, words", [
    ({"pairs": [["a", "b", "c"]]}, "pairs[0] must be two sentences"),
    ({"pairs": [["a", ""]]}, "pairs[0][1] is empty"),
    ({"pairs": [["a\tb", "c"]]}, "contains a tab"),
    ({"pairs": [[1, "c"]]}, "pairs.0.0"),
    ({"text": "no tab here"}, "found 0 tabs"),
    ({"text": "a\t  "}, "the second sentence is empty"),
])
def test_bad_pairs(http, body, words):
    assert words in error_of(http.post("/predict/pairs", json=body), 422)


def test_body_size_limits(http):
    big = b'{"text": "' + b"a" * 5000 + b'"}'
    assert "limit is 4096" in error_of(http.post("/predict/echo", content=big), 413)

    def chunks():  # no Content-Length: the server counts what arrives
        for _ in range(10):
            yield b" " * 1000

    assert "over the limit" in error_of(http.post("/predict/echo", content=chunks()), 413)


def test_unknown_model_path_and_method(http):
    assert "no model named 'nope'" in error_of(http.post("/predict/nope", json={"text": "字"}), 404)
    error_of(http.post("/predict/..%2F..%2Fetc%2Fpasswd", json={"text": "字"}), 404)
    error_of(http.get("/predict/echo"), 405)
    error_of(http.get("/no/such/page"), 404)
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2Fapp.py", "/static//etc/passwd"):
        response = http.get(path)
        assert response.status_code == 404 and b"create_app" not in response.content, path


# ------------------------------------------------------------------------------------------------ glyphs
def test_glyph_sheet_png(http):
    from glyce_allennlp.serve.app import installed_fonts

    response = http.get("/glyphs", params={"text": "北 京"})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    cell, pad = 12 * 4, 4
    assert image.size == ((cell + pad) * len(installed_fonts()) + pad, (cell + pad) * 2 + pad)
    assert "text is empty" in error_of(http.get("/glyphs", params={"text": "  "}), 422)
    assert "at most 6" in error_of(http.get("/glyphs", params={"text": "一二三四五六七"}), 413)
    assert "no model named" in error_of(http.get("/glyphs", params={"text": "字", "model": "../../x"}), 404)
    assert "no glyph embedding" in error_of(http.get("/glyphs", params={"text": "字", "model": "echo"}), 422)
    assert "no glyph embedding" in error_of(http.get("/neighbors", params={"char": "字", "model": "echo"}), 422)
    error_of(http.get("/neighbors", params={"char": "字"}), 422)  # model missing
    error_of(http.get("/neighbors", params={"char": "字", "model": "echo", "top": "x"}), 422)


# ------------------------------------------------------------------------------------------------ concurrency
def test_concurrent_requests_are_batched_and_answered_in_order(server):
    url, models = server
    predictor = models["tagger"].predictor

    async def burst():
        async with httpx.AsyncClient(base_url=url, timeout=30, trust_env=False) as client:
            bodies = [{"lines": [f"第{i}句", f"第{i}句的第二行"]} for i in range(12)]
            responses = await asyncio.gather(*(client.post("/predict/tagger", json=b) for b in bodies))
            return bodies, responses

    before = len(predictor.batches)
    bodies, responses = asyncio.run(burst())
    for body, response in zip(bodies, responses):
        assert response.status_code == 200
        assert [r["text"] for r in response.json()["results"]] == body["lines"]
    calls = predictor.batches[before:]
    assert sum(calls) == 24
    assert len(calls) < 12 and max(calls) <= LIMITS.max_lines  # joined, never over the per-batch limit


def test_a_failing_request_fails_alone(server):
    url, _ = server
    block = "1\t我\t我\t我\tPN\tPN\t_\t_\t2\t2\tSBJ\tSBJ\t_\t_"

    async def mixed():
        async with httpx.AsyncClient(base_url=url, timeout=30, trust_env=False) as client:
            bodies = [{"conll2009": block}, {"conll2009": "BAD"}, {"conll2009": block}] * 3
            return await asyncio.gather(*(client.post("/predict/srl", json=b) for b in bodies))

    statuses = [r.status_code for r in asyncio.run(mixed())]
    assert statuses == [200, 422, 200] * 3


def test_a_model_failure_is_a_json_500_and_the_connection_stays_open(http):
    for _ in range(3):  # the same keep-alive connection each time
        response = http.post("/predict/echo", json={"text": "BAD input"})
        assert "model 'echo' failed: ValueError" in error_of(response, 500)
        assert http.post("/predict/echo", json={"text": "好"}).status_code == 200


def test_a_slow_model_does_not_block_the_server(server):
    url, _ = server

    async def race():
        async with httpx.AsyncClient(base_url=url, timeout=30, trust_env=False) as client:
            slow = asyncio.create_task(client.post("/predict/slow", json={"lines": ["慢"] * 4}))
            await asyncio.sleep(0.05)
            began = time.perf_counter()
            health = await client.get("/health")
            other = await client.post("/predict/echo", json={"text": "快"})
            quick = time.perf_counter() - began
            return (await slow).status_code, health.status_code, other.status_code, quick

    slow_status, health_status, other_status, quick = asyncio.run(race())
    assert (slow_status, health_status, other_status) == (200, 200, 200)
    assert quick < 0.3  # the slow model sleeps 0.4 s in its worker thread


# ------------------------------------------------------------------------------------------------ page, command
def test_page_needs_nothing_from_elsewhere(http):
    page = http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    referenced = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert referenced and all(ref.startswith("/static/") for ref in referenced), referenced
    for ref in referenced:
        assert http.get(ref).status_code == 200, ref
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        outside = set(re.findall(r"https?://[^\s\"')]+", text)) - {"http://www.w3.org/2000/svg"}  # a name, not fetched
        assert not outside, (path.name, outside)
        assert "@import" not in text and "import(" not in text
    font = http.get("/page-font")
    assert font.status_code == 200 and font.headers["content-type"] in ("font/ttf", "font/otf")


def test_command_defaults_to_this_machine_only():
    import argparse

    args = add_serve_arguments(argparse.ArgumentParser()).parse_args(["model.tar.gz"])
    assert args.host == "127.0.0.1" and args.port == 8000 and args.max_chars == Limits().max_chars


def test_model_names():
    assert model_names(["a.tar.gz", "b.tar.gz", "c.tar.gz"], ["ner", "ner", "pos"]) == ["ner", "ner-2", "pos"]
    assert model_names(["msra=a.tar.gz", "b.tar.gz"], ["ner", "ner"]) == ["msra", "ner"]
    with pytest.raises(ValueError, match="two models are named 'ner'"):
        model_names(["a.tar.gz", "ner=b.tar.gz"], ["ner", "ner"])
