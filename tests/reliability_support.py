"""Shared helpers of the reliability tests (tests/test_reliability_*.py); not a test module.

* :func:`small_overrides`: dotted-key overrides that shrink the real tagger configs (training_configs/*/glyce_*) so
  that a CPU epoch on the fixtures takes a second or two.
* :func:`trained_tagger`: one small Glyce CWS tagger per test session (trained in-process, once:
  :func:`training_support.train_once`), with a registry font and a *user font path* (a copy of the kai font), for the
  archive, font and predictor tests.
* :func:`allennlp_cli` / :func:`subprocess_env`: the real ``allennlp`` command in a subprocess, one torch thread
  (2 shared cores: with more threads per process, training is 10-50x slower here).
* ``reliability_worker_probe``: a trainer callback (``--include-package reliability_support``) that writes, per
  worker, what the distributed test checks (weights digest, glyph table, vocabulary, losses).
"""
import atexit
import functools
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from training_support import environment, torch_threads, train_once  # noqa: F401 (re-exported)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
TESTS = Path(__file__).resolve().parent
ALLENNLP = str(Path(sys.executable).parent / "allennlp")
CWS_CONFIG = str(REPO / "training_configs" / "cws" / "glyce_bilstm_crf.jsonnet")
CWS_DATA = {"TRAIN_DATA_PATH": str(FIXTURES / "cws" / "train.txt"),
            "VALIDATION_DATA_PATH": str(FIXTURES / "cws" / "dev.txt"), "TEST_DATA_PATH": ""}
GLYCE = "model.model.text_field_embedder.token_embedders.glyce"
# keys whose values depend on the machine or the clock, not on the training
VOLATILE_METRICS = ("training_duration", "peak_worker_", "training_worker_", "worker_", "training_start_epoch",
                    "training_epochs")


def small_overrides(epochs: int = 1, fonts: Iterable[str] = ("song",), **extra) -> Dict:
    overrides = {
        "trainer.num_epochs": epochs,
        f"{GLYCE}.glyph_dim": 64, f"{GLYCE}.char_id_dim": 32, f"{GLYCE}.fonts": list(fonts),
        f"{GLYCE}.projection_dim": 32, "model.model.encoder.input_size": 32, "model.model.encoder.hidden_size": 32,
        "data_loader.batch_size": 16,
    }
    overrides.update(extra)
    return overrides


def subprocess_env(**extra) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(CWS_DATA)
    env.update({"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH", "")]))})
    env.update(extra)
    return env


def allennlp_cli(*args: str) -> List[str]:
    return [ALLENNLP, *args, "--include-package", "glyce_allennlp"]


@functools.lru_cache(maxsize=None)
def _session_dir() -> Path:
    folder = tempfile.mkdtemp(prefix="glyce-reliability-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return Path(folder)


def user_font_path() -> str:
    """A font given by path (not by registry name): a copy of the installed kai font."""
    from glyce_allennlp.glyph.fonts import resolve_font

    path = _session_dir() / "fonts" / "my_kai.ttf"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(resolve_font("kai").path, path)
    return str(path)


def trained_tagger() -> Path:
    """Serialization folder of a small Glyce CWS tagger (1 epoch), fonts = registry "song" + a user font path."""
    overrides = small_overrides(epochs=1, fonts=("song", user_font_path()))
    return train_once("cws/glyce_bilstm_crf.jsonnet", ("cws/train.txt", "cws/dev.txt"), overrides)


def comparable_metrics(metrics: Dict) -> Dict:
    return {k: v for k, v in metrics.items() if not any(k.startswith(p) for p in VOLATILE_METRICS)}


def assert_metrics_are_finite_numbers(metrics: Dict) -> None:
    for key, value in comparable_metrics(metrics).items():
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value), (key, value)


