"""``k_order_srl`` with the ``glyce_word`` embedder (inside ``glyce_aux_loss``), built by
training_configs/srl/srl.libsonnet with small sizes and trained one epoch on the CoNLL-2009 fixtures, with either role
scorer: every trainable parameter gets a finite, non-zero gradient; the saved and loaded model gives the same outputs;
a batch gives the same outputs as its instances one by one."""
import pytest

from model_test_support import GlyceModelTestCase, small_config

SMALL = ('glyce=true, fonts=["song"], glyph_dim=64, word_dim=16, pos_dim=8, indicator_dim=4, hidden=16, layers=1, '
         'mlp_dim=16, epochs=1')


class TestKOrderSrl(GlyceModelTestCase):
    @pytest.fixture(autouse=True, params=["mlp", "biaffine"])
    def model(self, request, use_data, tmp_path, components):
        validation = use_data("srl/train.txt", "srl/dev.txt")
        config = small_config(tmp_path, "srl/srl.libsonnet", f'srl({SMALL}, scorer="{request.param}")')
        self.set_up_model(config, validation, seed=13)

    def test_every_parameter_learns_and_save_load_gives_the_same_outputs(self):
        model, loaded = self.ensure_model_can_train_save_and_load(self.param_file, tolerance=0, seed=13)
        assert type(loaded.model).__name__ == "KOrderSrl"

    def test_a_batch_gives_the_same_outputs_as_its_instances_one_by_one(self):
        self.ensure_batch_predictions_are_consistent()
