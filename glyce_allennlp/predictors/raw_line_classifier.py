"""The shared part of the raw-line classifier predictors (``chinese_text_classifier``, ``chinese_pair_classifier``).

Each writes one JSON line per input line: the echo of the line (``echo``), then ``"label"`` (the predicted label) and
``"probs"`` (every label of the model's label namespace → its probability). A line the model cannot take gives the
echo with ``"label": null, "probs": {}, "error": <why>`` (the model is not called for it).
"""
from typing import Dict

from allennlp.common.util import JsonDict

from glyce_allennlp.models.glyce_aux_loss import unwrap_model
from glyce_allennlp.predictors.raw_line import RawLinePredictor


class RawLineClassifierPredictor(RawLinePredictor):
    """A :class:`RawLinePredictor` whose record is ``{**echo(inputs), "label", "probs"}`` (see the module docstring).

    Works with any model whose ``forward_on_instances`` output has ``"label"`` and ``"probs"`` (or ``"label_probs"``),
    e.g. ``basic_classifier``, ``bimpm``, ``bimpm_f1``, plain or inside ``glyce_aux_loss``. Subclasses implement
    ``line_error``, ``_json_to_instance`` and, when they echo more than the line, ``echo``.
    """

    def echo(self, inputs: JsonDict) -> JsonDict:
        """The part of the record that repeats the input (default ``{"text": <the line>}``)."""
        return {"text": inputs["text"]}

    def _label_namespace(self) -> str:
        return getattr(unwrap_model(self._model), "_label_namespace", "labels")

    def error_record(self, inputs: JsonDict, error: str) -> JsonDict:
        return {**self.echo(inputs), "label": None, "probs": {}, "error": error}

    def line_record(self, inputs: JsonDict, output: JsonDict) -> JsonDict:
        probs = output.get("probs", output.get("label_probs"))
        labels: Dict[int, str] = self._model.vocab.get_index_to_token_vocabulary(self._label_namespace())
        result = self.echo(inputs)
        result["label"] = output["label"]
        result["probs"] = {labels.get(i, str(i)): float(p) for i, p in enumerate(probs)}
        return result
