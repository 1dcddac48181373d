// BiMPM sentence-pair matcher on pretrained character vectors ($CHAR_VECTORS; the inputs and their environment
// variables: training_configs/pretrained_inputs.libsonnet); LCQMC layout by default; metrics accuracy, F1 of "1".
// CHAR_VECTORS=chars.vec.gz TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pair/pretrained_char_bimpm.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "bimpm.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.bimpm(glyce=false, char_vectors=inputs.path("CHAR_VECTORS"), char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"))
