"""One raw line in, one JSON line out: the base of the raw-text predictors.

``allennlp predict MODEL input.txt --predictor NAME`` passes every line of ``input.txt`` to ``load_line`` and writes
what ``dump_line`` returns for its prediction. :class:`RawLinePredictor` fixes that contract for predictors that read
plain UTF-8 text (not JSON), one item per line:

* ``keep_blank_lines = True``: the predict-input patch (``glyce_allennlp.patches.predict_io``) then passes empty and
  whitespace-only lines to the predictor instead of dropping them, so there is one output line per input line;
* ``load_line``: the line without its line end (``\\n``, ``\\r\\n``) and without a leading BOM (U+FEFF), as
  ``{line_key: text}``;
* ``dump_line``: :func:`json_line` — the record as one JSON line (UTF-8 characters written as they are,
  ``ensure_ascii=False``), with U+0085, U+2028 and U+2029 escaped so that every line splitter counts one line;
* ``predict_json(inputs)`` = ``predict_batch_json([inputs])[0]``;
* ``predict_batch_json``: for every line, ``line_error`` says whether the model can take it; a line it cannot take
  (an empty line, a malformed pair, ...) gets ``error_record`` and the model is **not** called for it; the other
  lines become instances (``line_instances``: one per line unless a subclass splits long lines), run in one
  ``forward_on_instances`` call, and each line's record is ``line_record(inputs, merge_outputs(inputs, outputs))``.
  The records come back in input order.
"""
import json
from typing import Any, List, Optional

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors.predictor import Predictor

# JSON already escapes "\n", "\r" and the other C0 controls; these are the other characters that str.splitlines()
# and some editors treat as line breaks.
LINE_BREAK_ESCAPES = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_line(record: Any) -> str:
    """``record`` as one JSON line ending in ``"\\n"``: non-ASCII characters as they are, U+0085 / U+2028 / U+2029
    as ``\\u`` escapes (so the line holds no character any line splitter breaks on)."""
    return json.dumps(record, ensure_ascii=False).translate(LINE_BREAK_ESCAPES) + "\n"


def strip_line_end(line: str) -> str:
    """An input line without its line end (``\\n`` / ``\\r\\n``) and without a leading BOM."""
    return line.rstrip("\r\n").lstrip("\ufeff")


class RawLinePredictor(Predictor):
    """Base of the predictors that read one raw text line and write one JSON line (see the module docstring).

    Subclasses set ``line_key`` (the key of the line in the input dict, default ``"text"``) and implement:

    * ``line_error(inputs) -> Optional[str]``: why the model cannot take this line, or ``None`` when it can;
    * ``error_record(inputs, error) -> JsonDict``: the record of such a line (the model is not called for it);
    * ``_json_to_instance(inputs)`` (AllenNLP's hook), or ``line_instances(inputs)`` for several instances per line
      together with ``merge_outputs``;
    * ``line_record(inputs, output) -> JsonDict``: the record of a line from the model's output.
    """

    keep_blank_lines = True  # read by the predict-input patch: blank lines reach the predictor
    line_key = "text"

    def load_line(self, line: str) -> JsonDict:
        return {self.line_key: strip_line_end(line)}

    def dump_line(self, outputs: JsonDict) -> str:
        return json_line(outputs)

    # ------------------------------------------------------------------------------------------------ subclass hooks
    def line_error(self, inputs: JsonDict) -> Optional[str]:
        """Why the model cannot take this line (e.g. ``"empty line: no characters"``), or ``None``."""
        raise NotImplementedError

    def error_record(self, inputs: JsonDict, error: str) -> JsonDict:
        """The record written for a line the model cannot take."""
        raise NotImplementedError

    def line_instances(self, inputs: JsonDict) -> List[Instance]:
        """The instances of one line (default: one, from ``_json_to_instance``)."""
        return [self._json_to_instance(inputs)]

    def merge_outputs(self, inputs: JsonDict, outputs: List[JsonDict]) -> JsonDict:
        """The model's outputs for the instances of one line, as one output (default: the only one)."""
        (output,) = outputs
        return output

    def line_record(self, inputs: JsonDict, output: JsonDict) -> JsonDict:
        """The record of a line from the model's (merged) output."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------------ prediction
    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self.predict_batch_json([inputs])[0]

    def predict_batch_json(self, inputs: List[JsonDict]) -> List[JsonDict]:
        results: List[Optional[JsonDict]] = [None] * len(inputs)
        instances: List[Instance] = []
        spans = []  # (input index, first instance, number of instances)
        for i, item in enumerate(inputs):
            error = self.line_error(item)
            if error is not None:
                results[i] = self.error_record(item, error)
                continue
            line_instances = self.line_instances(item)
            spans.append((i, len(instances), len(line_instances)))
            instances.extend(line_instances)
        if instances:
            outputs = self._model.forward_on_instances(instances)
            for i, start, count in spans:
                results[i] = self.line_record(inputs[i], self.merge_outputs(inputs[i], outputs[start:start + count]))
        return results  # type: ignore[return-value]
