"""Predictors never lose or reorder a line: for any sequence of input lines (empty, whitespace-only,
10,000-character lines, characters no font can draw, control characters, invalid UTF-8, lone CR, U+2028 …) the
output has exactly one JSON line per input line, in order.

* hypothesis drives AllenNLP's own predict loop (``_PredictManager``, what ``allennlp predict`` runs) in-process;
* one subprocess runs the real ``allennlp predict`` entry point (``allennlp.__main__.run``) once per predictor on an
  adversarial file (with an ASCII locale, to show the output encoding does not depend on it); one process for all
  predictors, so that AllenNLP is imported once.

Covered: ``chinese_tagger`` (a small Glyce CWS tagger), ``chinese_text_classifier`` and ``chinese_pair_classifier``
(Glyce BiLSTM classifier, Glyce BiMPM), ``chinese_dependency_parser`` (Glyce biaffine parser, raw text,
``word_POS`` and JSON lines) and ``chinese_srl`` (Glyce k-order-pruning SRL). ``chinese_srl`` reads
CoNLL-2009 blocks, not lines: its guarantee (docstring) is one JSON line per sentence, in order, for any valid input
(comments, runs of blank or whitespace-only lines, CRLF, a BOM, the last sentence without a line break, hard
characters in FORM), and a malformed row stops the run with ``ReaderError`` ``"<input>:LINE: …"`` naming that line.

Over-long inputs: the BiLSTM-CRF tagger has no length limit and the ``chinese_tagger`` predictor neither splits nor
truncates: a 10,000-character line is tagged whole (its time is measured below and reported in docs/reliability.md).
The classifiers' readers keep the first ``max_chars`` characters (256, 64 per sentence of a pair); the parser parses a
long line in pieces of at most ``max_words`` words (250).

To cover another predictor, add an entry to ``PREDICTORS``: the registered name, a function returning a trained
serialization folder, and a check of one output dict against its input line (or, for other inputs, a strategy of
input files with their expected records).
"""
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reliability_support import (
    run,
    subprocess_env,
    torch_threads,
    trained_dependency_parser,
    trained_pair_classifier,
    trained_srl,
    trained_tagger,
    trained_text_classifier,
)

pytestmark = pytest.mark.slow  # every test predicts with trained models (trained here), one runs `allennlp predict`

HARD_CHARS = ("中文龍鑫，。ＡＢ１２😀\U00020000\U000F0001\ue000\x00\x07\x1b\x7f\x85\u200b\u2028\u2029\ufeff\u0301"
              " \t\u3000\r")


def _chars(text: str) -> List[str]:
    """What every predictor takes as characters: whitespace and NUL are not characters."""
    return [c for c in text if not c.isspace() and c != "\x00"]


# ------------------------------------------------------------------------------------------------ line predictors
def check_tagger_output(text: str, output: Dict) -> None:
    chars = _chars(text)  # NUL is dropped like whitespace
    assert output["text"] == text
    assert output["chars"] == chars and len(output["tags"]) == len(chars)
    assert "".join(output["words"]) == "".join(chars)


def _check_label(output: Dict, error: bool) -> None:
    if error:
        assert output["label"] is None and output["probs"] == {} and output["error"], output
    else:
        assert "error" not in output and output["label"] in output["probs"], output
        assert abs(sum(output["probs"].values()) - 1.0) < 1e-4, output


def check_text_classifier_output(text: str, output: Dict) -> None:
    assert output["text"] == text
    _check_label(output, error=not _chars(text))


def check_pair_classifier_output(text: str, output: Dict) -> None:
    assert output["text"] == text
    parts = text.split("\t")
    if len(parts) == 2:
        assert (output["s1"], output["s2"]) == tuple(parts)
    _check_label(output, error=len(parts) != 2 or not _chars(parts[0]) or not _chars(parts[1]))


def _no_surrogates(text: str) -> str:
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


