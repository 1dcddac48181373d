"""Evaluating the training configs (training_configs/) to JSON without AllenNLP, for the structural config tests."""
import functools
import glob
import json
import os
from typing import Dict, Tuple

from conftest import FIXTURES, REPO

CONFIG_DIR = os.path.join(REPO, "training_configs")
# every config file, as "task/name" (e.g. "ner/glyce_bilstm_crf")
ALL_CONFIGS = sorted(os.path.relpath(path, CONFIG_DIR)[:-len(".jsonnet")]
                     for path in glob.glob(os.path.join(CONFIG_DIR, "*", "*.jsonnet")))
# the environment the configs read (std.extVar), with placeholder values
ENV = {"TRAIN_DATA_PATH": "/data/train.txt", "VALIDATION_DATA_PATH": "/data/dev.txt", "TEST_DATA_PATH": "",
       "CUDA_DEVICE": "-1", "BERT_MODEL": "/models/bert", "BERT_DIM": "32"}
# the pretrained inputs of the configs that read them (training_configs/pretrained_inputs.libsonnet): fixture files
VECTOR_ENV = {"CHAR_VECTORS": os.path.join(FIXTURES, "vectors", "chars.vec"), "CHAR_DIM": "8",
              "BIGRAM_VECTORS": os.path.join(FIXTURES, "vectors", "bigrams.vec.gz"), "BIGRAM_DIM": "4",
              "WORD_VECTORS": os.path.join(FIXTURES, "vectors", "words.vec"), "WORD_DIM": "4",
              "LEXICON_FILE": os.path.join(FIXTURES, "vectors", "lexicon.tsv")}
ENV.update(VECTOR_ENV)


@functools.lru_cache(maxsize=None)
def _evaluate_file(path: str, ext_vars: Tuple[Tuple[str, str], ...]) -> str:
    import _jsonnet

    return _jsonnet.evaluate_file(path, ext_vars=dict(ext_vars))


def evaluate_config(config: str, **env: str) -> Dict:
    """The JSON of ``training_configs/<config>.jsonnet`` under :data:`ENV` updated with ``env`` (evaluated once per
    config and environment in a test session: several tests read every config; a new dict each call)."""
    path = os.path.join(CONFIG_DIR, f"{config}.jsonnet")
    return json.loads(_evaluate_file(path, tuple(sorted({**ENV, **env}.items()))))


def evaluate_call(libsonnet: str, call: str, **env: str) -> Dict:
    """The JSON of ``lib.<call>`` with ``lib`` = ``training_configs/<libsonnet>`` (e.g. ``"tagger.libsonnet"``,
    ``'tagger(glyce=true, reader={type: "sighan_cws"}, encoding="BMES")'``), under :data:`ENV` updated with ``env``."""
    import _jsonnet

    snippet = f'local lib = import "{os.path.join(CONFIG_DIR, libsonnet)}";\nlib.{call}\n'
    return json.loads(_jsonnet.evaluate_snippet("call.jsonnet", snippet, ext_vars={**ENV, **env}))


def inner_model(config: Dict) -> Dict:
    """The task model of a config: inside the ``glyce_aux_loss`` wrapper when there is one."""
    model = config["model"]
    return model["model"] if model["type"] == "glyce_aux_loss" else model
