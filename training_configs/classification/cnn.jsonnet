// CNN sentence classifier (basic_classifier) over character-ID embeddings; ChnSentiCorp layout by default.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/cnn.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "classifier.libsonnet";
lib.classifier(glyce=false, encoder="cnn")
