"""``glyce_crf_tagger`` with the ``glyce`` character embedder (inside ``glyce_aux_loss``), built by
training_configs/tagger.libsonnet with small sizes and trained one epoch on the CWS fixtures: every trainable parameter
gets a finite, non-zero gradient; the saved and loaded model gives the same outputs; a batch gives the same tags as
its sentences one by one."""
import pytest

from model_test_support import GlyceModelTestCase, small_config

SMALL = 'fonts=["song"], glyph_dim=64, char_dim=16, hidden=16, epochs=1'
LAYOUTS = {
    # the paper's layout: BiLSTM input = glyph vector ⊕ char-ID embedding
    "paper": f'tagger(glyce=true, reader={{ type: "sighan_cws" }}, encoding="BMES", {SMALL})',
    # the `_fast` configs' layout: LayerNorm(glyph) ⊕ char-ID, projected to the char-ID size
    "fast": f'tagger(glyce=true, reader={{ type: "sighan_cws" }}, encoding="BMES", projection_dim=16, '
            f'glyph_norm="layer_norm", '
            f'{SMALL})',
}


class TestGlyceCrfTagger(GlyceModelTestCase):
    @pytest.fixture(autouse=True, params=sorted(LAYOUTS))
    def model(self, request, use_data, tmp_path, components):
        validation = use_data("cws/train.txt", "cws/dev.txt")
        self.set_up_model(small_config(tmp_path, "tagger.libsonnet", LAYOUTS[request.param]), validation, seed=13)

    def test_every_parameter_learns_and_save_load_gives_the_same_outputs(self):
        model, loaded = self.ensure_model_can_train_save_and_load(self.param_file, tolerance=0, seed=13)
        assert type(loaded.model).__name__ == "FastCrfTagger"

    def test_a_batch_gives_the_same_outputs_as_its_sentences_one_by_one(self):
        self.ensure_batch_predictions_are_consistent()
