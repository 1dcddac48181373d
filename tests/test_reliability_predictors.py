"""Predictors never lose or reorder a line (issue 8): for any sequence of input lines (empty, whitespace-only,
10,000-character lines, characters no font can draw, control characters, invalid UTF-8, lone CR, U+2028 …) the
output has exactly one JSON line per input line, in order.

* hypothesis drives AllenNLP's own predict loop (``_PredictManager``, what ``allennlp predict`` runs) in-process;
* one real ``allennlp predict`` subprocess reads a single adversarial file of many lines (with an ASCII locale, to
  show the output encoding does not depend on it).

Over-long inputs: the BiLSTM-CRF tagger has no length limit and the ``chinese_tagger`` predictor neither splits nor
truncates: a 10,000-character line is tagged whole (its time is measured below and reported in docs/reliability.md).

To cover another predictor (issues 3 and 4), add an entry to ``PREDICTORS``: the registered name, a function
returning a trained serialization folder, and a check of one output dict against its input line.
"""
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reliability_support import allennlp_cli, run, subprocess_env, torch_threads, trained_tagger


def check_tagger_output(text: str, output: Dict) -> None:
    chars = [c for c in text if not c.isspace() and c != "\x00"]  # NUL is dropped like whitespace
    assert output["text"] == text
    assert output["chars"] == chars and len(output["tags"]) == len(chars)
    assert "".join(output["words"]) == "".join(chars)


@dataclass
class PredictorCase:
    name: str
    serialization_dir: Callable[[], Path]
    check: Callable[[str, Dict], None]  # (expected text of the input line, output dict)


PREDICTORS = {"chinese_tagger": PredictorCase("chinese_tagger", trained_tagger, check_tagger_output)}

HARD_CHARS = ("中文龍鑫，。ＡＢ１２😀\U00020000\U000F0001\ue000\x00\x07\x1b\x7f\x85\u200b\u2028\u2029\ufeff\u0301"
              " \t\u3000\r")


def lines_strategy():
    line = st.one_of(
        st.just(""), st.sampled_from([" ", "\t", "\u3000", " \u3000 \t", "\r"]),
        st.text(alphabet=HARD_CHARS, max_size=30),
        st.text(alphabet=HARD_CHARS, max_size=3).map(lambda s: s * 400),  # long lines
        st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")),  # arbitrary bytes, invalid UTF-8 included
    )
    return st.lists(line, min_size=1, max_size=12)


def to_bytes(lines) -> bytes:
    return b"\n".join(x if isinstance(x, bytes) else x.encode("utf-8") for x in lines)


def expected_texts(data: bytes) -> List[str]:
    """What each input line must come back as: split on b"\\n" only, invalid UTF-8 replaced, the line break and a
    leading BOM removed (``ChineseTaggerPredictor.load_line``)."""
    raws = data.split(b"\n")
    if raws[-1] == b"":
        raws.pop()
    return [raw.decode("utf-8", errors="replace").rstrip("\r\n").lstrip("\ufeff") for raw in raws]


def check_output_file(case: PredictorCase, data: bytes, output: Path) -> None:
    expected = expected_texts(data)
    written = output.read_bytes()
    assert written.endswith(b"\n") or not expected
    out_lines = written.decode("utf-8").split("\n")[:-1]
    assert len(out_lines) == len(expected), (len(out_lines), len(expected))
    assert len(written.decode("utf-8").splitlines()) == len(expected)  # no U+2028/U+0085 left unescaped
    for text, line in zip(expected, out_lines):
        case.check(text, json.loads(line))


@pytest.fixture(scope="module")
def predictors(components):
    from allennlp.predictors import Predictor

    # one torch thread: on a busy machine, per-op thread synchronisation makes the CRF's per-character Viterbi loop
    # (~10 small ops per character) up to 400x slower with 2 threads (measured: 72 s vs 0.18 s for 10,000 characters)
    with torch_threads(1):
        yield {name: Predictor.from_path(str(case.serialization_dir() / "model.tar.gz"), name)
               for name, case in PREDICTORS.items()}


@pytest.mark.parametrize("name", sorted(PREDICTORS))
def test_any_lines_give_one_output_line_each_in_order(name, predictors, tmp_path):
    from allennlp.commands.predict import _PredictManager

    case, predictor = PREDICTORS[name], predictors[name]

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(lines_strategy(), st.booleans(), st.integers(1, 4))
    def run_once(lines, final_newline, batch_size):
        data = to_bytes(lines) + (b"\n" if final_newline else b"")
        source, output = tmp_path / "in.txt", tmp_path / "out.jsonl"
        source.write_bytes(data)
        _PredictManager(predictor, str(source), str(output), batch_size, print_to_console=False,
                        has_dataset_reader=False).run()
        check_output_file(case, data, output)

    run_once()


def adversarial_input(seed: int = 0) -> bytes:
    rng = random.Random(seed)
    special = ["", " ", "\t", "\u3000\u3000", "\r", " \r", "\ufeff", "\ufeff中文", "中\r文", "中\u2028文", "中\x85文",
               "😀😀😀", "\U00020000\U0002A6A5", "\U000F0001\U000F0002", "\x00\x07\x1b", "ＡＢＣ１２３",
               "张伟在北京工作。", "龍" * 10_000, ("我爱北京天安门" * 1500)[:10_000]]
    lines = [line.encode("utf-8") for line in special] + [b"\xff\xfe bad \xc3(", "中".encode("gbk") * 3]
    for _ in range(200):
        lines.append("".join(rng.choice(HARD_CHARS) for _ in range(rng.randint(0, 40))).encode("utf-8"))
    rng.shuffle(lines)
    return b"\n".join(lines) + b"\n"


@pytest.mark.parametrize("name", sorted(PREDICTORS))
def test_allennlp_predict_cli_on_an_adversarial_file(name, tmp_path, components):
    case = PREDICTORS[name]
    data = adversarial_input()
    source, output = tmp_path / "in.txt", tmp_path / "out.jsonl"
    source.write_bytes(data)
    env = subprocess_env(LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")  # an ASCII locale
    cmd = allennlp_cli("predict", str(case.serialization_dir() / "model.tar.gz"), str(source), "--predictor", name,
                       "--output-file", str(output), "--silent", "--batch-size", "8")
    started = time.time()
    proc = run(cmd, env, tmp_path / "predict.log", timeout=600)
    log = (tmp_path / "predict.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-4000:]
    check_output_file(case, data, output)
    assert "not valid UTF-8" in log  # the undecodable lines were reported, not dropped
    print(f"allennlp predict: {len(expected_texts(data))} lines in {time.time() - started:.1f} s")


@pytest.mark.parametrize("name", sorted(PREDICTORS))
def test_ten_thousand_character_line_is_tagged_whole(name, predictors):
    predictor = predictors[name]
    line = ("张伟在北京工作。" * 1250)[:10_000]
    started = time.time()
    output = predictor.predict_json(predictor.load_line(line + "\n"))
    seconds = time.time() - started
    PREDICTORS[name].check(line, output)
    assert len(output["tags"]) == 10_000
    print(f"{name}: 10,000-character line in {seconds:.2f} s")
