"""glyce_allennlp.patches.predict_io through the real ``allennlp predict`` command: one output line per input line,
in order, for blank and whitespace-only lines, a lone ``"\\r"``, a CRLF line and invalid UTF-8, with UTF-8 output
under an ASCII locale. The same run's stderr shows that no NLTK download is attempted and no pkg_resources warning
is printed (glyce_allennlp.patches.nltk_downloads, the setuptools pin)."""
import json
import subprocess

import pytest

from reliability_support import allennlp_cli, subprocess_env, trained_tagger

pytestmark = pytest.mark.slow  # trains a small tagger, runs the allennlp command

INPUT_LINES = [
    "张伟在北京工作。".encode(),
    b"",
    b"   ",
    b"\t \t",
    "北京\r上海".encode(),  # a lone "\r" does not end a line
    "中文\r".encode(),  # "\r\n": a CRLF line end
    b"bad \xff\xfe utf-8 " + "北京".encode(),
    "最后一行".encode(),
]
EXPECTED_TEXT = ["张伟在北京工作。", "", "   ", "\t \t", "北京\r上海", "中文", "bad \ufffd\ufffd utf-8 北京", "最后一行"]


@pytest.fixture(scope="module")
def prediction(tmp_path_factory):
    folder = tmp_path_factory.mktemp("predict")
    source, output = folder / "input.txt", folder / "output.jsonl"
    source.write_bytes(b"\n".join(INPUT_LINES) + b"\n")
    cmd = allennlp_cli("predict", str(trained_tagger() / "model.tar.gz"), str(source), "--predictor",
                       "chinese_tagger", "--output-file", str(output), "--silent", "--batch-size", "3")
    # an ASCII locale: AllenNLP alone opens the output file with the locale's encoding
    env = subprocess_env(LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0", PYTHONIOENCODING="utf-8")
    proc = subprocess.run(cmd, env=env, capture_output=True, timeout=600)
    return proc, output


def test_one_output_line_per_input_line_in_order(prediction):
    proc, output = prediction
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-4000:]
    lines = output.read_bytes().decode("utf-8").split("\n")
    assert lines[-1] == "" and len(lines[:-1]) == len(INPUT_LINES)
    records = [json.loads(line) for line in lines[:-1]]
    assert [r["text"] for r in records] == EXPECTED_TEXT
    for record in records:
        assert len(record["tags"]) == len([c for c in record["text"] if not c.isspace()])
    assert "input.txt:7: not valid UTF-8" in proc.stderr.decode(errors="replace")


def test_no_nltk_download_and_no_pkg_resources_warning(prediction):
    proc, _ = prediction
    stderr = proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, stderr[-4000:]
    assert "nltk_data" not in stderr and "pkg_resources" not in stderr, stderr[:3000]
