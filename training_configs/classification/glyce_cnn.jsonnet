// Glyce CNN classifier: the baseline's char-ID embedding ⊕ Glyce glyph vectors, plus the auxiliary glyph loss.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/glyce_cnn.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "classifier.libsonnet";
lib.classifier(glyce=true, encoder="cnn")
