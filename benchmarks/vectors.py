"""Pretrained inputs of the benchmarks: the character, bigram and word vectors and the SoftLexicon lexicon that the
configs of a benchmark read, how ``python benchmarks/run.py --prepare-vectors`` builds them, and the check that no
dev or test text went into them (:func:`check_inputs`).

Everything lives in a vectors folder outside the repository (``run.py --vectors``, default
``$GLYCE_HOME/bench-vectors``), one sub-folder per dataset (benchmarks on the same data share it)::

    general/{chars,words}.vec.gz, manifest.json  character (200-d) and word (100-d) vectors, gensim Word2Vec on
                                                 unlabelled text only (GENERAL_TEXTS: Weibo posts + CLUECorpusSmall)
    <dataset>/text/{train,dev,test}.txt          the dataset's sentences as plain text, a sentence a line
    <dataset>/bigram_training/bigrams.vec.gz, manifest.json
                                                 character-bigram vectors (50-d) trained on GENERAL_TEXTS + the
                                                 training sentences (text/train.txt), min count 2
    <dataset>/bigrams.vec.gz, bigrams.vec.gz.json
                                                 those vectors, restricted to the bigrams that occur in the dataset's
                                                 sentences (train, dev, test): a model reads only those, so it trains
                                                 exactly as with the whole file, from a file ~10× smaller
    <dataset>/lexicon.tsv, lexicon.tsv.json      the SoftLexicon lexicon: the words of jieba's dictionary that have
                                                 a word vector, counted on the training sentences, restricted to
                                                 the words that occur in the dataset's sentences
    tencent/chars.vec.gz, chars.vec.gz.json      a copy of the data folder's Tencent character vectors
                                                 (TENCENT_CHARS: 4,758 × 200-d, trained by Tencent AI Lab on its own
                                                 web/news corpus), checked against TENCENT_CHARS_SHA256

Each file has a manifest (``glyce_allennlp.vectors.manifest``): its ``inputs`` are the files the vectors or counts
were computed from; the dev and test sentences appear only under ``restricted_to`` (which rows a file keeps, not
what they contain). A step whose output exists with a manifest of the same inputs and parameters is not redone.
"""
import gzip
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence

from glyce_allennlp.vectors.manifest import describe_input, forbidden_inputs, read_manifest, write_manifest
from glyce_allennlp.vectors.text import file_sha256
from glyce_allennlp.vectors.word2vec import cpu_flags as processor_flags

# unlabelled text (relative to the data folder): the general vectors and every bigram training start from it
GENERAL_TEXTS = ("raw_text/weibo_ced/weibo_ced_text.txt.gz",
                 "raw_text/cluecorpussmall_sample/CLUECorpusSmall_sampled.txt")
GENERAL = {"kinds": ["chars", "words"], "dims": {"chars": 200, "words": 100}, "min_count": 5, "window": 5,
           "epochs": 5, "sg": 1, "negative": 5, "seed": 13}
BIGRAMS = {"kinds": ["bigrams"], "dims": {"bigrams": 50}, "min_count": 2, "window": 5, "epochs": 5, "sg": 1,
           "negative": 5, "seed": 13}
# the OpenBLAS kernels the vectors are trained with on any x86-64 processor with AVX2 (training_environment)
BLAS_CORETYPE = "Haswell"
# pretrained character vectors trained elsewhere (relative to the data folder; its SOURCE.txt says where from), and
# the sha256 that SOURCE.txt records for it
TENCENT_CHARS = "pretrained/tencent_char_200d/tencent_char_200d.vec.gz"
TENCENT_CHARS_SHA256 = "6e48968a57f39542e4c8b8baba0f29cd48f5f770b0b2f970b844782c37677b93"
# the inputs a config can read, and the environment variables that name them ("tencent_chars": the Tencent character
# vectors in place of ours, read through the same variable)
INPUT_VARIABLES = {"chars": ("CHAR_VECTORS",), "tencent_chars": ("CHAR_VECTORS",), "bigrams": ("BIGRAM_VECTORS",),
                   "lexicon": ("LEXICON_FILE", "WORD_VECTORS")}


