"""The staged BERT → glyph → joint training callback (`glyce_bert_stages`) on the Glyce-BERT classifier with the tiny
BERT: which parameters are trainable in each epoch (`requires_grad` during the epoch's batches), which ones changed
in each epoch, the logged stage, and `--recover` (the stage and the auxiliary loss's λ follow the trainer's completed
epochs)."""
import json
import logging
import os

import pytest
import torch

from conftest import FIXTURES, REPO
from glyce_bert_support import bert_vars, overrides, tiny_bert  # noqa: F401 (fixtures)

RECORDS = {}
FAIL = {"armed": False}


def _model(trainer):
    return trainer.model


def _snapshot(model):
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def _register_recorder():
    from allennlp.training.callbacks.callback import TrainerCallback

    @TrainerCallback.register("glyce_bert_test_recorder", exist_ok=True)
    class Recorder(TrainerCallback):
        """Parameters after each epoch, `requires_grad` during each epoch; optionally crashes after an epoch."""

        def __init__(self, serialization_dir: str, fail_after_epoch: int = -1) -> None:
            super().__init__(serialization_dir)
            self.fail_after_epoch = fail_after_epoch

        def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
            RECORDS["start"] = _snapshot(_model(trainer))
            RECORDS["after"] = {}
            RECORDS["requires_grad"] = {}

        def on_batch(self, trainer, batch_inputs, batch_outputs, batch_metrics, epoch, batch_number, is_training,
                     is_primary=True, batch_grad_norm=None, **kwargs) -> None:
            if is_training and epoch not in RECORDS["requires_grad"]:
                RECORDS["requires_grad"][epoch] = {n: p.requires_grad for n, p in _model(trainer).named_parameters()}

        def on_epoch(self, trainer, metrics, epoch, is_primary=True, **kwargs) -> None:
            RECORDS["after"][epoch] = _snapshot(_model(trainer))
            if epoch == self.fail_after_epoch and FAIL["armed"]:
                FAIL["armed"] = False
                raise RuntimeError("simulated crash")

        def on_end(self, trainer, metrics=None, epoch=None, is_primary=True, **kwargs) -> None:
            RECORDS["end_requires_grad"] = {n: p.requires_grad for n, p in _model(trainer).named_parameters()}


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _train(run, monkeypatch, epochs=3, fail_after_epoch=-1, recover=False):
    from allennlp.commands.train import train_model_from_file

    _register_recorder()
    for var, path in zip(("TRAIN_DATA_PATH", "VALIDATION_DATA_PATH", "TEST_DATA_PATH"),
                         ("classification/train.tsv", "classification/dev.tsv", "classification/test.tsv")):
        monkeypatch.setenv(var, os.path.join(FIXTURES, path))
    config = os.path.join(REPO, "training_configs", "classification", "glyce_bert.jsonnet")
    extra = overrides("classifier", True, epochs)
    extra["trainer.callbacks"] = [{"type": "glyce_aux_lambda", "start_epoch": 1},  # λ from the glyph stage on
                                  {"type": "glyce_bert_test_recorder", "fail_after_epoch": fail_after_epoch},
                                  {"type": "glyce_bert_stages", "bert_epochs": 1, "glyph_epochs": 1}]
    return train_model_from_file(config, str(run), overrides=json.dumps(extra), recover=recover)


