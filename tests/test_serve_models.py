"""``glyce-allennlp serve`` with real trained models: the real command in a subprocess on a free localhost port,
queried with a real HTTP client (httpx). One small Glyce model per task (CWS, UD POS, NER, parser, text classifier,
pair classifier, SRL). The API's records are exactly what the predictors give in-process (``Predictor.from_path``,
``load_line``, ``predict_batch_json``), the pipeline chains them, and the glyph endpoints use each model's own fonts
and learned glyph vectors.
"""
import io
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from PIL import Image

from reliability_support import FIXTURES, trained_small_model, trained_tagger
from serve_support import running_server, trained_ner, trained_ud_pos

pytestmark = pytest.mark.slow

PREDICTOR = {"cws": "chinese_tagger", "pos": "chinese_tagger", "ner": "chinese_tagger", "parser":
             "chinese_dependency_parser", "classifier": "chinese_text_classifier", "pair": "chinese_pair_classifier",
             "srl": "chinese_srl"}
TEXTS = ["张伟今天在北京工作。", "高翔是工商银行的老师。", "2019年张伟用iPhone拍了3张照片。"]


def first_srl_sentence() -> str:
    return (FIXTURES / "srl" / "test.txt").read_text(encoding="utf-8").split("\n\n")[0]


@pytest.fixture(scope="module")
def folders():
    return {"cws": trained_tagger(), "pos": trained_ud_pos(), "ner": trained_ner(),
            "parser": trained_small_model("dependency_parser"),
            "classifier": trained_small_model("text_classifier"), "pair": trained_small_model("pair_classifier"),
            "srl": trained_small_model("srl")}


@pytest.fixture(scope="module")
def server(folders):
    # named and unnamed archives, a serialization folder and a model.tar.gz
    specs = [f"cws={folders['cws']}", f"pos={folders['pos'] / 'model.tar.gz'}", str(folders["ner"]),
             str(folders["parser"]), str(folders["classifier"]), str(folders["pair"]), str(folders["srl"])]
    with running_server(specs) as url:
        yield url


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server, timeout=120, trust_env=False) as client:
        yield client


@pytest.fixture(scope="module")
def predictors(folders):
    import glyce_allennlp
    from allennlp.predictors import Predictor

    glyce_allennlp.load_components()
    return {task: Predictor.from_path(str(folder / "model.tar.gz"), PREDICTOR[task]) for task, folder in
            folders.items()}


def direct(predictor, lines):
    """What the predictor gives for these lines in this process, through JSON (as the server sends it)."""
    return json.loads(json.dumps(predictor.predict_batch_json([predictor.load_line(line) for line in lines]),
                                 ensure_ascii=False))


def test_models_tasks_labels_and_fonts(http, folders):
    models = {m["name"]: m for m in http.get("/models").json()["models"]}
    assert {name: m["task"] for name, m in models.items()} == {task: task for task in PREDICTOR}
    for task, model in models.items():
        assert model["predictor"] == PREDICTOR[task]
        namespace = {"parser": "head_tags", "srl": "srl_roles"}.get(task, "labels")
        vocabulary = (folders[task] / "vocabulary" / f"{namespace}.txt").read_text(encoding="utf-8").split("\n")
        assert model["labels"] == [t for t in vocabulary if t and t != "@@UNKNOWN@@"], task
        assert model["fonts"] and model["image_size"] == 12, task
    assert models["cws"]["fonts"] == ["song", "my_kai.ttf"]  # a font file by its name, never its server path
    assert {"B-PER", "L-LOC", "O"} <= set(models["ner"]["labels"])


