import json
from typing import Dict, List, Optional

from allennlp.common.util import JsonDict
from allennlp.data import DatasetReader, Instance
from allennlp.models import Model
from allennlp.predictors.predictor import Predictor

OUTPUT_FORMATS = ("json", "conllu")


@Predictor.register("chinese_dependency_parser")
class ChineseDependencyParserPredictor(Predictor):
    """Segmented Chinese text in, dependency trees out, for ``biaffine_parser`` models (plain or inside
    ``glyce_aux_loss``) trained with the ``conll_dependencies`` reader. No spaCy model is used.

    Input (plain UTF-8 text, not JSON), one sentence per line:

    * space-separated words: ``張偉 今天 在 北京 工作 。``;
    * optionally ``word_POS`` tokens: ``張偉_PROPN 今天_NOUN …`` — a token is split on its **last** ``pos_separator``
      when both sides are non-empty; a token without one has an unknown POS (the parser then sees the POS OOV
      embedding, and the output POS is ``"_"``). Give the POS the parser was trained on (UPOS or XPOS);
    * or one JSON object per line with ``"words"`` and optionally ``"pos"`` (a list of tags, or the ``chinese_tagger``
      predictor's ``[[word, tag], ...]``): so the output of ``chinese_tagger`` (a CWS or POS model) can be fed in
      directly — the raw-text pipeline. A line is read as JSON only if it parses as an object with ``"words"``.

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
    """

    keep_blank_lines = True  # see glyce_allennlp.compat

    def __init__(self, model: Model, dataset_reader: DatasetReader, output_format: str = "json",
                 pos_separator: Optional[str] = "_", frozen: bool = True) -> None:
        super().__init__(model, dataset_reader, frozen)
        if output_format not in OUTPUT_FORMATS:
            raise ValueError(f"output_format must be one of {OUTPUT_FORMATS}, got {output_format!r}")
        self.output_format = output_format
        self.pos_separator = pos_separator or None
        self._sentences_written = 0

    # ------------------------------------------------------------------------------------------------ input
    def load_line(self, line: str) -> JsonDict:
        line = line.rstrip("\r\n").lstrip("\ufeff")
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
        words = [str(w) for w in obj["words"]]
        pos = obj.get("pos")
        if isinstance(pos, list) and len(pos) == len(words):
            pos = [p[1] if isinstance(p, (list, tuple)) and len(p) == 2 else p for p in pos]
        else:
            pos = None
        text = obj.get("text", obj.get("sentence", " ".join(words)))
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
            return json.dumps(outputs, ensure_ascii=False) + "\n"
        self._sentences_written += 1
        pos_column = getattr(self._dataset_reader, "pos", "upos")
        lines = [f"# sent_id = {self._sentences_written}", "# text = " + " ".join(outputs["text"].split())]
        for i, (word, tag, head, rel) in enumerate(zip(outputs["words"], outputs["pos"], outputs["heads"],
                                                       outputs["relations"]), start=1):
            upos, xpos = (tag, "_") if pos_column == "upos" else ("_", tag)
            lines.append("\t".join([str(i), word, "_", upos, xpos, "_", str(head), rel, "_", "_"]))
        return "\n".join(lines) + "\n\n"

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self.predict_batch_json([inputs])[0]

    def predict_batch_json(self, inputs: List[JsonDict]) -> List[JsonDict]:
        results: List[Optional[JsonDict]] = [None] * len(inputs)
        todo = []
        for i, item in enumerate(inputs):
            if self._words_and_pos(item)[0]:
                todo.append(i)
            else:
                results[i] = self._result(item, None)
        if todo:
            outputs = self._model.forward_on_instances([self._json_to_instance(inputs[i]) for i in todo])
            for i, output in zip(todo, outputs):
                results[i] = self._result(inputs[i], output)
        return results  # type: ignore[return-value]

    def predict_instance(self, instance: Instance) -> JsonDict:
        output: Dict = self._model.forward_on_instance(instance)
        return {"words": output["words"], "pos": output["pos"], "heads": [int(h) for h in output["predicted_heads"]],
                "relations": [str(r) for r in output["predicted_dependencies"]]}
