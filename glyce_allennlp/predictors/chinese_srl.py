"""``chinese_srl``: CoNLL-2009 sentences in, predicate-argument structures out."""
import logging
from typing import Any, Dict, List, Optional, Tuple

from allennlp.common.util import JsonDict
from allennlp.data import DatasetReader, Instance
from allennlp.models import Model
from allennlp.predictors.predictor import Predictor

from glyce_allennlp.formats.conll2009 import Conll2009Sentence, format_conll2009, join_sense, parse_conll2009_block
from glyce_allennlp.predictors.raw_line import json_line

logger = logging.getLogger(__name__)

OUTPUT_FORMATS = ("json", "conll2009")


@Predictor.register("chinese_srl")
class ChineseSrlPredictor(Predictor):
    """CoNLL-2009 in, predicate-argument structures out, for ``k_order_srl`` models (plain or inside
    ``glyce_aux_loss``) trained with the ``conll2009_srl`` reader. No spaCy model is used.

    **Input**: a CoNLL-2009 file, as ``allennlp predict MODEL input.txt --predictor chinese_srl`` gives it line by
    line: the 14 fixed columns (``FILLPRED = Y`` marks the predicates; the POS / PPOS and, when the model prunes,
    HEAD / PHEAD columns the model was trained with must be filled), with or without APRED columns (they are ignored;
    the SRL-only test files have none). Each sentence ends at a blank line, as in the official files; the last
    sentence may also end at the end of the file if its last line has no line break (a final sentence whose last
    line ends with a line break but is not followed by a blank line cannot be told apart from an unfinished one: it
    is *not* predicted and an error is logged at exit). A malformed row stops the run with
    ``"<input>:LINE: ..."`` (rules: :mod:`glyce_allennlp.formats.conll2009`). From Python, ``predict_json({"conll2009":
    block})`` takes one sentence's rows as one string.

    **Output**: one record per sentence, in order (nothing for the lines inside a sentence).
    ``output_format = "json"`` (default): one JSON line ``{"sentence": N (1-based), "words": [...], "predicates":
    [{"id": ID, "word": FORM, "sense": PRED, "arguments": [{"id": ID, "word": FORM, "role": ROLE}, ...]}, ...]}``
    (``id`` = the CoNLL ID, 1-based); a sentence without predicates has ``"predicates": []`` and does not run the
    model. ``output_format = "conll2009"`` (``--predictor-args '{"output_format": "conll2009"}'``): the input rows with
    PRED and one APRED column per predicate filled in, each sentence followed by a blank line — the system file for
    the official scorer ``eval09.pl``.

    PRED / ``sense``: with the model's sense classifier, ``lemma.sense`` (lemma from LEMMA or PLEMMA, whichever
    column set the reader used); without it, the input's PRED, or ``lemma.01`` where the input has ``_``.

    With ``--use-dataset-reader`` the reader makes one instance per predicate, and the output is one JSON line per
    predicate (``predicate_index`` 0-based, ``roles`` per word, ``arguments``, ``sense``).
    """

    keep_blank_lines = True  # read by the predict-input patch: blank lines (sentence ends) reach the predictor

    def __init__(self, model: Model, dataset_reader: DatasetReader, output_format: str = "json",
                 frozen: bool = True) -> None:
        super().__init__(model, dataset_reader, frozen)
        if output_format not in OUTPUT_FORMATS:
            raise ValueError(f"output_format must be one of {OUTPUT_FORMATS}, got {output_format!r}")
        if not hasattr(dataset_reader, "sentence_instances"):
            raise ValueError("chinese_srl needs a model trained with the conll2009_srl dataset reader")
        self.output_format = output_format
        self._lineno = 0
        self._loaded = 0
        self._rows: List[Tuple[int, str]] = []
        self._comments: List[str] = []
        self._sentences = 0
        inner = getattr(model, "model", model)  # glyce_aux_loss wraps the SRL model
        self._has_senses = bool(getattr(inner, "predict_senses", False))
        import atexit
        import weakref

        atexit.register(_warn_unfinished, weakref.ref(self))

    # ------------------------------------------------------------------------------------------------ input
    def load_line(self, line: str) -> JsonDict:
        text = line.rstrip("\r\n")
        if not self._loaded:
            text = text.lstrip("\ufeff")
        self._loaded += 1
        return {"line": text, "last": not line.endswith("\n")}

    def _feed(self, item: JsonDict) -> Optional[Conll2009Sentence]:
        """One input line; returns a sentence when this line finished one."""
        self._lineno += 1
        line = item["line"]
        finished = None
        if not line.strip():
            finished = self._take_sentence()
        elif line.startswith("#") and not self._rows:
            self._comments.append(line)
        else:
            self._rows.append((self._lineno, line))
        if item.get("last") and finished is None:
            finished = self._take_sentence()
        return finished

    def _take_sentence(self) -> Optional[Conll2009Sentence]:
        rows, comments = self._rows, self._comments
        self._rows, self._comments = [], []
        if not rows:
            return None
        return parse_conll2009_block(rows, "<input>", comments)

    # ------------------------------------------------------------------------------------------------ prediction
    def _predict_sentences(self, sentences: List[Conll2009Sentence]) -> List[JsonDict]:
        instances: List[Instance] = []
        spans = []
        for sentence in sentences:
            sentence_instances = self._dataset_reader.sentence_instances(sentence, gold=False)
            spans.append((len(instances), len(sentence_instances)))
            instances.extend(sentence_instances)
        outputs = self._model.forward_on_instances(instances) if instances else []
        results = []
        for sentence, (start, count) in zip(sentences, spans):
            self._sentences += 1
            results.append(self._sentence_result(sentence, outputs[start:start + count], self._sentences))
        return results

    def _sentence_result(self, sentence: Conll2009Sentence, outputs: List[Dict[str, Any]],
                         number: int) -> JsonDict:
        view = sentence.view(getattr(self._dataset_reader, "columns", "gold"))
        words = view.words
        senses, arguments, predicates = [], [], []
        for position, given, output in zip(view.predicates, view.senses, outputs):
            if self._has_senses and output.get("predicted_pred") is not None:
                sense = output["predicted_pred"]
            elif given != "_":
                sense = given
            else:
                sense = join_sense(view.lemmas[position] if view.lemmas[position] != "_" else words[position], "01")
            args = {int(j): str(r) for j, r in output["predicted_arguments"].items()}
            senses.append(sense)
            arguments.append(args)
            found = [{"id": j + 1, "word": words[j], "role": r} for j, r in sorted(args.items())]
            predicates.append({"id": position + 1, "word": words[position], "sense": sense, "arguments": found})
        record: JsonDict = {"sentence": number, "words": words, "predicates": predicates}
        if self.output_format == "conll2009":
            record["conll2009"] = format_conll2009(sentence, senses, arguments)
        return record

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self.predict_batch_json([inputs])[0]

    def predict_batch_json(self, inputs: List[JsonDict]) -> List[JsonDict]:
        finished: List[Optional[Conll2009Sentence]] = []
        for item in inputs:
            if "conll2009" in item:
                rows = [(i, line) for i, line in enumerate(item["conll2009"].split("\n"), start=1)
                        if line.strip() and not line.startswith("#")]
                finished.append(parse_conll2009_block(rows, "<input>") if rows else None)
            else:
                finished.append(self._feed(item))
        sentences = [s for s in finished if s is not None]
        results = iter(self._predict_sentences(sentences))
        return [None if s is None else next(results) for s in finished]  # type: ignore[misc]

    def predict_instance(self, instance: Instance) -> JsonDict:
        output = self._model.forward_on_instance(instance)
        meta = instance["metadata"].metadata
        return {"words": meta["words"], "predicate_index": meta["predicate_index"],
                "roles": output["predicted_roles"],
                "arguments": {str(k): v for k, v in output["predicted_arguments"].items()},
                "sense": output.get("predicted_pred")}

    def predict_batch_instance(self, instances: List[Instance]) -> List[JsonDict]:
        return [self.predict_instance(instance) for instance in instances]

    def dump_line(self, outputs: Optional[JsonDict]) -> str:
        if outputs is None:
            return ""  # a line inside a sentence
        if self.output_format == "conll2009" and "conll2009" in outputs:
            return outputs["conll2009"] + "\n"
        outputs = {k: v for k, v in outputs.items() if k != "conll2009"}
        return json_line(outputs)  # U+0085 / U+2028 / U+2029 (possible in FORM) escaped: one line per sentence


def _warn_unfinished(ref) -> None:
    predictor = ref()
    if predictor is not None and predictor._rows:
        logger.error("chinese_srl: the input ended inside a sentence (lines %d-%d were not followed by a blank line): "
                     "that sentence was NOT predicted; end every sentence with a blank line",
                     predictor._rows[0][0], predictor._rows[-1][0])
