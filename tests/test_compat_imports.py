"""A broken pin must fail loudly: import every allennlp / allennlp-models module glyce_allennlp relies on (its
components and its runtime patches, glyce_allennlp.patches), and check the pinned versions."""
import importlib
from importlib.metadata import version

import pytest

MODULES = [
    "allennlp.commands",
    "allennlp.commands.train",
    "allennlp.commands.evaluate",
    "allennlp.commands.predict",
    "allennlp.common.file_utils",
    "allennlp.common.plugins",
    "allennlp.common.util",
    "allennlp.data",
    "allennlp.data.data_loaders",
    "allennlp.data.token_indexers",
    "allennlp.data.dataset_readers.dataset_utils.span_utils",
    "allennlp.models",
    "allennlp.models.archival",
    "allennlp.modules.highway",
    "allennlp.modules.token_embedders",
    "allennlp.modules.conditional_random_field",
    "allennlp.predictors.predictor",
    "allennlp.training.callbacks.callback",
    "allennlp.training.checkpointer",
    "allennlp.training.gradient_descent_trainer",
    "allennlp.training.metrics",
    "allennlp.training.metrics.span_based_f1_measure",
    "allennlp.training.util",
    "allennlp.version",
    "allennlp_models.tagging",
    "allennlp_models.tagging.models.crf_tagger",
    "allennlp_models.pair_classification.models.bimpm",
    "allennlp_models.structured_prediction.models.biaffine_dependency_parser",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_imports(name):
    importlib.import_module(name)


def test_pinned_versions():
    from glyce_allennlp.patches import SUPPORTED_ALLENNLP_VERSION

    assert version("allennlp") == version("allennlp-models") == SUPPORTED_ALLENNLP_VERSION
    assert version("transformers") == "4.43.4"  # allennlp passes add_special_tokens and subclasses AdamW
    # py-rouge (allennlp-models) imports pkg_resources: gone in setuptools >= 82, a UserWarning from 80.9.0 on
    assert version("setuptools") == "80.8.0"


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