class ForbiddenInput(Exception):
    """A benchmark's dev or test file went into a vector or lexicon file it would read, or a file it would read has
    no manifest to check."""


# ---------------------------------------------------------------------------------------------- sentences as text
def read_chars(path, fmt: str) -> Iterator[List[str]]:
    """The character sequences of the sentences of ``path`` as the tagging readers see them; ``fmt``: ``"char_ner"``,
    ``"cws"`` or ``"conllu"``."""
    if fmt in ("char_ner", "cws"):
        from glyce_allennlp.vectors.lexicon import read_sentences

        yield from read_sentences(path, fmt)
    elif fmt == "conllu":
        from glyce_allennlp.formats.char_pos import read_conll_char_pos

        for _, chars, _ in read_conll_char_pos(path):
            yield chars
    else:
        raise ValueError(f"unknown sentence format {fmt!r}; use char_ner, cws or conllu")


def write_text(sentences: Iterable[Sequence[str]], out: Path) -> Path:
    """Write each character sequence as one line (no spaces)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for chars in sentences:
            handle.write("".join(chars) + "\n")
    os.replace(tmp, out)
    return out


def dataset_texts(files: Dict[str, str], fmt: str, folder: Path) -> Dict[str, Path]:
    """``folder/text/{train,dev,test}.txt`` from the data files ``files`` (rewritten each time: cheap, and always
    what the data files hold now)."""
    return {split: write_text(read_chars(files[split], fmt), folder / "text" / f"{split}.txt")
            for split in ("train", "dev", "test")}


# ---------------------------------------------------------------------------------------------- files and manifests
def manifest_path(path) -> Path:
    """The manifest of a vector or lexicon file: ``<file>.json`` beside it, else the ``manifest.json`` of its folder
    (what ``glyce-allennlp embeddings`` writes)."""
    path = Path(path)
    own = path.with_name(path.name + ".json")
    return own if own.exists() else path.parent / "manifest.json"


def check_inputs(paths: Iterable, forbidden_files: Iterable) -> None:
    """Raise :class:`ForbiddenInput` when a file of ``forbidden_files`` (a benchmark's dev and test files) went into
    one of the vector / lexicon files ``paths`` (:func:`glyce_allennlp.vectors.manifest.forbidden_inputs` on each
    one's manifest), or when one of them has no manifest."""
    forbidden_files = [str(f) for f in forbidden_files]
    for path in paths:
        manifest = manifest_path(path)
        if not manifest.exists():
            raise ForbiddenInput(f"{path} has no manifest ({path}.json or {manifest}): what went into it cannot be "
                                 f"checked")
        found = forbidden_inputs(read_manifest(manifest), forbidden_files)
        if found:
            raise ForbiddenInput(f"{path} was computed from evaluation data: {', '.join(found)} (manifest "
                                 f"{manifest})")


def vector_tokens(path) -> List[str]:
    from glyce_allennlp.vectors.lexicon import read_vector_words

    return read_vector_words(path)


def restrict_vectors(source: Path, out: Path, texts: Sequence[Path]) -> Dict:
    """Write the lines of the word2vec text file ``source`` (gzip) whose token is a character bigram of a sentence of
    ``texts`` to ``out`` (gzip, with a ``"<count> <dim>"`` header), and ``out.json``: the source manifest's
    ``inputs``, the source file, and ``restricted_to`` (the texts). Returns that manifest."""
    from glyce_allennlp.vectors.text import char_bigrams, read_text_lines, reproducible_gzip, sentence_chars

    keep = set()
    for text in texts:
        for _, line in read_text_lines(text):
            keep.update(char_bigrams(sentence_chars(line)))
    lines, dim = [], None
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            fields = line.rstrip("\n").split(" ")
            if number == 0 and len(fields) == 2 and all(f.isdigit() for f in fields):
                continue
            if fields[0] in keep:
                dim = len(fields) - 1
                lines.append(line if line.endswith("\n") else line + "\n")
    tmp = out.with_name(out.name + ".tmp")
    with reproducible_gzip(tmp, name=out.name[:-3]) as packed, \
            io.TextIOWrapper(packed, encoding="utf-8", newline="\n") as handle:
        handle.write(f"{len(lines)} {dim or 0}\n")
        handle.writelines(lines)
    os.replace(tmp, out)
    source_manifest = read_manifest(manifest_path(source))
    manifest = {"kind": "bigram vectors restricted to a dataset's bigrams (benchmarks/vectors.py)",
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "inputs": source_manifest["inputs"],
                "source": describe_input(source), "restricted_to": [describe_input(t) for t in texts],
                "vectors": len(lines), "dim": dim}
    write_manifest(manifest, str(out) + ".json")
    return manifest


def _same_training(manifest_file: Path, inputs: Sequence[Path], plan: Dict) -> bool:
    """Whether ``manifest_file`` (of ``glyce-allennlp embeddings``) describes vectors of the kinds of ``plan`` trained
    on exactly ``inputs`` (same bytes) with ``plan``'s parameters."""
    if not manifest_file.exists():
        return False
    manifest = read_manifest(manifest_file)
    done = {r.get("sha256") for r in manifest["inputs"]}
    wanted = {describe_input(p)["sha256"] for p in inputs}
    params = manifest.get("parameters", {})
    same = all(params.get(k) == plan[k] for k in ("min_count", "window", "epochs", "sg", "negative", "seed"))
    dims = params.get("dims", {})
    kinds = manifest.get("vectors", {})
    return (done == wanted and same and all(k in kinds and dims.get(k) == plan["dims"][k] for k in plan["kinds"])
            and all((manifest_file.parent / kinds[k]["file"]).exists() for k in plan["kinds"]))


def _embeddings_command(out: Path, inputs: Sequence[Path], plan: Dict) -> List[str]:
    command = [sys.executable, "-m", "glyce_allennlp.cli", "embeddings", str(out), "--text", *map(str, inputs),
               "--kinds", *plan["kinds"]]
    for kind in plan["kinds"]:  # chars → --char-dim, bigrams → --bigram-dim, words → --word-dim
        command += [f"--{kind[:-1]}-dim", str(plan["dims"][kind])]
    return command + ["--min-count", str(plan["min_count"]), "--window", str(plan["window"]), "--epochs",
                      str(plan["epochs"]), "--negative", str(plan["negative"]), "--seed", str(plan["seed"]),
                      "--workers", "1", "--quiet"] + ([] if plan["sg"] else ["--cbow"])


def training_environment(environ: Dict[str, str], cpu_flags: Optional[Iterable[str]] = None) -> Dict[str, str]:
    """The environment variables the vector trainings run with: one thread, a fixed hash seed and, unless
    ``environ`` already sets it, ``OPENBLAS_CORETYPE=Haswell`` on a processor with AVX2 (``cpu_flags``: those of
    /proc/cpuinfo when not given), so that another x86-64 processor (e.g. one with AVX-512, where OpenBLAS would pick
    other kernels that sum in another order) trains the same bytes (``glyce_allennlp.vectors.word2vec``)."""
    env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    if "OPENBLAS_CORETYPE" not in environ and "avx2" in set(processor_flags() if cpu_flags is None else cpu_flags):
        env["OPENBLAS_CORETYPE"] = BLAS_CORETYPE
    return env


def _run(command: List[str], log: Callable[[str], None], cwd: Path) -> None:
    shown = " ".join("python" if c == sys.executable else c for c in command)
    env = training_environment(os.environ)
    log("+ " + " ".join(f"{k}={v}" for k, v in env.items() if k != "MKL_NUM_THREADS") + f" {shown}")
    subprocess.run(command, cwd=cwd, env=dict(os.environ, **env), check=True, stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------------------- the folder layout
class VectorFolder:
    """The files of one vectors folder (see the module docstring); nothing is built by creating one."""

    def __init__(self, root) -> None:
        self.root = Path(root)

    @property
    def general(self) -> Path:
        return self.root / "general"

    @property
    def tencent_chars(self) -> Path:
        return self.root / "tencent" / "chars.vec.gz"

    def paths(self, dataset: str, inputs: Sequence[str] = ()) -> Dict[str, Path]:
        """Environment variable → file, for every input a config can read; the character vectors are the Tencent
        ones when ``inputs`` has ``"tencent_chars"``, else ours."""
        chars = self.tencent_chars if "tencent_chars" in inputs else self.general / "chars.vec.gz"
        return {"CHAR_VECTORS": chars, "WORD_VECTORS": self.general / "words.vec.gz",
                "BIGRAM_VECTORS": self.root / dataset / "bigrams.vec.gz",
                "LEXICON_FILE": self.root / dataset / "lexicon.tsv"}

    def environment(self, dataset: str, inputs: Sequence[str]) -> Dict[str, str]:
        """The environment variables (paths and, from the files, CHAR_DIM / BIGRAM_DIM / WORD_DIM) for configs that
        read ``inputs`` (of ``"chars"``, ``"bigrams"``, ``"lexicon"``)."""
        from glyce_allennlp import vector_dim

        paths = self.paths(dataset, inputs)
        env = {}
        for kind in inputs:
            for variable in INPUT_VARIABLES[kind]:
                env[variable] = str(paths[variable])
        for path_variable, dim_variable in (("CHAR_VECTORS", "CHAR_DIM"), ("BIGRAM_VECTORS", "BIGRAM_DIM"),
                                            ("WORD_VECTORS", "WORD_DIM")):
            if path_variable in env:
                env[dim_variable] = vector_dim(env[path_variable])
        return env

    def missing(self, dataset: str, inputs: Sequence[str]) -> List[str]:
        paths = self.paths(dataset, inputs)
        return [str(paths[v]) for kind in inputs for v in INPUT_VARIABLES[kind] if not paths[v].exists()]

    # -------------------------------------------------------------------------------------------- building
    def prepare_general(self, data: Path, log: Callable[[str], None], cwd: Path) -> None:
        inputs = [data / t for t in GENERAL_TEXTS]
        if _same_training(self.general / "manifest.json", inputs, GENERAL):
            log(f"vectors: {self.general} is up to date")
            return
        _run(_embeddings_command(self.general, inputs, GENERAL), log, cwd)

    def prepare_tencent_chars(self, data: Path, log: Callable[[str], None]) -> None:
        """Copy the data folder's Tencent character vectors to :attr:`tencent_chars` with a manifest (their input:
        the file itself; what Tencent trained them on is not ours to list, see its SOURCE.txt), after checking the
        file's sha256 against :data:`TENCENT_CHARS_SHA256`."""
        import shutil

        source = data / TENCENT_CHARS
        if not source.exists():
            raise FileNotFoundError(f"{source} is missing: the Tencent character vectors come with the data folder "
                                    f"(see {source.parent / 'SOURCE.txt'})")
        record = describe_input(source, source_notes=str(source.parent / "SOURCE.txt"))
        if record["sha256"] != TENCENT_CHARS_SHA256:
            raise ValueError(f"{source}: sha256 {record['sha256']}, but its SOURCE.txt records "
                             f"{TENCENT_CHARS_SHA256}: another file than the one the benchmarks describe")
        out, manifest_file = self.tencent_chars, Path(str(self.tencent_chars) + ".json")
        if out.exists() and manifest_file.exists() and file_sha256(out) == record["sha256"]:
            log(f"vectors: {out} is up to date")
            return
        log(f"vectors: {out} = a copy of {source}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out)
        write_manifest({"kind": "pretrained character vectors trained elsewhere (a copy; benchmarks/vectors.py)",
                        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "inputs": [record]},
                       manifest_file)

    def prepare_dataset(self, dataset: str, files: Dict[str, str], fmt: str, data: Path, inputs: Sequence[str],
                        log: Callable[[str], None], cwd: Path) -> None:
        """Build the bigram vectors and the lexicon of ``dataset`` that ``inputs`` need (the general vectors first,
        unless ``inputs`` read none of them; the copy of the Tencent character vectors when ``inputs`` has
        ``"tencent_chars"``)."""
        if set(inputs) & {"chars", "bigrams", "lexicon"}:
            self.prepare_general(data, log, cwd)
        if "tencent_chars" in inputs:
            self.prepare_tencent_chars(data, log)
        folder = self.root / dataset
        texts = dataset_texts(files, fmt, folder)
        all_texts = [texts["train"], texts["dev"], texts["test"]]
        if "bigrams" in inputs or "lexicon" in inputs:
            training = folder / "bigram_training"
            sources = [data / t for t in GENERAL_TEXTS] + [texts["train"]]
            if not _same_training(training / "manifest.json", sources, BIGRAMS):
                _run(_embeddings_command(training, sources, BIGRAMS), log, cwd)
            out = folder / "bigrams.vec.gz"
            manifest_file = Path(str(out) + ".json")
            fresh = manifest_file.exists() and _restricted_from(manifest_file, training / "bigrams.vec.gz", all_texts)
            if not fresh:
                log(f"vectors: {out} = the bigrams of {training / 'bigrams.vec.gz'} that occur in {folder / 'text'}")
                restrict_vectors(training / "bigrams.vec.gz", out, all_texts)
        if "lexicon" in inputs:
            out = folder / "lexicon.tsv"
            command = [sys.executable, "-m", "glyce_allennlp.cli", "lexicon", str(out), "--jieba", "--vectors",
                       str(self.general / "words.vec.gz"), "--count", str(texts["train"]), "--restrict-to",
                       *map(str, all_texts), "--format", "text"]
            if not _same_lexicon(Path(str(out) + ".json"), self.general / "words.vec.gz", texts["train"], all_texts):
                _run(command, log, cwd)


def _restricted_from(manifest_file: Path, source: Path, texts: Sequence[Path]) -> bool:
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    return (manifest.get("source", {}).get("sha256") == describe_input(source)["sha256"]
            and [r["sha256"] for r in manifest.get("restricted_to", [])] ==
            [describe_input(t)["sha256"] for t in texts])


def _same_lexicon(manifest_file: Path, vectors: Path, train: Path, texts: Sequence[Path]) -> bool:
    if not manifest_file.exists():
        return False
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    return ([r["sha256"] for r in manifest.get("inputs", [])] == [describe_input(train)["sha256"]]
            and [r["sha256"] for r in manifest.get("restricted_to", [])] == [describe_input(t)["sha256"] for t in texts]
            and (manifest.get("sources", {}).get("vectors") or {}).get("sha256") == describe_input(vectors)["sha256"]
            and manifest.get("sources", {}).get("jieba") is not None)


def forbidden_files(files: Dict[str, str], folder: Optional[Path] = None) -> List[str]:
    """The files whose text must not go into a benchmark's vectors: its dev and test files, and their plain-text
    copies in the vectors folder ``folder`` (``<dataset>/text``) when they exist."""
    found = [files["dev"], files["test"]]
    if folder is not None:
        found += [str(folder / "text" / f"{s}.txt") for s in ("dev", "test") if (folder / "text" / f"{s}.txt").exists()]
    return [f for f in found if f]
