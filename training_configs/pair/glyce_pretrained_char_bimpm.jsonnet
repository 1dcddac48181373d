// Glyce BiMPM on pretrained character vectors: the inputs and start of pretrained_char_bimpm ⊕ Glyce glyph vectors,
// plus the auxiliary glyph loss (averaged over the characters of both sentences).
// CHAR_VECTORS=chars.vec.gz TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pair/glyce_pretrained_char_bimpm.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "bimpm.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.bimpm(glyce=true, char_vectors=inputs.path("CHAR_VECTORS"), char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"))
