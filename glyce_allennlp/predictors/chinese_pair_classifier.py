"""``chinese_pair_classifier``: raw ``s1<TAB>s2`` lines in, one label per pair out.

For ``bimpm`` / ``bimpm_f1`` models (``training_configs/pair/*``) and other sentence-pair classifiers trained with the
``chinese_sentence_pair`` (or ``bert_sentence_input``) reader. Input: plain UTF-8 text, one pair per line, the two
sentences separated by one tab (not JSON). Output: **exactly one JSON line per input line, in order**::

    {"text": <the line>, "s1": ..., "s2": ..., "label": "1", "probs": {"0": 0.3, "1": 0.7}}

``probs`` maps every label of the model's ``labels`` namespace to its probability. A line the model cannot take gives
``{"text": <the line>, "label": null, "probs": {}, "error": <why>}`` (with ``s1`` / ``s2`` when the line has exactly
one tab; the model is not called for it): an empty or whitespace-only line, a line without a tab, a line with more
than one tab, or a side with no characters. Whitespace (and U+0000) is not a character (dropped before the model, as
in the readers). Long lines: the reader's ``max_chars`` (the configs: 64 per sentence) keeps the first characters of
each sentence for the model; ``text`` / ``s1`` / ``s2`` are echoed whole. Line handling and output escaping:
:mod:`glyce_allennlp.predictors.raw_line`.
"""
from typing import List, Optional

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors.predictor import Predictor

from glyce_allennlp.formats.sentences import text_to_chars
from glyce_allennlp.predictors.raw_line_classifier import RawLineClassifierPredictor


def split_pair(text: str) -> List[str]:
    """The tab-separated parts of a pair line (two for a well-formed line)."""
    return text.split("\t")


@Predictor.register("chinese_pair_classifier")
class ChinesePairClassifierPredictor(RawLineClassifierPredictor):
    """One raw ``s1<TAB>s2`` pair per line → ``{"text", "s1", "s2", "label", "probs"}`` (see the module
    docstring). A line without exactly one tab, or with a side that has no characters, gives a line with ``error``."""

    def echo(self, inputs: JsonDict) -> JsonDict:
        result = {"text": inputs["text"]}
        parts = split_pair(inputs["text"])
        if len(parts) == 2:
            result["s1"], result["s2"] = parts
        return result

    def line_error(self, inputs: JsonDict) -> Optional[str]:
        if not inputs["text"].strip():
            return "empty line: no characters"
        parts = split_pair(inputs["text"])
        if len(parts) != 2:
            found = "no tab" if len(parts) == 1 else f"{len(parts) - 1} tabs"
            return f"expected s1<TAB>s2 (exactly one tab), found {found}"
        empty = [name for name, part in zip(("s1", "s2"), parts) if not text_to_chars(part)]
        if empty:
            return f"{' and '.join(empty)} has no characters"
        return None

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        s1, s2 = split_pair(json_dict["text"])
        return self._dataset_reader.text_to_instance(s1, s2)
