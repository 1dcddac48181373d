"""``glyce-allennlp embeddings`` (glyce_allennlp.vectors.word2vec): vector files, manifest, reproducibility, and the
check that no forbidden (dev/test) file went into the vectors."""
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES
from glyce_allennlp.cli import main
from glyce_allennlp.formats.io import ReaderError
from glyce_allennlp.vectors.lexicon import read_vector_words
from glyce_allennlp.vectors.manifest import forbidden_inputs
from glyce_allennlp.vectors.text import char_bigrams, file_sha256, read_text_lines
from glyce_allennlp.vectors.word2vec import cpu_flags, train_vectors

RAW = os.path.join(FIXTURES, "vectors", "raw.txt")
SEGMENTED = os.path.join(FIXTURES, "vectors", "segmented.txt")
SMALL = dict(dim=8, min_count=1, epochs=2, workers=1, progress=False)


def header_and_rows(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    return [int(x) for x in lines[0].split()], [line.split(" ") for line in lines[1:]]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("vectors")
    return out, train_vectors(out, texts=[RAW], segmented=[SEGMENTED], dims={"chars": 6}, **SMALL)


def test_every_kind_is_a_gzip_word2vec_text_file_with_header(trained):
    out, manifest = trained
    for kind, dim in (("chars", 6), ("bigrams", 8), ("words", 8)):
        (count, size), rows = header_and_rows(out / f"{kind}.vec.gz")
        assert size == dim and count == len(rows) == manifest["vectors"][kind]["vocabulary_size"]
        assert all(len(row) == dim + 1 for row in rows)
    chars = read_vector_words(out / "chars.vec.gz")
    assert "中" in chars and " " not in chars and len(chars) == len(set(chars))
    raw_bigrams = {b for _, line in read_text_lines(RAW) for b in char_bigrams(line)}
    assert set(read_vector_words(out / "bigrams.vec.gz")) >= raw_bigrams  # the indexer's bigrams, "。</s>" too
    words = set(read_vector_words(out / "words.vec.gz"))
    assert {"记者", "参观", "广州"} <= words  # segmented input: its words as written
    assert "中国银行" in words or {"中国", "银行"} <= words  # raw input: jieba's words


def test_manifest_records_inputs_parameters_and_sizes(trained):
    out, manifest = trained
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest
    raw, segmented = manifest["inputs"]
    assert raw["path"] == os.path.realpath(RAW) and not raw["segmented"] and raw["lines"] == 5
    assert segmented["segmented"] and segmented["sentences"] == 2 and len(segmented["sha256"]) == 64
    assert manifest["parameters"]["dims"] == {"chars": 6, "bigrams": 8, "words": 8}
    assert manifest["parameters"]["min_count"] == 1 and manifest["parameters"]["seed"] == 13
    assert manifest["versions"]["gensim"] and manifest["versions"]["jieba"]
    assert manifest["blas"]["OPENBLAS_CORETYPE"] == os.environ.get("OPENBLAS_CORETYPE")
    assert any("scipy" in lib["library"] and lib["architecture"] for lib in manifest["blas"]["libraries"])
    for kind in ("chars", "bigrams", "words"):
        assert manifest["vectors"][kind]["bytes"] == os.path.getsize(out / f"{kind}.vec.gz")
        assert 0 <= manifest["vectors"][kind]["seconds"] <= manifest["seconds"]  # within the whole run


def test_one_worker_gives_the_same_files_for_the_same_seed(trained, tmp_path):
    """Byte for byte (the gzip header holds no time stamp), so the sha256 that manifests and benchmark records keep
    identifies the vectors: trained again later, the same vectors are the same file."""
    out, _ = trained
    time.sleep(1.1)  # a header with a time stamp would differ now
    train_vectors(tmp_path, texts=[RAW], segmented=[SEGMENTED], dims={"chars": 6}, **SMALL)
    for kind in ("chars", "bigrams", "words"):
        assert header_and_rows(tmp_path / f"{kind}.vec.gz") == header_and_rows(out / f"{kind}.vec.gz")
        assert file_sha256(tmp_path / f"{kind}.vec.gz") == file_sha256(out / f"{kind}.vec.gz")
        with open(tmp_path / f"{kind}.vec.gz", "rb") as handle:
            header = handle.read(32)
        assert header[4:8] == bytes(4) and header[10:].startswith(f"{kind}.vec\0".encode())  # mtime 0, the name


def test_forbidden_files_are_found_by_path_and_by_content(trained, tmp_path):
    out, manifest = trained
    copy = tmp_path / "renamed.txt"
    shutil.copy(RAW, copy)
    gz_copy = tmp_path / "test.txt.gz"
    with open(RAW, "rb") as source, gzip.open(gz_copy, "wb") as target:
        target.write(source.read())
    other = os.path.join(FIXTURES, "ner", "test.bmes")
    assert forbidden_inputs(out / "manifest.json", [other]) == []
    assert forbidden_inputs(manifest, [other, RAW, copy, gz_copy]) == [RAW, str(copy), str(gz_copy)]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        forbidden_inputs(manifest, [tmp_path / "missing.txt"])


def test_gzip_input_is_read_like_plain_text_and_bad_bytes_name_file_and_line(tmp_path):
    gz = tmp_path / "raw.txt.gz"
    with open(RAW, "rb") as source, gzip.open(gz, "wb") as target:
        target.write(source.read())
    assert list(read_text_lines(gz)) == list(read_text_lines(RAW))
    bad = tmp_path / "bad.txt.gz"
    with gzip.open(bad, "wb") as target:
        target.write("第一行\n".encode("utf-8") + b"\xff\xfe\n")
    with pytest.raises(ReaderError, match=r"bad\.txt\.gz:2: cannot decode"):
        train_vectors(tmp_path / "out", texts=[bad], **SMALL)


def test_embeddings_command(tmp_path, capsys):
    status = main(["embeddings", str(tmp_path), "--segmented", SEGMENTED, "--kinds", "chars", "bigrams",
                   "--dim", "4", "--bigram-dim", "3", "--min-count", "1", "--epochs", "1", "--quiet"])
    assert status == 0
    assert sorted(os.listdir(tmp_path)) == ["bigrams.vec.gz", "chars.vec.gz", "manifest.json"]
    assert header_and_rows(tmp_path / "bigrams.vec.gz")[0][1] == 3
    assert "manifest.json" in capsys.readouterr().out
    assert main(["embeddings", str(tmp_path / "none")]) == 2


@pytest.mark.skipif(platform.machine() != "x86_64" or "avx2" not in cpu_flags(),
                    reason="OpenBLAS's Haswell kernels need AVX2")
def test_manifest_names_the_blas_kernels_an_openblas_coretype_chose(tmp_path):
    """The kernels decide the summation order, hence the bytes on another processor: the manifest says which ran."""
    env = dict(os.environ, OPENBLAS_CORETYPE="Haswell", OMP_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "glyce_allennlp.cli", "embeddings", str(tmp_path), "--segmented", SEGMENTED,
                    "--kinds", "chars", "--dim", "4", "--min-count", "1", "--epochs", "1", "--quiet"],
                   env=env, check=True, capture_output=True)
    blas = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["blas"]
    assert blas["OPENBLAS_CORETYPE"] == "Haswell"
    scipy_blas = [lib for lib in blas["libraries"] if "scipy" in lib["library"]]
    assert scipy_blas and all(lib["architecture"] == "Haswell" for lib in scipy_blas)
