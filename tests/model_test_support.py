"""Shared base of the model tests (tests/test_model_*.py); not a test module.

:class:`GlyceModelTestCase` is AllenNLP's ``ModelTestCase`` (``allennlp.common.testing``) with a stricter gradient
check: besides "every trainable parameter has a gradient that is not all zero" (AllenNLP's check, with dropout off,
after one backward pass of the loss on the first validation batch), every gradient must be finite. One parameter of
the tested models is exempt (``gradients_to_ignore``): the biaffine parser's arc-score bias, which its softmax loss
cannot see (tests/test_model_glyce_word.py says why). The auxiliary glyph classifier learns through the
``glyce_aux_loss`` wrapper's λ > 0; the CRF's ``_constraint_mask`` is a frozen parameter (AllenNLP checks that it
gets no gradient).
``ensure_model_can_train_save_and_load`` then trains the config, saves, loads and compares the two models' outputs.

:func:`small_config` writes a config that calls one of the project's libsonnet functions (training_configs/) with
small sizes, so a model test trains in seconds with exactly the structure of the real configs.
"""
from pathlib import Path
from typing import Any, Dict, Set, Union

import pytest
import torch
from allennlp.common.testing import ModelTestCase

from training_support import FIXTURES, libsonnet_config


# ModelTestCase builds two data loaders from the config, seeded alike, and compares their first batches; a bucket
# batch sampler shuffles its batches when iterated (after both are built), so the configs' bucketed loaders are
# replaced by a plain one (ModelTestCase turns its shuffling off).
PLAIN_LOADER = "{ data_loader: { batch_size: 16 } }"


def small_config(folder: Path, libsonnet: str, call: str) -> Path:
    """Write ``folder/config.jsonnet`` = ``lib.<call> + PLAIN_LOADER`` with ``lib`` = ``training_configs/<libsonnet>``.
    The data paths stay the configs' environment variables (see :meth:`GlyceModelTestCase.use_data`)."""
    return libsonnet_config(folder, libsonnet, f"{call} + {PLAIN_LOADER}")


class GlyceModelTestCase(ModelTestCase):
    """``ModelTestCase`` whose gradient check also requires finite gradients."""

    @pytest.fixture()
    def use_data(self, monkeypatch):
        """Point the configs' TRAIN/VALIDATION/TEST_DATA_PATH at fixture files (paths relative to fixtures/),
        restored after the test; returns the validation file's path: the instances of ``set_up_model`` (each of them
        goes through the model alone in ``ensure_batch_predictions_are_consistent``: the smaller file)."""

        def use(train: str, validation: str, test: str = "") -> str:
            monkeypatch.setenv("TRAIN_DATA_PATH", str(FIXTURES / train))
            monkeypatch.setenv("VALIDATION_DATA_PATH", str(FIXTURES / validation))
            monkeypatch.setenv("TEST_DATA_PATH", str(FIXTURES / test) if test else "")
            return str(FIXTURES / validation)

        return use

    @staticmethod
    def check_model_computes_gradients_correctly(
        model, model_batch: Dict[str, Union[Any, Dict[str, Any]]], params_to_ignore: Set[str] = None,
        disable_dropout: bool = True, which_loss: str = "loss",
    ):
        ModelTestCase.check_model_computes_gradients_correctly(model, model_batch, params_to_ignore, disable_dropout,
                                                               which_loss)
        not_finite = [name for name, parameter in model.named_parameters()
                      if parameter.grad is not None and not torch.isfinite(parameter.grad).all()]
        assert not not_finite, f"non-finite gradients: {not_finite}"
