"""glyce_allennlp.patches.archived_glyph_encoders: where AllenNLP drops ``pretrained_file`` before building a model
for the weights it loads next (``Model._load``), every ``glyph_encoder``'s ``pretrained`` becomes "from_archive";
building a model for training still reads the encoder file. (Archives that load and predict without their encoder
file: tests/test_pretrained_glyph_configs.py.)"""
import copy

import pytest

from glyce_allennlp.glyph.encoder import FROM_ARCHIVE

CONFIG = {
    "type": "glyce_crf_tagger",
    "text_field_embedder": {"token_embedders": {
        "glyce": {"type": "glyce", "glyph_encoder": {"pretrained": "/gone/encoder.safetensors", "freeze": True}},
        "words": {"type": "embedding", "embedding_dim": 4, "pretrained_file": "/gone/vectors.txt"},
    }},
    "encoders": [{"type": "glyce_word", "glyph_encoder": {"pretrained": "default", "freeze": False}},
                 {"type": "glyce", "glyph_encoder": None}],
    "initializer": {"regexes": [[".*", {"type": "xavier_uniform"}]]},
}


def marked(remove):
    from allennlp.common import Params

    params = Params(copy.deepcopy(CONFIG))
    remove(params)
    return params.as_dict(quiet=True)


@pytest.mark.parametrize("name", ["remove_keys_from_params", "remove_weights_related_keys_from_params",
                                  "remove_pretrained_embedding_params"])
def test_loading_a_model_marks_every_glyph_encoder_from_the_archive(name, components):
    import allennlp.models.model as model_module

    config = marked(getattr(model_module, name))
    embedders = config["text_field_embedder"]["token_embedders"]
    assert embedders["glyce"]["glyph_encoder"] == {"pretrained": FROM_ARCHIVE, "freeze": True}
    assert config["encoders"][0]["glyph_encoder"] == {"pretrained": FROM_ARCHIVE, "freeze": False}
    assert config["encoders"][1]["glyph_encoder"] is None
    assert "pretrained_file" not in embedders["words"]  # AllenNLP's own removal is kept
    assert ("initializer" in config) == (name == "remove_pretrained_embedding_params")


def test_other_removals_and_allennlps_own_function_leave_glyph_encoders_alone(components):
    import allennlp.common.params as params_module
    import allennlp.models.model as model_module

    assert model_module.remove_keys_from_params is not params_module.remove_keys_from_params
    for remove in (params_module.remove_keys_from_params,
                   lambda params: model_module.remove_keys_from_params(params, ["initializer"])):
        config = marked(remove)
        assert config["text_field_embedder"]["token_embedders"]["glyce"]["glyph_encoder"]["pretrained"] == \
            "/gone/encoder.safetensors"


def test_a_model_built_for_training_still_reads_the_encoder_file(components, tmp_path):
    from allennlp.common import Params
    from allennlp.data import Vocabulary
    from allennlp.modules.token_embedders import TokenEmbedder

    from glyce_allennlp.glyph.encoder import GlyphEncoderError

    missing = str(tmp_path / "missing.safetensors")
    params = Params({"type": "glyce", "glyph_dim": 256, "glyph_encoder": {"pretrained": missing, "freeze": True}})
    with pytest.raises(GlyphEncoderError, match="does not exist"):
        TokenEmbedder.from_params(params, vocab=Vocabulary())


def test_applying_again_wraps_nothing_twice(components):
    import allennlp.models.model as model_module

    from glyce_allennlp import patches
    from glyce_allennlp.patches import archived_glyph_encoders

    before = model_module.remove_keys_from_params
    assert before is archived_glyph_encoders.remove_keys_and_archived_glyph_encoders
    patches.apply()
    archived_glyph_encoders.apply()
    assert model_module.remove_keys_from_params is before