def state_digest(state_dict) -> str:
    digest = hashlib.sha256()
    for key in sorted(state_dict):
        digest.update(key.encode())
        digest.update(state_dict[key].detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------------ worker probe
def _register_probe():
    import torch
    from allennlp.training.callbacks.callback import TrainerCallback

    from glyce_allennlp.glyph import GlyphEmbedding

    @TrainerCallback.register("reliability_worker_probe", exist_ok=True)
    class WorkerProbe(TrainerCallback):
        """Writes probe_{rank}.json at the end of training: what each worker holds."""

        def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
            super().on_start(trainer, is_primary=is_primary, **kwargs)
            self.aux_losses: List[float] = []
            self.losses: List[float] = []

        def on_batch(self, trainer, batch_inputs, batch_outputs, batch_metrics, epoch, batch_number, is_training,
                     is_primary: bool = True, batch_grad_norm: Optional[float] = None, **kwargs) -> None:
            if is_training:
                for output in batch_outputs:
                    self.losses.append(float(output["loss"]))
                    if "glyph_aux_loss" in output:
                        self.aux_losses.append(float(output["glyph_aux_loss"]))

        def on_end(self, trainer, metrics=None, epoch=None, is_primary: bool = True, **kwargs) -> None:
            distributed = torch.distributed.is_available() and torch.distributed.is_initialized()
            rank = torch.distributed.get_rank() if distributed else 0
            model = trainer.model
            glyphs = [m for m in model.modules() if isinstance(m, GlyphEmbedding)]
            glyph = glyphs[0]
            known = len(glyph.class_of)
            vocab = model.vocab
            report = {
                "rank": rank,
                "world_size": torch.distributed.get_world_size() if distributed else 1,
                "state_digest": state_digest(model.state_dict()),
                "font_sha256": [bytes(row.tolist()).hex() for row in glyph.font_sha256.cpu()],
                "known_chars": known,
                "table_rows": glyph.num_rows,
                "rendered_on_demand": glyph.num_rendered_on_demand,
                "on_demand_chars": sorted(chr(cp) for cp, row in glyph._row_of.items() if row > known),
                "known_table_digest": hashlib.sha256(glyph._images[: known + 1].numpy().tobytes()).hexdigest(),
                "vocab": {ns: vocab.get_vocab_size(ns) for ns in ("glyce_chars", "labels")},
                "losses": self.losses,
                "aux_losses": self.aux_losses,
            }
            with open(os.path.join(self.serialization_dir, f"probe_{rank}.json"), "w") as f:
                json.dump(report, f)

    return WorkerProbe


try:  # registered when imported by `--include-package reliability_support` (AllenNLP is there)
    import allennlp.training.callbacks.callback  # noqa: F401

    _register_probe()
except ImportError:  # pragma: no cover
    pass


def run(cmd: List[str], env: Dict[str, str], log: Path, timeout: float) -> subprocess.CompletedProcess:
    with open(log, "wb") as out:
        return subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)


# -------------------------------------------------------------- small models of the sentence, syntax and SRL tasks
# name → (libsonnet, call with small sizes, fixtures as (train, validation)). One epoch each, built from the configs'
# own libsonnet functions so that every derived size (BiMPM's matching dims, LSTM input sizes) stays consistent.
SMALL_MODELS = {
    "text_classifier": ("classification/classifier.libsonnet",
                        'classifier(glyce=true, encoder="lstm", fonts=["song"], glyph_dim=64, char_dim=16, '
                        'hidden=16, epochs=1)',
                        ("classification/train.tsv", "classification/dev.tsv")),
    "pair_classifier": ("pair/bimpm.libsonnet",
                        'bimpm(glyce=true, fonts=["song"], glyph_dim=64, char_dim=16, hidden=16, perspectives=4, '
                        'epochs=1)',
                        ("pair/train.txt", "pair/dev.txt")),
    "dependency_parser": ("dependency/parser.libsonnet",
                          'parser(glyce=true, fonts=["song"], glyph_dim=64, word_dim=16, pos_dim=8, hidden=16, '
                          'layers=1, arc_dim=16, tag_dim=8, epochs=1)',
                          ("ud/train.conllu", "ud/dev.conllu")),
    "srl": ("srl/srl.libsonnet",
            'srl(glyce=true, fonts=["song"], glyph_dim=64, word_dim=16, pos_dim=8, indicator_dim=4, hidden=16, '
            'layers=1, mlp_dim=16, epochs=1)',
            ("srl/train.txt", "srl/dev.txt")),
}


def trained_small_model(name: str) -> Path:
    """Serialization folder of the small Glyce model ``name`` of :data:`SMALL_MODELS` (1 epoch, trained in-process
    once per test session)."""
    libsonnet, call, data = SMALL_MODELS[name]
    return train_once(libsonnet, data, call=call)


def trained_text_classifier() -> Path:
    return trained_small_model("text_classifier")


def trained_pair_classifier() -> Path:
    return trained_small_model("pair_classifier")


def trained_dependency_parser() -> Path:
    return trained_small_model("dependency_parser")


def trained_srl() -> Path:
    return trained_small_model("srl")
