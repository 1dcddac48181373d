import json
from typing import Dict, List, Tuple

from allennlp.common.util import JsonDict
from allennlp.data import Instance
from allennlp.predictors.predictor import Predictor

from glyce_allennlp.dataset_readers.tag_schemes import bioul_to_spans, bmes_pos_to_pairs, bmes_to_words
from glyce_allennlp.models.glyce_aux_loss import unwrap_model

_LINE_BREAK_ESCAPES = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


@Predictor.register("chinese_tagger")
class ChineseTaggerPredictor(Predictor):
    """Raw Chinese text in, segmentation / entities / POS out, for any character tagger (e.g. ``crf_tagger``).

    Input: plain UTF-8 text, one sentence per line (not JSON). Whitespace (and U+0000) is not a character: it is
    dropped before tagging, and offsets refer to the original line. Output: exactly one JSON line per input line, in order::

        {"text": ..., "chars": [...], "tags": [...],
         "words": [...],                                    # CWS and POS models (BMES tags)
         "pos": [[word, tag], ...],                         # POS models (BMES-TAG tags)
         "entities": [{"text", "type", "start", "end"}]}    # NER models (BIOUL tags); end is exclusive

    Input is read as UTF-8 split on ``"\\n"`` only (see ``glyce_allennlp.compat``); a line with invalid UTF-8 is
    predicted with U+FFFD in place of the bad bytes (and logged). There is no length limit: the BiLSTM-CRF runs on
    the whole line (time and memory linear in its length; a 10,000-character line takes about a second on a CPU).
    Characters no font can draw get an all-zero glyph image (and the char-ID embedding's OOV vector).

    An empty or whitespace-only line gives ``{"text": line, "chars": [], "tags": [], ...}`` with empty results.
    The kind of output follows the model's ``label_encoding``: BIOUL → entities; BMES with typed tags → POS;
    plain BMES → words.
    """

    keep_blank_lines = True  # see glyce_allennlp.compat

    def load_line(self, line: str) -> JsonDict:
        return {"sentence": line.rstrip("\r\n").lstrip("\ufeff")}

    def dump_line(self, outputs: JsonDict) -> str:
        # JSON already escapes \n, \r and the other C0 controls; also escape the characters that str.splitlines()
        # and some editors treat as line breaks, so that the output has one line per input line for every reader.
        return json.dumps(outputs, ensure_ascii=False).translate(_LINE_BREAK_ESCAPES) + "\n"

    @staticmethod
    def _chars_and_offsets(sentence: str) -> Tuple[List[str], List[int]]:
        # like drop_whitespace: whitespace and NUL (code point 0 = the glyce indexer's padding id) are not characters
        pairs = [(ch, i) for i, ch in enumerate(sentence) if not ch.isspace() and ch != "\x00"]
        return [c for c, _ in pairs], [i for _, i in pairs]

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        chars, _ = self._chars_and_offsets(json_dict["sentence"])
        return self._dataset_reader.text_to_instance(chars)

    def _mode(self) -> str:
        model = unwrap_model(self._model)
        encoding = getattr(model, "label_encoding", None)
        if encoding in ("BIOUL", "BIO", "IOB1"):
            return "entities"
        namespace = getattr(model, "label_namespace", "labels")
        labels = self._model.vocab.get_token_to_index_vocabulary(namespace)
        return "pos" if any("-" in label for label in labels) else "words"

    def _decode(self, sentence: str, tags: List[str]) -> JsonDict:
        chars, offsets = self._chars_and_offsets(sentence)
        result: Dict = {"text": sentence, "chars": chars, "tags": list(tags)}
        mode = self._mode()
        if mode == "entities":
            result["entities"] = [
                {"text": sentence[offsets[start]:offsets[end] + 1], "type": label,
                 "start": offsets[start], "end": offsets[end] + 1}
                for label, start, end in bioul_to_spans(tags)
            ]
        elif mode == "pos":
            pairs = bmes_pos_to_pairs(chars, tags)
            result["words"] = [w for w, _ in pairs]
            result["pos"] = [[w, p] for w, p in pairs]
        else:
            result["words"] = bmes_to_words(chars, tags)
        return result

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self.predict_batch_json([inputs])[0]

    def predict_batch_json(self, inputs: List[JsonDict]) -> List[JsonDict]:
        results: List[JsonDict] = [None] * len(inputs)  # type: ignore
        todo = []
        for i, item in enumerate(inputs):
            if self._chars_and_offsets(item["sentence"])[0]:
                todo.append(i)
            else:
                results[i] = self._decode(item["sentence"], [])
        if todo:
            instances = [self._json_to_instance(inputs[i]) for i in todo]
            outputs = self._model.forward_on_instances(instances)
            for i, output in zip(todo, outputs):
                results[i] = self._decode(inputs[i]["sentence"], output["tags"])
        return results
