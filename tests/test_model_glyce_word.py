"""The ``glyce_word`` embedder (a word's vector from the glyphs of its characters) inside allennlp-models'
``biaffine_parser`` (inside ``glyce_aux_loss``), built by training_configs/dependency/parser.libsonnet with small
sizes and trained one epoch on the UD fixtures, with the poolings that have parameters of their own (``cnn``,
``lstm``; ``max`` is covered by tests/test_model_srl.py): every trainable parameter gets a finite, non-zero
gradient; the saved and loaded model gives the same outputs; a batch gives the same outputs as its sentences one by
one."""
import pytest

from model_test_support import GlyceModelTestCase, small_config

SMALL = ('glyce=true, fonts=["song"], glyph_dim=64, word_dim=16, pos_dim=8, hidden=16, layers=1, arc_dim=16, '
         'tag_dim=8, epochs=1')


class TestGlyceWordInBiaffineParser(GlyceModelTestCase):
    @pytest.fixture(autouse=True, params=["cnn", "lstm"])
    def model(self, request, use_data, tmp_path, components):
        validation = use_data("ud/train.conllu", "ud/dev.conllu")
        config = small_config(tmp_path, "dependency/parser.libsonnet",
                              f'parser({SMALL}, pooling="{request.param}", pooling_dim=24)')
        self.set_up_model(config, validation, seed=13)

    def test_every_parameter_learns_and_save_load_gives_the_same_outputs(self):
        # The parser's arc loss is a log-softmax over the heads of each word, unchanged when one constant is added to
        # every arc score: the arc attention's scalar bias gets a gradient of exactly zero up to rounding (all zero
        # on some runs), which allennlp-models' own parser test ignores too. Every other parameter is checked.
        model, loaded = self.ensure_model_can_train_save_and_load(
            self.param_file, tolerance=0, seed=13, gradients_to_ignore={"model.arc_attention._bias"})
        embedder = loaded.model.text_field_embedder.token_embedder_glyce
        assert type(embedder).__name__ == "GlyceWordEmbedder"

    def test_a_batch_gives_the_same_outputs_as_its_sentences_one_by_one(self):
        self.ensure_batch_predictions_are_consistent()