@pytest.mark.parametrize("task, body, lines", [
    ("cws", {"lines": TEXTS}, TEXTS),
    ("pos", {"lines": TEXTS}, TEXTS),
    ("ner", {"text": TEXTS[1]}, TEXTS[1:2]),
    ("classifier", {"lines": ["酒店非常好，值得推荐。", "房间很脏，不推荐。"]}, ["酒店非常好，值得推荐。", "房间很脏，不推荐。"]),
    ("pair", {"pairs": [["北京的天气怎么样？", "北京天气如何？"]]}, ["北京的天气怎么样？\t北京天气如何？"]),
    ("pair", {"text": "上海有什么好吃的？\t怎么去广州火车站？"}, ["上海有什么好吃的？\t怎么去广州火车站？"]),
    ("parser", {"lines": ["張偉 今天 在 北京 工作 。", "李娜_PROPN 是_VERB 清華大學_PROPN 的_PART 老師_NOUN 。_PUNCT"]},
     ["張偉 今天 在 北京 工作 。", "李娜_PROPN 是_VERB 清華大學_PROPN 的_PART 老師_NOUN 。_PUNCT"]),
])
def test_predict_gives_the_predictors_records(http, predictors, task, body, lines):
    response = http.post(f"/predict/{task}", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["model"] == task and data["task"] == task
    assert data["results"] == direct(predictors[task], lines)


def test_srl(http, predictors):
    block = first_srl_sentence()
    data = http.post("/predict/srl", json={"blocks": [block, block]}).json()
    expected = json.loads(json.dumps(predictors["srl"].predict_json({"conll2009": block}), ensure_ascii=False))
    assert [r["sentence"] for r in data["results"]] == [1, 2]
    for record in data["results"]:
        assert {**record, "sentence": expected["sentence"]} == expected
    assert data["results"][0]["predicates"], "the fixture sentence has a predicate"
    broken = block.replace("\tY\t", "\tX\t", 1)
    message = http.post("/predict/srl", json={"conll2009": broken}).json()["error"]
    assert "FILLPRED must be 'Y' or '_'" in message and ":5:" in message  # the row of the block that is wrong


def test_pipeline_chains_segmenter_parser_ner_classifier(http, predictors):
    from glyce_allennlp.serve.pipeline import parser_line

    data = http.post("/pipeline", json={"lines": TEXTS}).json()
    assert data["pipeline"] == {"segment": "pos", "parse": "parser", "ner": "ner", "classify": ["classifier"]}
    segmented = direct(predictors["pos"], TEXTS)
    parsed = direct(predictors["parser"], [parser_line(t, s) for t, s in zip(TEXTS, segmented)])
    entities = direct(predictors["ner"], TEXTS)
    classes = direct(predictors["classifier"], TEXTS)
    for i, record in enumerate(data["results"]):
        assert record["text"] == TEXTS[i]
        assert record["segment"] == {"model": "pos", **segmented[i]}
        assert record["parse"] == {"model": "parser", **parsed[i]}
        assert record["parse"]["words"] == record["segment"]["words"]
        assert [p[1] for p in record["segment"]["pos"]] == record["parse"]["pos"]
        assert len(record["parse"]["heads"]) == len(record["parse"]["words"])
        assert record["ner"] == {"model": "ner", **entities[i]}
        assert record["classify"] == [{"model": "classifier", **classes[i]}]


def test_neighbors_from_learned_glyph_vectors(http, folders):
    known = (folders["cws"] / "vocabulary" / "glyce_chars.txt").read_text(encoding="utf-8").split("\n")
    known = {c for c in known if len(c) == 1}
    query = "京"
    assert query in known
    data = http.get("/neighbors", params={"model": "cws", "char": query, "top": 5}).json()
    assert data["model"] == "cws" and data["char"] == query and data["known"] is True
    assert data["candidates"] >= len(known) - 1
    cosines = [n["cosine"] for n in data["neighbors"]]
    assert len(cosines) == 5 and cosines == sorted(cosines, reverse=True) and all(-1 <= c <= 1 for c in cosines)
    assert all(n["char"] in known and n["char"] != query for n in data["neighbors"])
    unseen = next(c for c in "鼹鳖鲫鳏鹧鸪" if c not in known)
    assert http.get("/neighbors", params={"model": "cws", "char": unseen}).json()["known"] is False
    response = http.get("/neighbors", params={"model": "cws", "char": "\ue000"})  # private use: no font draws it
    assert response.status_code == 422 and "can draw" in response.json()["error"]


def test_glyph_sheet_in_the_models_fonts(http):
    response = http.get("/glyphs", params={"text": "北京", "model": "cws"})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    cell, pad = 12 * 4, 4
    assert image.size == ((cell + pad) * 2 + pad, (cell + pad) * 2 + pad)  # two fonts, two characters
    first_cell = image.convert("L").crop((pad, pad, pad + cell, pad + cell))
    assert first_cell.getextrema()[0] < 128  # ink


def test_command_refuses_a_missing_archive(tmp_path):
    missing = tmp_path / "nothing.tar.gz"
    result = subprocess.run([sys.executable, "-m", "glyce_allennlp.cli", "serve", str(missing), "--port", "1"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 2
    assert f"{missing}: no such archive" in result.stderr
