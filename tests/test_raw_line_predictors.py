"""The raw-line predictor base (``glyce_allennlp.predictors.raw_line``) and the ``chinese_tagger``'s output kind, with
small untrained models (the trained predictors' guarantees are in ``test_reliability_predictors.py``)."""
import json
from typing import List, Optional

import pytest
import torch


# ------------------------------------------------------------------------------------------------ the base class
def test_json_line_is_one_line_for_every_line_splitter(components):
    from glyce_allennlp.predictors.raw_line import json_line

    record = {"text": "中\u2028文\x85龍\u2029\n\r😀", "n": 1}
    line = json_line(record)
    assert line.endswith("\n") and len(line.splitlines()) == 1 and len(line.split("\n")) == 2
    assert "中" in line and "😀" in line  # not ASCII-escaped
    assert json.loads(line) == record


def test_strip_line_end_removes_line_end_and_bom_only(components):
    from glyce_allennlp.predictors.raw_line import strip_line_end

    assert strip_line_end("\ufeff中 文 \r\n") == "中 文 "
    assert strip_line_end(" \t\n") == " \t"
    assert strip_line_end("中\ufeff") == "中\ufeff"


def _counting_predictor():
    """A RawLinePredictor over a model that records its calls: lines containing "!" are errors."""
    from allennlp.data import Instance, Vocabulary
    from allennlp.data.fields import MetadataField
    from allennlp.models import Model

    from glyce_allennlp.predictors.raw_line import RawLinePredictor

    class LengthModel(Model):
        def __init__(self):
            super().__init__(Vocabulary())
            self.weight = torch.nn.Parameter(torch.zeros(1))
            self.calls: List[List[str]] = []

        def forward_on_instances(self, instances):
            self.calls.append([i["text"].metadata for i in instances])
            return [{"length": len(i["text"].metadata)} for i in instances]

    class LengthPredictor(RawLinePredictor):
        def line_error(self, inputs) -> Optional[str]:
            if not inputs["text"].strip():
                return "empty line: no characters"
            return "has a !" if "!" in inputs["text"] else None

        def error_record(self, inputs, error):
            return {"text": inputs["text"], "length": None, "error": error}

        def _json_to_instance(self, json_dict):
            return Instance({"text": MetadataField(json_dict["text"])})

        def line_record(self, inputs, output):
            return {"text": inputs["text"], "length": output["length"]}

    model = LengthModel()
    return LengthPredictor(model, None), model


def test_error_lines_get_an_error_record_and_never_reach_the_model(components):
    predictor, model = _counting_predictor()
    assert predictor.keep_blank_lines is True
    outputs = predictor.predict_batch_json([{"text": t} for t in ["中文", "", "a!", " ", "龍龍龍"]])
    assert outputs == [{"text": "中文", "length": 2},
                       {"text": "", "length": None, "error": "empty line: no characters"},
                       {"text": "a!", "length": None, "error": "has a !"},
                       {"text": " ", "length": None, "error": "empty line: no characters"},
                       {"text": "龍龍龍", "length": 3}]
    assert model.calls == [["中文", "龍龍龍"]]  # one model call, only the lines it can take
    assert predictor.predict_batch_json([{"text": ""}, {"text": "!"}])[1]["error"] == "has a !"
    assert len(model.calls) == 1  # no line the model can take: no call at all
    assert predictor.predict_json({"text": "中"}) == {"text": "中", "length": 1}


def test_allennlp_predict_loop_writes_one_line_per_input_line(components, tmp_path):
    """AllenNLP's own predict loop with the predict-input patch: blank lines kept, BOM and line ends stripped,
    line-breaking characters escaped."""
    from allennlp.commands.predict import _PredictManager

    predictor, _ = _counting_predictor()
    source, output = tmp_path / "in.txt", tmp_path / "out.jsonl"
    source.write_bytes("\ufeff中文\r\n\n \n中\u2028文\n!\n".encode("utf-8"))
    _PredictManager(predictor, str(source), str(output), 2, print_to_console=False, has_dataset_reader=False).run()
    written = output.read_text(encoding="utf-8")
    assert len(written.splitlines()) == 5
    records = [json.loads(line) for line in written.split("\n")[:-1]]
    assert [r["text"] for r in records] == ["中文", "", " ", "中\u2028文", "!"]
    assert [r["length"] for r in records] == [2, None, None, 3, None]