def parser_words(text: str) -> List[str]:
    """The words the parser must return for an input line: a JSON object with a "words" list (each word made a string,
    whitespace runs inside it one space, blank words left out), else the whitespace-separated tokens, a ``word_POS``
    token split on its last "_" when both sides are non-empty."""
    if text.strip().startswith("{"):
        try:
            obj = json.loads(text.strip())
        except ValueError:
            obj = None
        if isinstance(obj, dict) and isinstance(obj.get("words"), list):
            words = [" ".join(_no_surrogates(str(w)).split()) for w in obj["words"]]
            return [w for w in words if w]
    words = []
    for token in text.split():
        head, sep, tail = token.rpartition("_")
        words.append(head if sep and head and tail else token)
    return words


def check_parser_output(text: str, output: Dict) -> None:
    words = parser_words(text)
    assert output["words"] == words
    n = len(words)
    assert len(output["pos"]) == len(output["heads"]) == len(output["relations"]) == n
    assert all(isinstance(p, str) and p and not any(c.isspace() for c in p) for p in output["pos"]), output["pos"]
    assert all(0 <= h <= n and h != i for i, h in enumerate(output["heads"], 1)), output["heads"]
    for start in range(1, n + 1):  # a forest under 0: every word reaches the root, no cycle
        node, steps = start, 0
        while node != 0:
            node, steps = output["heads"][node - 1], steps + 1
            assert steps <= n, ("cycle", output["heads"])
    if not text.strip().startswith("{"):
        assert output["text"] == text


def json_lines():
    """Lines for the parser's JSON input: "words" / "pos" / "text" of any JSON type, lone surrogates, whitespace
    inside words, the chinese_tagger's [[word, tag], ...] POS."""
    scalar = st.one_of(st.text(alphabet=HARD_CHARS + "\ud800\udfff_", max_size=6), st.integers(-3, 10**6), st.none(),
                       st.booleans(), st.floats(allow_nan=False))
    value = st.one_of(scalar, st.lists(scalar, max_size=3))
    words = st.lists(st.one_of(st.text(alphabet=HARD_CHARS + "\ud800", max_size=5), scalar, value), max_size=8)

    @st.composite
    def line(draw):
        obj = {"words": draw(words)}
        if draw(st.booleans()):
            n = len(obj["words"]) if draw(st.booleans()) else draw(st.integers(0, 4))
            obj["pos"] = draw(st.lists(st.one_of(value, st.tuples(st.text(max_size=2), st.text(max_size=3))),
                                       min_size=n, max_size=n))
        if draw(st.booleans()):
            obj["text"] = draw(value)
        return json.dumps(obj, ensure_ascii=True)  # lone surrogates travel as \ud800 escapes
    return line()


def lines_strategy(extra=None):
    line = st.one_of(
        st.just(""), st.sampled_from([" ", "\t", "\u3000", " \u3000 \t", "\r"]),
        st.text(alphabet=HARD_CHARS, max_size=30),
        st.text(alphabet=HARD_CHARS, max_size=3).map(lambda s: s * 400),  # long lines
        st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")),  # arbitrary bytes, invalid UTF-8 included
        *([extra] if extra is not None else []),
    )
    return st.lists(line, min_size=1, max_size=12)


def to_bytes(lines) -> bytes:
    return b"\n".join(x if isinstance(x, bytes) else x.encode("utf-8") for x in lines)


def expected_texts(data: bytes) -> List[str]:
    """What each input line must come back as: split on b"\\n" only, invalid UTF-8 replaced, the line break and a
    leading BOM removed (``RawLinePredictor.load_line``)."""
    raws = data.split(b"\n")
    if raws[-1] == b"":
        raws.pop()
    return [raw.decode("utf-8", errors="replace").rstrip("\r\n").lstrip("\ufeff") for raw in raws]


