"""``chinese_tagger``: raw Chinese text lines in, segmentation / POS / entities out, for any character tagger."""
from typing import Dict, List, Optional, Tuple

from allennlp.common.checks import ConfigurationError
from allennlp.common.util import JsonDict
from allennlp.data import DatasetReader, Instance
from allennlp.models import Model
from allennlp.predictors.predictor import Predictor

from glyce_allennlp.formats.tag_schemes import bioul_to_spans, bmes_pos_to_pairs, bmes_to_words
from glyce_allennlp.models.glyce_aux_loss import unwrap_model
from glyce_allennlp.predictors.raw_line import RawLinePredictor

TAG_OUTPUTS = ("entities", "words", "word_pos")
SPAN_ENCODINGS = ("BIOUL", "BIO", "IOB1")  # a model's label_encoding that means entity spans


def tag_output_of(dataset_reader: DatasetReader, model: Model) -> str:
    """What the tags of this reader / model pair mean: ``"entities"``, ``"words"`` or ``"word_pos"``.

    The reader's ``tag_output`` class attribute decides (``char_ner`` → entities, ``sighan_cws`` → words, ``ctb_pos``
    and ``conll_char_pos`` → word_pos); a reader without one falls back to the model's ``label_encoding`` (``BIOUL``,
    ``BIO`` or ``IOB1`` → entities). Anything else is a :class:`ConfigurationError` naming what is missing.
    """
    declared = getattr(dataset_reader, "tag_output", None)
    reader_name = type(dataset_reader).__name__
    if declared is not None:
        if declared not in TAG_OUTPUTS:
            raise ConfigurationError(f"chinese_tagger: the dataset reader {reader_name} declares tag_output = "
                                     f"{declared!r}; expected one of {TAG_OUTPUTS}")
        return declared
    encoding = getattr(unwrap_model(model), "label_encoding", None)
    if encoding in SPAN_ENCODINGS:
        return "entities"
    raise ConfigurationError(
        f"chinese_tagger cannot tell what the tags mean: the dataset reader {reader_name} has no `tag_output` "
        f"attribute (one of {TAG_OUTPUTS}) and the model's label_encoding is {encoding!r} (not one of "
        f"{SPAN_ENCODINGS}, which would mean entities). Use a tagging reader that declares `tag_output` (char_ner, "
        f"sighan_cws, ctb_pos, conll_char_pos), or set `tag_output` on yours.")


@Predictor.register("chinese_tagger")
class ChineseTaggerPredictor(RawLinePredictor):
    """Raw Chinese text in, segmentation / entities / POS out, for any character tagger (e.g. ``crf_tagger``).

    Input: plain UTF-8 text, one sentence per line (not JSON; from Python ``{"sentence": <line>}``). Whitespace (and
    U+0000) is not a character: it is dropped before tagging, and offsets refer to the original line. Output: exactly
    one JSON line per input line, in order::

        {"text": ..., "chars": [...], "tags": [...],
         "words": [...],                                    # tag_output "words" and "word_pos"
         "pos": [[word, tag], ...],                         # tag_output "word_pos" (BMES-TAG tags)
         "entities": [{"text", "type", "start", "end"}]}    # tag_output "entities" (BIOUL tags); end is exclusive

    The kind of output is the dataset reader's declared ``tag_output`` (``char_ner`` → ``"entities"``, ``sighan_cws``
    → ``"words"``, ``ctb_pos`` / ``conll_char_pos`` → ``"word_pos"``); for a reader without one, a model whose
    ``label_encoding`` is BIOUL, BIO or IOB1 gives entities; otherwise building the predictor raises a
    ``ConfigurationError`` saying what is missing (see :func:`tag_output_of`).

    Input is read as UTF-8 split on ``"\\n"`` only (see ``glyce_allennlp.patches.predict_io``); a line with invalid
    UTF-8 is predicted with U+FFFD in place of the bad bytes (and logged). There is no length limit: the BiLSTM-CRF
    runs on the whole line (time and memory linear in its length). Characters no font can draw get an all-zero glyph
    image (and the char-ID embedding's OOV vector).

    An empty or whitespace-only line gives ``{"text": line, "chars": [], "tags": [], ...}`` with empty results,
    without running the model. Line handling and output escaping: :mod:`glyce_allennlp.predictors.raw_line`.
    """

    line_key = "sentence"

    def __init__(self, model: Model, dataset_reader: DatasetReader, frozen: bool = True) -> None:
        super().__init__(model, dataset_reader, frozen)
        self.tag_output = tag_output_of(dataset_reader, model)

    @staticmethod
    def _chars_and_offsets(sentence: str) -> Tuple[List[str], List[int]]:
        # like drop_whitespace: whitespace and NUL (code point 0 = the glyce indexer's padding id) are not characters
        pairs = [(ch, i) for i, ch in enumerate(sentence) if not ch.isspace() and ch != "\x00"]
        return [c for c, _ in pairs], [i for _, i in pairs]

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        chars, _ = self._chars_and_offsets(json_dict["sentence"])
        return self._dataset_reader.text_to_instance(chars)

    def _decode(self, sentence: str, tags: List[str]) -> JsonDict:
        chars, offsets = self._chars_and_offsets(sentence)
        result: Dict = {"text": sentence, "chars": chars, "tags": list(tags)}
        if self.tag_output == "entities":
            result["entities"] = [
                {"text": sentence[offsets[start]:offsets[end] + 1], "type": label,
                 "start": offsets[start], "end": offsets[end] + 1}
                for label, start, end in bioul_to_spans(tags)
            ]
        elif self.tag_output == "word_pos":
            pairs = bmes_pos_to_pairs(chars, tags)
            result["words"] = [w for w, _ in pairs]
            result["pos"] = [[w, p] for w, p in pairs]
        else:
            result["words"] = bmes_to_words(chars, tags)
        return result

    def line_error(self, inputs: JsonDict) -> Optional[str]:
        return None if self._chars_and_offsets(inputs["sentence"])[0] else "empty line: no characters"

    def error_record(self, inputs: JsonDict, error: str) -> JsonDict:
        return self._decode(inputs["sentence"], [])  # an empty line: empty results, no error field

    def line_record(self, inputs: JsonDict, output: JsonDict) -> JsonDict:
        return self._decode(inputs["sentence"], output["tags"])
