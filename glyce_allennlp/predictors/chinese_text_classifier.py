"""``chinese_text_classifier``: raw text lines in, one label per line out.

For any ``basic_classifier``-like model (e.g. ``training_configs/classification/*``) trained with the
``chinese_text_classification`` (or ``bert_sentence_input``) reader. Input: plain UTF-8 text, one text per line (not
JSON). Output: **exactly one JSON line per input line, in order**::

    {"text": <the line>, "label": "1", "probs": {"0": 0.12, "1": 0.88}}

``probs`` maps every label of the model's ``labels`` namespace to its probability. An empty or whitespace-only line
gives ``{"text": <the line>, "label": null, "probs": {}, "error": "empty line: no characters"}`` (the model is not
called for it). Whitespace (and U+0000) is not a character (dropped before the model, as in the readers). Long lines:
the reader's ``max_chars`` (the configs: 256) keeps the first characters for the model; ``text`` is echoed whole.
Line handling and output escaping: :mod:`glyce_allennlp.predictors.raw_line`.
"""
from typing import Optional

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors.predictor import Predictor

from glyce_allennlp.formats.sentences import text_to_chars
from glyce_allennlp.predictors.raw_line_classifier import RawLineClassifierPredictor


@Predictor.register("chinese_text_classifier")
class ChineseTextClassifierPredictor(RawLineClassifierPredictor):
    """One raw text per line → ``{"text", "label", "probs"}`` (see the module docstring); an empty or
    whitespace-only line → ``{"text", "label": null, "probs": {}, "error": "empty line: no characters"}``."""

    def line_error(self, inputs: JsonDict) -> Optional[str]:
        return None if text_to_chars(inputs["text"]) else "empty line: no characters"

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        return self._dataset_reader.text_to_instance(json_dict["text"])
