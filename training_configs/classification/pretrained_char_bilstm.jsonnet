// BILSTM sentence classifier (basic_classifier) on pretrained character vectors ($CHAR_VECTORS; the inputs and
// their environment variables: training_configs/pretrained_inputs.libsonnet); ChnSentiCorp layout by default.
// CHAR_VECTORS=chars.vec.gz TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/pretrained_char_bilstm.jsonnet \
//   -s OUT --include-package glyce_allennlp
local lib = import "classifier.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.classifier(glyce=false, encoder="lstm", char_vectors=inputs.path("CHAR_VECTORS"),
               char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"))
