"""``chinese_dependency_parser``: segmented Chinese text lines in, dependency trees out."""
import json
from typing import Dict, List, Optional

from allennlp.common.util import JsonDict
from allennlp.data import DatasetReader, Instance
from allennlp.models import Model
from allennlp.predictors.predictor import Predictor

from glyce_allennlp.predictors.raw_line import RawLinePredictor, json_line, strip_line_end

OUTPUT_FORMATS = ("json", "conllu")
MAX_PIECE_CELLS = 16_000  # words × characters of the longest word, per piece (the glyce_word input is padded)


def _clean(text: str) -> str:
    """A JSON string as a word / tag / text: lone surrogates (from ``\\ud800`` escapes, which cannot be written as
    UTF-8) become U+FFFD."""
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


@Predictor.register("chinese_dependency_parser")
class ChineseDependencyParserPredictor(RawLinePredictor):
    """Segmented Chinese text in, dependency trees out, for ``biaffine_parser`` models (plain or inside
    ``glyce_aux_loss``) trained with the ``conll_dependencies`` reader. No spaCy model is used.

    Input (plain UTF-8 text, not JSON), one sentence per line:

    * space-separated words: ``張偉 今天 在 北京 工作 。``;
    * optionally ``word_POS`` tokens: ``張偉_PROPN 今天_NOUN …`` — a token is split on its **last** ``pos_separator``
      when both sides are non-empty; a token without one has an unknown POS (the parser then sees the POS OOV
      embedding, and the output POS is ``"_"``). Give the POS the parser was trained on (UPOS or XPOS);
    * or one JSON object per line with ``"words"`` and optionally ``"pos"`` (a list of tags, or the ``chinese_tagger``
      predictor's ``[[word, tag], ...]``): so the output of ``chinese_tagger`` (a CWS or POS model) can be fed in
      directly — the raw-text pipeline. A line is read as JSON only if it parses as an object with ``"words"``
      (words are strings, whitespace inside a word becomes one space; a POS that is not a non-empty string is
      unknown).

    **Long lines** are parsed in pieces of at most ``max_words`` words (default 250; fewer when a piece would hold
    more than 16,000 characters counting every word as long as its longest one): each piece is parsed as a sentence of
    its own (heads 0 stay 0) and the heads are renumbered to the whole line, so the output still has every word of
    the line. MST decoding takes cubic time and deep recursion in the sentence length (measured with a small model on
    one busy CPU core: 250 words 0.5 s, 700 words 10 s; about 1,200 words exceeded Python's recursion limit), so a
    10,000-character line is never parsed whole. ``--predictor-args '{"max_words": N}'`` changes the limit.

    Output: exactly one record per input line, in order. ``output_format="json"`` (default): one JSON line
    ``{"text", "words", "pos", "heads", "relations"}`` (heads 1-based, 0 = root). An empty or whitespace-only line gives
    ``{"text": line, "words": [], "pos": [], "heads": [], "relations": []}`` without running the model.
    ``output_format="conllu"``: one CoNLL-U block per line (``# sent_id = N`` (the line number) and ``# text = ...``
    comments, then 10 columns: ID FORM LEMMA(_) UPOS XPOS FEATS(_) HEAD DEPREL DEPS(_) MISC(_); the POS goes to the
    UPOS or XPOS column, whichever the model's reader used); an empty line gives a block with the two comments and
    no words. Select it with ``--predictor-args '{"output_format": "conllu"}'``.

    Parameters
    ----------
    model, dataset_reader : from the archive.
    output_format : ``"json"`` (default) or ``"conllu"``.
    pos_separator : separator of ``word_POS`` tokens (default ``"_"``); ``null``/``""``: never split tokens.
    max_words : the most words parsed as one sentence (default 250); longer lines are parsed in pieces.

    Line handling (line end and BOM stripped, blank lines kept) and the JSON output's escaping:
    :mod:`glyce_allennlp.predictors.raw_line`.
    """

    line_key = "sentence"

    def __init__(self, model: Model, dataset_reader: DatasetReader, output_format: str = "json",
                 pos_separator: Optional[str] = "_", frozen: bool = True, max_words: int = 250) -> None:
        super().__init__(model, dataset_reader, frozen)
        if output_format not in OUTPUT_FORMATS:
            raise ValueError(f"output_format must be one of {OUTPUT_FORMATS}, got {output_format!r}")
        if int(max_words) < 1:
            raise ValueError(f"max_words must be >= 1, got {max_words}")
        self.max_words = int(max_words)
        self.output_format = output_format
        self.pos_separator = pos_separator or None
        self._sentences_written = 0

    # ------------------------------------------------------------------------------------------------ input
    def load_line(self, line: str) -> JsonDict:
        line = strip_line_end(line)
        stripped = line.strip()
        if stripped.startswith("{"):
            try:
                obj = json.loads(stripped)
            except ValueError:
                obj = None
            if isinstance(obj, dict) and isinstance(obj.get("words"), list):
                return self._from_json(obj)
        return {"sentence": line}

    @staticmethod
    def _from_json(obj: JsonDict) -> JsonDict:
        words = [" ".join(_clean(str(w)).split()) for w in obj["words"]]
        pos = obj.get("pos")
        if isinstance(pos, list) and len(pos) == len(words):
            pos = [p[1] if isinstance(p, (list, tuple)) and len(p) == 2 else p for p in pos]
            pos = [" ".join(_clean(p).split()) or None if isinstance(p, str) else None for p in pos]
        else:
            pos = None
        text = obj.get("text", obj.get("sentence"))
        text = _clean(text) if isinstance(text, str) else " ".join(words)
        return {"sentence": text, "words": words, "pos": pos}

    def _words_and_pos(self, inputs: JsonDict):
        if "words" in inputs:
            pos = inputs.get("pos") or [None] * len(inputs["words"])
            pairs = [(w, p or None) for w, p in zip(inputs["words"], pos) if w.strip()]  # no empty words
            return [w for w, _ in pairs], [p for _, p in pairs]
        words, pos = [], []
        for token in inputs["sentence"].split():
            word, tag = token, None
            if self.pos_separator:
                head, sep, tail = token.rpartition(self.pos_separator)
                if sep and head and tail:
                    word, tag = head, tail
            words.append(word)
            pos.append(tag)
        return words, pos

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        words, pos = self._words_and_pos(json_dict)
        return self._dataset_reader.text_to_instance(words, pos)

    # ------------------------------------------------------------------------------------------------ output
    def _result(self, inputs: JsonDict, output: Optional[JsonDict]) -> JsonDict:
        words, pos = self._words_and_pos(inputs)
        result = {"text": inputs["sentence"], "words": words, "pos": [p or "_" for p in pos], "heads": [],
                  "relations": []}
        if output is not None:
            result["heads"] = [int(h) for h in output["predicted_heads"]]
            result["relations"] = [str(r) for r in output["predicted_dependencies"]]
        return result

    def dump_line(self, outputs: JsonDict) -> str:
        if self.output_format == "json":
            return json_line(outputs)
        self._sentences_written += 1
        pos_column = getattr(self._dataset_reader, "pos", "upos")
        lines = [f"# sent_id = {self._sentences_written}", "# text = " + " ".join(outputs["text"].split())]
        for i, (word, tag, head, rel) in enumerate(zip(outputs["words"], outputs["pos"], outputs["heads"],
                                                       outputs["relations"]), start=1):
            upos, xpos = (tag, "_") if pos_column == "upos" else ("_", tag)
            lines.append("\t".join([str(i), word, "_", upos, xpos, "_", str(head), rel, "_", "_"]))
        return "\n".join(lines) + "\n\n"

    def _pieces(self, words: List[str]):
        """``(start, end)`` of the consecutive pieces a line is parsed in (see "Long lines" above)."""
        start, longest = 0, 0
        for k, word in enumerate(words):
            longest = max(longest, len(word))
            if k > start and (k - start >= self.max_words or (k - start + 1) * longest > MAX_PIECE_CELLS):
                yield start, k
                start, longest = k, len(word)
        yield start, len(words)

    def line_error(self, inputs: JsonDict) -> Optional[str]:
        return None if self._words_and_pos(inputs)[0] else "empty line: no words"

    def error_record(self, inputs: JsonDict, error: str) -> JsonDict:
        return self._result(inputs, None)  # an empty line: no words, no error field

    def line_instances(self, inputs: JsonDict) -> List[Instance]:
        words, pos = self._words_and_pos(inputs)
        return [self._dataset_reader.text_to_instance(words[start:end], pos[start:end])
                for start, end in self._pieces(words)]

    def merge_outputs(self, inputs: JsonDict, outputs: List[JsonDict]) -> JsonDict:
        """The pieces' outputs as one line's: heads renumbered to the whole line (a piece's root stays 0)."""
        words, _ = self._words_and_pos(inputs)
        merged: Dict[str, List] = {"predicted_heads": [], "predicted_dependencies": []}
        for (start, _), output in zip(self._pieces(words), outputs):
            merged["predicted_heads"].extend(int(h) + start if int(h) > 0 else 0 for h in output["predicted_heads"])
            merged["predicted_dependencies"].extend(output["predicted_dependencies"])
        return merged

    def line_record(self, inputs: JsonDict, output: JsonDict) -> JsonDict:
        return self._result(inputs, output)

    def predict_instance(self, instance: Instance) -> JsonDict:
        output: Dict = self._model.forward_on_instance(instance)
        return {"words": output["words"], "pos": output["pos"], "heads": [int(h) for h in output["predicted_heads"]],
                "relations": [str(r) for r in output["predicted_dependencies"]]}