# ------------------------------------------------------------------------------------------------ chinese_tagger
TYPED_TAGS = ["B-NN", "M-NN", "E-NN", "S-VV", "B-LOC", "E-LOC"]
BIOUL_TAGS = ["O", "B-LOC", "I-LOC", "L-LOC", "U-LOC", "U-PER"]


def _tagger(label_encoding=None, tags=TYPED_TAGS):
    from allennlp.data import Vocabulary
    from allennlp.modules.seq2seq_encoders import PassThroughEncoder
    from allennlp.modules.text_field_embedders import BasicTextFieldEmbedder
    from allennlp.modules.token_embedders import Embedding
    from allennlp_models.tagging.models.crf_tagger import CrfTagger

    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(list("张伟在北京工作"), "tokens")
    vocab.add_tokens_to_namespace(tags, "labels")
    embedder = BasicTextFieldEmbedder({"tokens": Embedding(8, vocab_namespace="tokens", vocab=vocab)})
    torch.manual_seed(0)
    return CrfTagger(vocab, embedder, PassThroughEncoder(8), label_encoding=label_encoding)


class _ReaderWithoutTagOutput:
    """A tagging reader that does not declare what its tags mean."""

    def text_to_instance(self, chars):
        from glyce_allennlp.dataset_readers import SighanCwsDatasetReader

        return SighanCwsDatasetReader().text_to_instance(chars)


@pytest.mark.parametrize("reader_name, keys, absent", [
    ("sighan_cws", {"words"}, {"pos", "entities"}),
    ("ctb_pos", {"words", "pos"}, {"entities"}),
    ("conll_char_pos", {"words", "pos"}, {"entities"}),
    ("char_ner", {"entities"}, {"words", "pos"}),
])
def test_tagger_output_kind_comes_from_the_reader(components, reader_name, keys, absent):
    """Whatever the tags look like (typed tags, ``-`` in every label; the model declares no label_encoding), the
    reader's tag_output decides: a CWS reader with typed-looking tags still gives words."""
    from allennlp.data import DatasetReader

    from glyce_allennlp.predictors import ChineseTaggerPredictor

    reader = DatasetReader.by_name(reader_name)()
    predictor = ChineseTaggerPredictor(_tagger(tags=BIOUL_TAGS if reader_name == "char_ner" else TYPED_TAGS), reader)
    assert predictor.tag_output == reader.tag_output
    output = predictor.predict_json({"sentence": "张伟 在北京工作"})
    assert keys <= set(output) and not absent & set(output), output
    assert output["text"] == "张伟 在北京工作" and output["chars"] == list("张伟在北京工作")
    if "words" in keys:
        assert "".join(output["words"]) == "张伟在北京工作"
    empty = predictor.predict_json({"sentence": " "})
    assert empty["chars"] == [] and empty["tags"] == [] and "error" not in empty
    assert all(empty[key] == [] for key in keys)


def test_tagger_without_reader_tag_output_uses_the_models_span_encoding(components):
    from glyce_allennlp.predictors import ChineseTaggerPredictor

    model = _tagger("BIOUL", BIOUL_TAGS)
    predictor = ChineseTaggerPredictor(model, _ReaderWithoutTagOutput())
    assert predictor.tag_output == "entities"
    output = predictor.predict_json({"sentence": "张伟在北京"})
    assert "entities" in output and "words" not in output
    for entity in output["entities"]:
        assert output["text"][entity["start"]:entity["end"]] == entity["text"]


@pytest.mark.parametrize("label_encoding", [None, "BMES"])
def test_tagger_refuses_to_guess_what_the_tags_mean(components, label_encoding):
    from allennlp.common.checks import ConfigurationError

    from glyce_allennlp.predictors import ChineseTaggerPredictor

    with pytest.raises(ConfigurationError, match=r"_ReaderWithoutTagOutput has no `tag_output`.*"
                                                 rf"label_encoding is {label_encoding!r}"):
        ChineseTaggerPredictor(_tagger(label_encoding), _ReaderWithoutTagOutput())


def test_tagger_rejects_an_unknown_declared_tag_output(components):
    from allennlp.common.checks import ConfigurationError

    from glyce_allennlp.predictors import ChineseTaggerPredictor

    reader = _ReaderWithoutTagOutput()
    reader.tag_output = "pos"
    with pytest.raises(ConfigurationError, match=r"tag_output = 'pos'; expected one of"):
        ChineseTaggerPredictor(_tagger(), reader)