def line_files(extra=None):
    """(input bytes, expected records): any lines, with or without a final line break."""
    return st.tuples(lines_strategy(extra), st.booleans()).map(
        lambda t: to_bytes(t[0]) + (b"\n" if t[1] else b"")).map(lambda data: (data, expected_texts(data)))


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


# --------------------------------------------------------------------------------------- chinese_srl: CoNLL-2009
class MalformedInput(Exception):
    """The input has a malformed row: the predictor must stop with ReaderError "<input>:LINE: ..."."""

    def __init__(self, lineno: int):
        super().__init__(lineno)
        self.lineno = lineno


FORM_CHARS = HARD_CHARS.replace("\t", "").replace("\r", "") + "_#"


@st.composite
def srl_sentence(draw):
    """The rows of one sentence (14 fixed columns, APREDs or none); HEAD is a tree (the model prunes with k = 3)."""
    n = draw(st.integers(1, 4))
    order = draw(st.permutations(range(1, n + 1)))
    heads = [0] * n
    for k, word in enumerate(order[1:], 1):
        heads[word - 1] = order[draw(st.integers(0, k - 1))]
    fill = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    rows = []
    for i in range(n):
        form = draw(st.text(alphabet=FORM_CHARS, min_size=1, max_size=6).filter(lambda f: f.strip()))
        pos = draw(st.sampled_from(["NN", "VV", "PU", "XX"]))
        pred = draw(st.sampled_from(["_", "说.01"])) if fill[i] else "_"
        rows.append([str(i + 1), form, form, form, pos, pos, "_", "_", str(heads[i]), str(heads[i]), "SBJ", "SBJ",
                     "Y" if fill[i] else "_", pred])
    if any(fill) and draw(st.booleans()):
        for row in rows:
            row.extend(draw(st.sampled_from(["_", "A0", "A1"])) for _ in range(sum(fill)))
    return rows


