"""A broken pin must fail loudly: import every allennlp / allennlp-models module glyce_allennlp relies on."""
import importlib
from importlib.metadata import version

import pytest

MODULES = [
    "allennlp.commands",
    "allennlp.commands.train",
    "allennlp.commands.evaluate",
    "allennlp.commands.predict",
    "allennlp.common.plugins",
    "allennlp.common.util",
    "allennlp.data",
    "allennlp.data.token_indexers",
    "allennlp.data.dataset_readers.dataset_utils.span_utils",
    "allennlp.models",
    "allennlp.models.archival",
    "allennlp.modules.highway",
    "allennlp.modules.token_embedders",
    "allennlp.modules.conditional_random_field",
    "allennlp.predictors.predictor",
    "allennlp.training.callbacks.callback",
    "allennlp.training.metrics",
    "allennlp_models.tagging",
    "allennlp_models.tagging.models.crf_tagger",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_imports(name):
    importlib.import_module(name)


def test_pinned_versions():
    assert version("allennlp") == "2.10.1"
    assert version("allennlp-models") == "2.10.1"
    assert version("transformers") == "4.43.4"  # COMPAT F2/F3
    assert int(version("setuptools").split(".")[0]) < 82  # COMPAT F1: pkg_resources for py-rouge


def test_allennlp_models_plugin_registers_crf_tagger(components):
    from allennlp.models import Model

    assert "crf_tagger" in Model.list_available()


def test_our_components_are_registered(components):
    from allennlp.data import DatasetReader, TokenIndexer
    from allennlp.models import Model
    from allennlp.modules.token_embedders import TokenEmbedder
    from allennlp.predictors import Predictor
    from allennlp.training.callbacks.callback import TrainerCallback

    assert {"sighan_cws", "char_ner", "ctb_pos"} <= set(DatasetReader.list_available())
    assert "glyce_characters" in TokenIndexer.list_available()
    assert "glyce" in TokenEmbedder.list_available()
    assert "glyce_aux_loss" in Model.list_available()
    assert "glyce_aux_lambda" in TrainerCallback.list_available()
    assert "chinese_tagger" in Predictor.list_available()


def test_predict_keeps_blank_lines_patch_is_applied(components):
    from allennlp.commands import predict

    assert predict._PredictManager._get_json_data.__name__ == "_get_json_data_keeping_blank_lines"
