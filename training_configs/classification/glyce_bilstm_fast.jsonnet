// Glyce BiLSTM classifier, fast layout: [LayerNorm(glyph) · 0.02 ⊕ char-ID] projected to 100 dims, the baseline's
// BiLSTM input width, so the encoder costs what the baseline's costs and prediction looks up one table row per
// character; plus the auxiliary glyph loss.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/glyce_bilstm_fast.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "classifier.libsonnet";
lib.classifier(glyce=true, encoder="lstm", projection_dim=100)
