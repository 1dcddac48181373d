// Glyce BILSTM classifier on pretrained character vectors: the inputs and start of pretrained_char_bilstm ⊕ Glyce
// glyph vectors, plus the auxiliary glyph loss.
// CHAR_VECTORS=chars.vec.gz TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/glyce_pretrained_char_bilstm.jsonnet \
//   -s OUT --include-package glyce_allennlp
local lib = import "classifier.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.classifier(glyce=true, encoder="lstm", char_vectors=inputs.path("CHAR_VECTORS"),
               char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"))