class _Messages(logging.Handler):
    """Collects the callback's log messages (AllenNLP's training sets up its own logging, which caplog misses)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())

    def __enter__(self):
        self._logger = logging.getLogger("glyce_allennlp.training.staged_training_callback")
        self._level = self._logger.level
        self._logger.setLevel(logging.INFO)
        self._logger.addHandler(self)
        return self.messages

    def __exit__(self, *exc):
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)


def _groups(names):
    bert = {n for n in names if ".transformer_model." in n}
    glyph = {n for n in names if ".token_embedder_glyph." in n}
    return bert, glyph, set(names) - bert - glyph


def _changed(before, after):
    return {n for n in before if not torch.equal(before[n], after[n])}


@pytest.mark.slow
def test_stages_freeze_the_right_parameters_at_the_right_epochs(bert_vars, tmp_path, monkeypatch, components):
    from glyce_allennlp.training.staged_training_callback import GlyceBertStagesCallback

    with _Messages() as messages:
        model = _train(tmp_path / "run", monkeypatch)
    bert, glyph, task = _groups([n for n, _ in model.named_parameters()])
    assert bert and glyph and task
    # the callback's own grouping (by module type) is the expected one
    assert tuple(map(set, GlyceBertStagesCallback(str(tmp_path)).parameter_groups(model))) == (bert, glyph)
    grads = RECORDS["requires_grad"]
    trainable = {epoch: {n for n, g in grads[epoch].items() if g} for epoch in range(3)}
    assert trainable[0] == bert | task  # stage 1: glyph side frozen
    assert trainable[1] == glyph | task  # stage 2: BERT frozen
    assert trainable[2] == bert | glyph | task  # stage 3: everything
    after = RECORDS["after"]
    changed = [_changed(RECORDS["start"], after[0]), _changed(after[0], after[1]), _changed(after[1], after[2])]
    bert_trained = changed[0] & bert
    assert any("word_embeddings" in n for n in bert_trained) and any("encoder.layer.1" in n for n in bert_trained)
    assert not changed[0] & glyph  # stage 1: no glyph parameter moved
    assert changed[0] >= task  # the Glyce layers and the head train in every stage
    assert not changed[1] & bert and changed[1] >= task  # stage 2: no BERT parameter moved
    assert changed[1] >= glyph  # every glyph parameter (CNN, aux classifier, position embeddings) trained
    assert changed[2] >= bert_trained | glyph | task  # stage 3: both sides
    assert all(RECORDS["end_requires_grad"].values())  # all trainable again after training
    for epoch, stage in ((0, 1), (1, 2), (2, 3)):
        assert any(f"epoch {epoch}: stage {stage}" in m for m in messages), messages


@pytest.mark.slow
def test_stages_follow_recover(bert_vars, tmp_path, monkeypatch, components):
    """Crash at the end of epoch 1 (its checkpoint not written): `--recover` restarts epoch 1 in stage 2, not 1."""
    run = tmp_path / "run"
    FAIL["armed"] = True
    with pytest.raises(RuntimeError, match="simulated crash"):
        _train(run, monkeypatch, fail_after_epoch=1)
    assert set(RECORDS["requires_grad"]) == {0, 1}
    with _Messages() as messages:
        model = _train(run, monkeypatch, fail_after_epoch=1, recover=True)
    bert, glyph, task = _groups([n for n, _ in model.named_parameters()])
    grads = RECORDS["requires_grad"]
    assert set(grads) == {1, 2}  # epoch 0 was restored from its checkpoint, not retrained
    assert {n for n, g in grads[1].items() if g} == glyph | task
    assert {n for n, g in grads[2].items() if g} == bert | glyph | task
    assert not _changed(RECORDS["start"], RECORDS["after"][1]) & bert
    assert any("epoch 1: stage 2" in m for m in messages), messages
    assert json.loads((run / "metrics.json").read_text())["epoch"] == 2
    # λ follows the glyph stage, across the recover: 0 in stage 1, λ0 = 0.1 in epoch 1, 0.1·0.8 in epoch 2
    lambdas = [json.loads((run / f"metrics_epoch_{epoch}.json").read_text())["training_glyph_lambda"]
               for epoch in range(3)]
    assert lambdas == pytest.approx([0.0, 0.1, 0.08])


def test_stage_schedule_and_errors(components):
    from allennlp.common.checks import ConfigurationError

    from glyce_allennlp.training.staged_training_callback import GlyceBertStagesCallback

    callback = GlyceBertStagesCallback("/tmp", bert_epochs=2, glyph_epochs=3)
    assert [callback.stage_of(e) for e in range(7)] == [1, 1, 2, 2, 2, 3, 3]
    assert [GlyceBertStagesCallback("/tmp", 0, 1).stage_of(e) for e in range(3)] == [2, 3, 3]
    with pytest.raises(ConfigurationError):
        GlyceBertStagesCallback("/tmp", bert_epochs=-1)
    with pytest.raises(ConfigurationError, match="BERT side and a glyph side"):
        callback.parameter_groups(torch.nn.Linear(2, 2))