@st.composite
def conll2009_files(draw):
    """(input bytes, expected records or MalformedInput): sentences after optional comments, separated by runs of
    blank / whitespace-only lines, CRLF or LF, maybe a BOM, the last sentence followed by a blank line or ending
    without a line break; sometimes one malformed row."""
    sentences = draw(st.lists(srl_sentence(), max_size=5))
    lines: List[str] = []
    expected: List[Dict] = []
    problem: Optional[int] = None
    for number, rows in enumerate(sentences, 1):
        lines.extend(draw(st.lists(st.sampled_from(["", " ", "\t", "\u3000", "\x85"]), min_size=1 if lines else 0,
                                   max_size=2)))
        lines.extend(draw(st.lists(st.sampled_from(["# sent_id = 1", "# 中文 😀"]), max_size=1)))
        first = len(lines) + 1
        for row in rows:
            lines.append("\t".join(row))
        expected.append({"number": number, "words": [row[1] for row in rows],
                         "predicates": [i + 1 for i, row in enumerate(rows) if row[12] == "Y"]})
        if problem is None and draw(st.integers(0, 9)) == 0:  # a malformed row: too few columns
            k = draw(st.integers(0, len(rows) - 1))
            lines[first - 1 + k] = "\t".join(rows[k][:13])
            problem = first + k
    final = draw(st.sampled_from(["blank", "no line break"])) if lines else "blank"
    if final == "blank":
        lines.append("")
    text = "".join(line + draw(st.sampled_from(["\n", "\r\n"])) for line in lines)
    if final == "no line break":
        text = text.rstrip("\r\n")
    data = (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")
    return data, (MalformedInput(problem) if problem is not None else expected)


def check_srl_output(sentence: Dict, output: Dict) -> None:
    assert output["sentence"] == sentence["number"] and output["words"] == sentence["words"]
    assert [p["id"] for p in output["predicates"]] == sentence["predicates"]
    for predicate in output["predicates"]:
        assert predicate["word"] == sentence["words"][predicate["id"] - 1] and predicate["sense"]
        for argument in predicate["arguments"]:
            assert argument["word"] == sentence["words"][argument["id"] - 1] and argument["role"] not in ("_", "")


def srl_adversarial_input() -> bytes:
    """fixtures/srl/test.txt with a BOM, comments, CRLF, runs of blank / whitespace-only lines, hard characters and a
    10,000-character FORM, a sentence without predicates, and the last sentence without a line break."""
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "srl" / "test.txt"
    blocks = fixture.read_text(encoding="utf-8").strip().split("\n\n")
    hard = ["😀😀", "\U00020000\U0002A6A5", "\U000F0001", "中\u2028文", "中\x85文", "\x07\x1b", "ＡＢ１２", "龍" * 10_000]
    out = []
    for k, block in enumerate(blocks * 3):
        rows = [row.split("\t") for row in block.split("\n")]
        if k % 3 == 1:
            for i, row in enumerate(rows):
                row[1] = hard[(k + i) % len(hard)]
        if k % 4 == 3:  # no predicate
            rows = [row[:12] + ["_", "_"] for row in rows]
        out.append((["# sent_id = %d" % k] if k % 2 else []) + ["\t".join(row) for row in rows])
    text = ""
    for k, rows in enumerate(out):
        end = "\r\n" if k % 2 else "\n"
        text += end.join(rows) + end + ["\n", " \n\u3000\n", "\t\r\n\n"][k % 3]
    return b"\xef\xbb\xbf" + text.rstrip("\r\n \t\u3000").encode("utf-8")


def srl_expected(data: bytes) -> List[Dict]:
    """The sentences of a valid CoNLL-2009 input (blank or whitespace-only lines end them; '#' lines before a
    sentence are comments), as the records chinese_srl must write."""
    text = data.decode("utf-8").lstrip("\ufeff")
    sentences, rows = [], []
    for line in text.split("\n") + [""]:
        line = line.rstrip("\r")
        if not line.strip():
            if rows:
                sentences.append(rows)
            rows = []
        elif not (line.startswith("#") and not rows):
            rows.append(line.split("\t"))
    return [{"number": k, "words": [row[1] for row in rows],
             "predicates": [i + 1 for i, row in enumerate(rows) if row[12] == "Y"]}
            for k, rows in enumerate(sentences, 1)]


def srl_long_input() -> bytes:
    rows = [["1", "龍" * 10_000, "龍", "龍", "NN", "NN", "_", "_", "2", "2", "SBJ", "SBJ", "_", "_"],
            ["2", "说", "说", "说", "VV", "VV", "_", "_", "0", "0", "ROOT", "ROOT", "Y", "_"],
            ["3", ("我爱北京天安门" * 1500)[:10_000], "我", "我", "NN", "NN", "_", "_", "2", "2", "OBJ", "OBJ", "_", "_"]]
    return "\n".join("\t".join(row) for row in rows).encode("utf-8") + b"\n\n"


# ------------------------------------------------------------------------------------------------------- the cases
@dataclass
class PredictorCase:
    name: str
    serialization_dir: Callable[[], Path]
    check: Callable[[Any, Dict], None]  # (expected record: for line predictors the text of the input line, output)
    files: Callable[[], Any] = line_files  # strategy of (input bytes, expected records or MalformedInput)
    expected: Callable[[bytes], List] = expected_texts  # expected records of the adversarial and long inputs
    adversarial: Callable[[], bytes] = adversarial_input  # input of the `allennlp predict` run
    long_input: bytes = (("张伟在北京工作。" * 1250)[:10_000] + "\n").encode("utf-8")
    check_long: Callable[[Dict], None] = lambda output: None
    hypothesis_args: Dict = field(default_factory=dict)  # predictor args of the in-process hypothesis test
    stateful: bool = False  # keeps state between lines (chinese_srl): a fresh predictor per input file
    invalid_utf8_in_adversarial: bool = True


def _tagged_whole(output):
    assert len(output["tags"]) == 10_000


def _parsed_in_pieces(output):
    assert len(output["words"]) == 1250
    pieces = [output["heads"][k:k + 250] for k in range(0, 1250, 250)]
    for k, heads in enumerate(pieces):  # each piece of 250 words is a tree of its own (max_words = 250)
        assert all(h == 0 or 250 * k < h <= 250 * (k + 1) for h in heads), heads


PREDICTORS = {
    "chinese_tagger": PredictorCase("chinese_tagger", trained_tagger, check_tagger_output, check_long=_tagged_whole),
    "chinese_text_classifier": PredictorCase("chinese_text_classifier", trained_text_classifier,
                                             check_text_classifier_output),
    "chinese_pair_classifier": PredictorCase("chinese_pair_classifier", trained_pair_classifier,
                                             check_pair_classifier_output,
                                             files=lambda: line_files(st.tuples(
                                                 st.text(alphabet=HARD_CHARS, max_size=8),
                                                 st.text(alphabet=HARD_CHARS, max_size=8)).map("\t".join)),
                                             long_input=("中" * 10_000 + "\t" + "文" * 10_000 + "\n").encode()),
    "chinese_dependency_parser": PredictorCase("chinese_dependency_parser", trained_dependency_parser,
                                               check_parser_output, files=lambda: line_files(json_lines()),
                                               long_input=(("我爱北京天安门 " * 1250)[:10_000] + "\n").encode(),
                                               check_long=_parsed_in_pieces,
                                               # small pieces: many splits, fast MST (the CLI run uses the default)
                                               hypothesis_args={"max_words": 40}),
    "chinese_srl": PredictorCase("chinese_srl", trained_srl, check_srl_output, files=conll2009_files,
                                 expected=srl_expected, adversarial=srl_adversarial_input, long_input=srl_long_input(),
                                 stateful=True, invalid_utf8_in_adversarial=False),
}


def check_output_file(case: PredictorCase, expected: List, output: Path) -> List[Dict]:
    written = output.read_bytes()
    assert written.endswith(b"\n") or not expected
    out_lines = written.decode("utf-8").split("\n")[:-1]
    assert len(out_lines) == len(expected), (len(out_lines), len(expected))
    assert len(written.decode("utf-8").splitlines()) == len(expected)  # no U+2028/U+0085 left unescaped
    outputs = [json.loads(line) for line in out_lines]
    for record, result in zip(expected, outputs):
        case.check(record, result)
    return outputs


@pytest.fixture(scope="module")
def predictors(components):
    from allennlp.predictors import Predictor

    # one torch thread: on a busy machine, per-op thread synchronisation makes the CRF's per-character Viterbi loop
    # (~10 small ops per character) up to 400x slower with 2 threads (measured: 72 s vs 0.18 s for 10,000 characters)
    with torch_threads(1):
        yield {name: Predictor.from_path(str(case.serialization_dir() / "model.tar.gz"), name)
               for name, case in PREDICTORS.items()}


def fresh(name: str, predictors, **args):
    """A new predictor of the same model: for stateful predictors, and for other predictor args."""
    case, loaded = PREDICTORS[name], predictors[name]
    if not case.stateful and not args:
        return loaded
    return type(loaded)(loaded._model, loaded._dataset_reader, **args)


def predict_file(predictor, data: bytes, tmp_path: Path, batch_size: int) -> Path:
    from allennlp.commands.predict import _PredictManager

    source, output = tmp_path / "in.txt", tmp_path / "out.jsonl"
    source.write_bytes(data)
    _PredictManager(predictor, str(source), str(output), batch_size, print_to_console=False,
                    has_dataset_reader=False).run()
    return output


@pytest.mark.parametrize("name", sorted(PREDICTORS))
def test_any_lines_give_one_output_line_each_in_order(name, predictors, tmp_path):
    from glyce_allennlp.formats.io import ReaderError

    case = PREDICTORS[name]

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(case.files(), st.integers(1, 4))
    def run_once(generated, batch_size):
        data, expected = generated
        predictor = fresh(name, predictors, **case.hypothesis_args)
        if isinstance(expected, MalformedInput):  # chinese_srl: the run stops at the malformed row, naming it
            with pytest.raises(ReaderError, match=rf"^<input>:{expected.lineno}: "):
                predict_file(predictor, data, tmp_path, batch_size)
            return
        check_output_file(case, expected, predict_file(predictor, data, tmp_path, batch_size))

    with torch_threads(1):
        run_once()


RUNNER = """
import json, sys, traceback
import allennlp.__main__ as entry  # what the `allennlp` command runs: logging set up as there
runs, status_file = json.loads(sys.argv[1]), sys.argv[2]
results = {}
for name, argv in runs:
    print(f"=== {name}", file=sys.stderr, flush=True)
    sys.argv = ["allennlp", *argv]
    try:
        entry.run()
        results[name] = 0
    except BaseException:
        traceback.print_exc()
        results[name] = 1
    print(f"=== end {name}", file=sys.stderr, flush=True)
with open(status_file, "w") as f:
    json.dump(results, f)
"""


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory, components):
    """One subprocess, the real `allennlp predict` entry point once per predictor on its adversarial file, with an
    ASCII locale: name → (input bytes, output path, log of that run, exit status, seconds)."""
    folder = tmp_path_factory.mktemp("cli")
    runs, inputs = [], {}
    for name, case in PREDICTORS.items():
        inputs[name] = case.adversarial()
        (folder / f"{name}.in").write_bytes(inputs[name])
        runs.append((name, ["predict", str(case.serialization_dir() / "model.tar.gz"), str(folder / f"{name}.in"),
                            "--predictor", name, "--output-file", str(folder / f"{name}.jsonl"), "--silent",
                            "--batch-size", "8", "--include-package", "glyce_allennlp"]))
    env = subprocess_env(LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")  # an ASCII locale
    started = time.time()
    proc = run([sys.executable, "-c", RUNNER, json.dumps(runs), str(folder / "status.json")], env,
               folder / "predict.log", timeout=900)
    seconds = time.time() - started
    log = (folder / "predict.log").read_text(errors="replace")
    status = json.loads((folder / "status.json").read_text()) if proc.returncode == 0 else {}
    logs = dict(re.findall(r"=== (\S+)\n(.*?)=== end \1\n", log, flags=re.S))
    return {name: (inputs[name], folder / f"{name}.jsonl", logs.get(name, log[-4000:]), status.get(name), seconds)
            for name in PREDICTORS}


@pytest.mark.parametrize("name", sorted(PREDICTORS))
def test_allennlp_predict_cli_on_an_adversarial_file(name, cli_runs):
    case = PREDICTORS[name]
    data, output, log, status, seconds = cli_runs[name]
    assert status == 0, log[-4000:]
    check_output_file(case, case.expected(data), output)
    if case.invalid_utf8_in_adversarial:
        assert "not valid UTF-8" in log  # the undecodable lines were reported, not dropped
    print(f"allennlp predict (all predictors in one process): {seconds:.1f} s")


@pytest.mark.parametrize("name", sorted(PREDICTORS))
def test_ten_thousand_character_input(name, predictors, tmp_path):
    """A 10,000-character line (chinese_srl: 10,000-character FORMs) is predicted, within the documented limits."""
    case = PREDICTORS[name]
    started = time.time()
    with torch_threads(1):
        output = predict_file(fresh(name, predictors), case.long_input, tmp_path, 8)
    seconds = time.time() - started
    (result,) = check_output_file(case, case.expected(case.long_input), output)
    case.check_long(result)
    print(f"{name}: 10,000-character input in {seconds:.2f} s")
