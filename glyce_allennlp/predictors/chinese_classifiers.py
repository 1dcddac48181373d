"""Raw-text predictors for sentence classification and sentence-pair classification.

``chinese_text_classifier`` (any ``basic_classifier``-like model, e.g. ``training_configs/classification/*``) and
``chinese_pair_classifier`` (``bimpm`` / ``bimpm_f1``, ``training_configs/pair/*``) read plain UTF-8 lines, not
JSON, and write **exactly one JSON line per input line, in order**::

    {"text": <the line>, "label": "1", "probs": {"0": 0.12, "1": 0.88}}                     # text classifier
    {"text": <the line>, "s1": ..., "s2": ..., "label": "1", "probs": {"0": 0.3, "1": 0.7}}  # pair classifier

``probs`` maps every label of the model's ``labels`` namespace to its probability. A line the model cannot take
gives ``{"text": <the line>, "label": null, "probs": {}, "error": <why>}`` (the model is not called for it):

* text classifier: an empty or whitespace-only line;
* pair classifier: an empty or whitespace-only line, a line without a tab, a line with more than one tab, or a side
  with no characters.

Whitespace (and U+0000) is not a character (dropped before the model, as in the readers). Long lines: the reader's
``max_chars`` (the configs: 256 characters per text, 64 per sentence of a pair) keeps the first characters of each
text for the model; ``text`` / ``s1`` / ``s2`` are echoed whole. U+0085, U+2028 and U+2029 are written as ``\\u``
escapes, so that every line splitter counts one output line per input line. Both set ``keep_blank_lines = True``
(see :mod:`glyce_allennlp.compat`) so that ``allennlp predict`` does not drop blank lines.
"""
import json
from typing import List, Optional

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors.predictor import Predictor

from glyce_allennlp.dataset_readers.sentence_common import text_to_chars
from glyce_allennlp.models.glyce_aux_loss import unwrap_model
from glyce_allennlp.predictors.chinese_tagger import _LINE_BREAK_ESCAPES


class _RawLineClassifier(Predictor):
    keep_blank_lines = True  # see glyce_allennlp.compat

    def load_line(self, line: str) -> JsonDict:
        return {"text": line.rstrip("\r\n").lstrip("\ufeff")}

    def dump_line(self, outputs: JsonDict) -> str:
        return json.dumps(outputs, ensure_ascii=False).translate(_LINE_BREAK_ESCAPES) + "\n"

    # subclasses: the error of an input (None when the model can take it), and the instance
    def _error(self, inputs: JsonDict) -> Optional[str]:
        raise NotImplementedError

    def _base(self, inputs: JsonDict) -> JsonDict:
        return {"text": inputs["text"]}

    def _label_namespace(self) -> str:
        return getattr(unwrap_model(self._model), "_label_namespace", "labels")

    def _result(self, inputs: JsonDict, output: JsonDict) -> JsonDict:
        probs = output.get("probs", output.get("label_probs"))
        labels = self._model.vocab.get_index_to_token_vocabulary(self._label_namespace())
        result = self._base(inputs)
        result["label"] = output["label"]
        result["probs"] = {labels.get(i, str(i)): float(p) for i, p in enumerate(probs)}
        return result

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self.predict_batch_json([inputs])[0]

    def predict_batch_json(self, inputs: List[JsonDict]) -> List[JsonDict]:
        results: List[JsonDict] = [None] * len(inputs)  # type: ignore
        todo = []
        for i, item in enumerate(inputs):
            error = self._error(item)
            if error is None:
                todo.append(i)
            else:
                results[i] = {**self._base(item), "label": None, "probs": {}, "error": error}
        if todo:
            outputs = self._model.forward_on_instances([self._json_to_instance(inputs[i]) for i in todo])
            for i, output in zip(todo, outputs):
                results[i] = self._result(inputs[i], output)
        return results


@Predictor.register("chinese_text_classifier")
class ChineseTextClassifierPredictor(_RawLineClassifier):
    """One raw text per line → ``{"text", "label", "probs"}`` (see the module docstring); an empty or
    whitespace-only line → ``{"text", "label": null, "probs": {}, "error": "empty line: no characters"}``."""

    def _error(self, inputs: JsonDict) -> Optional[str]:
        return None if text_to_chars(inputs["text"]) else "empty line: no characters"

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        return self._dataset_reader.text_to_instance(json_dict["text"])


@Predictor.register("chinese_pair_classifier")
class ChinesePairClassifierPredictor(_RawLineClassifier):
    """One raw ``s1<TAB>s2`` pair per line → ``{"text", "s1", "s2", "label", "probs"}`` (see the module
    docstring). A line without exactly one tab, or with a side that has no characters, gives a line with ``error``."""

    @staticmethod
    def _split(text: str) -> List[str]:
        return text.split("\t")

    def _base(self, inputs: JsonDict) -> JsonDict:
        result = {"text": inputs["text"]}
        parts = self._split(inputs["text"])
        if len(parts) == 2:
            result["s1"], result["s2"] = parts
        return result

    def _error(self, inputs: JsonDict) -> Optional[str]:
        if not inputs["text"].strip():
            return "empty line: no characters"
        parts = self._split(inputs["text"])
        if len(parts) != 2:
            found = "no tab" if len(parts) == 1 else f"{len(parts) - 1} tabs"
            return f"expected s1<TAB>s2 (exactly one tab), found {found}"
        empty = [name for name, part in zip(("s1", "s2"), parts) if not text_to_chars(part)]
        if empty:
            return f"{' and '.join(empty)} has no characters"
        return None

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        s1, s2 = self._split(json_dict["text"])
        return self._dataset_reader.text_to_instance(s1, s2)
