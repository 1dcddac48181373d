"""Training a config once per test session; not a test module. Tests use it through conftest's ``train_config``
fixture (or :func:`train_once` directly, e.g. tests/reliability_support.py).

This module has no side effects when imported (it is also imported inside ``allennlp`` subprocesses, through
``--include-package reliability_support``); torch and AllenNLP are imported when a training starts.
"""
import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple, Union

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CONFIGS = REPO / "training_configs"


@contextlib.contextmanager
def environment(values: Dict[str, str]):
    """Set environment variables for the block; restores the previous values (or their absence) afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def torch_threads(n: int):
    """torch's intra-op threads = ``n`` for the block (restored afterwards)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


_Key = Tuple[str, str, Tuple[str, ...], str, Tuple[Tuple[str, str], ...]]
_TRAINED: Dict[_Key, Union[Path, Exception]] = {}  # key → serialization folder, or the error its training raised
_RUNS_FOLDER: Dict[str, Path] = {}


def set_runs_folder(folder: Path) -> None:
    """Where the trained runs go (conftest gives a folder of pytest's temporary folder); by default a new
    temporary folder."""
    _RUNS_FOLDER["path"] = Path(folder)


def _new_run_folder() -> Path:
    if "path" not in _RUNS_FOLDER:
        _RUNS_FOLDER["path"] = Path(tempfile.mkdtemp(prefix="glyce-trained-"))
    return Path(tempfile.mkdtemp(prefix="run-", dir=_RUNS_FOLDER["path"]))


def libsonnet_config(folder: Path, libsonnet: str, call: str) -> Path:
    """Write ``folder/config.jsonnet`` = ``lib.<call>``, ``lib`` being training_configs/``libsonnet``; returns its path.
    ``call`` may add to the result, e.g. ``'srl(hidden=16) + { data_loader: { batch_size: 8 } }'``."""
    config = Path(folder) / "config.jsonnet"
    config.write_text(f'local lib = import "{CONFIGS / libsonnet}";\nlib.{call}\n', encoding="utf-8")
    return config


def train_once(config: str, data: Sequence[str], overrides: Optional[Dict] = None, call: Optional[str] = None,
               env: Optional[Dict[str, str]] = None) -> Path:
    """Serialization folder of ``config`` trained on fixture files: trained in this process at the first request, the
    same folder for every later request with the same arguments (for the whole test session).

    config : a config file under training_configs/ (e.g. ``"ner/glyce_bilstm_crf.jsonnet"``), or with ``call`` a
        libsonnet file there (e.g. ``"srl/srl.libsonnet"``).
    data : ``(train, validation)`` or ``(train, validation, test)``: paths under fixtures/, given to the config as
        TRAIN_DATA_PATH, VALIDATION_DATA_PATH and TEST_DATA_PATH (``""`` without a test file: no test evaluation).
    overrides : dotted-key overrides of the config, e.g. ``{"trainer.num_epochs": 1}``.
    call : the libsonnet function call that makes the config, e.g. ``'srl(glyce=true, hidden=16, epochs=1)'``.
    env : more environment variables the config reads (e.g. ``BERT_MODEL``), set during the training only.

    The folder holds what ``allennlp train`` writes (``model.tar.gz``, ``metrics.json``, ``config.json``, ...): treat
    it as read-only, other tests read it too. The training runs with one torch thread. A training that failed raises
    its error again for every later request with the same arguments (without training again).
    """
    overrides = overrides or {}
    env = env or {}
    if not 2 <= len(data) <= 3:
        raise ValueError(f"data must be (train, validation[, test]), got {data!r}")
    key = (config, call or "", tuple(data), json.dumps(overrides, sort_keys=True), tuple(sorted(env.items())))
    if key not in _TRAINED:
        import glyce_allennlp
        from allennlp.commands.train import train_model_from_file

        glyce_allennlp.load_components()
        folder = _new_run_folder()
        config_file = libsonnet_config(folder, config, call) if call else CONFIGS / config
        paths = [str(FIXTURES / p) if p else "" for p in data] + [""] * (3 - len(data))
        variables = dict(zip(("TRAIN_DATA_PATH", "VALIDATION_DATA_PATH", "TEST_DATA_PATH"), paths), **env)
        try:
            with environment(variables), torch_threads(1):
                train_model_from_file(str(config_file), str(folder / "run"), overrides=json.dumps(overrides))
            _TRAINED[key] = folder / "run"
        except Exception as error:
            _TRAINED[key] = error
            raise
    result = _TRAINED[key]
    if isinstance(result, Exception):
        raise result
    return result
