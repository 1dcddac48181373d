// Glyce BiLSTM classifier, fast layout with the pretrained glyph encoder shipped with glyce-allennlp, frozen:
// [LayerNorm(glyph) · 0.02 ⊕ char-ID] projected to 100 dims (the baseline's BiLSTM input width), the glyph vector
// looked up in a table computed once (no CNN in the training step, no auxiliary glyph loss): training and prediction
// at the cost of the baseline's embedding.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/glyce_bilstm_fast_pretrained_glyph.jsonnet -s OUT \
//   --include-package glyce_allennlp
local lib = import "classifier.libsonnet";
lib.classifier(glyce=true, encoder="lstm", projection_dim=100, glyph_encoder={ pretrained: "default", freeze: true })
