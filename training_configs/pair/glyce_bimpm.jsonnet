// Glyce BiMPM: the baseline's char-ID embedding ⊕ Glyce glyph vectors, plus the auxiliary glyph loss (averaged
// over the characters of both sentences).
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pair/glyce_bimpm.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "bimpm.libsonnet";
lib.bimpm(glyce=true)
