// BiMPM sentence-pair matcher over character-ID embeddings (LCQMC layout by default); metrics accuracy, F1 of "1".
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pair/bimpm.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "bimpm.libsonnet";
lib.bimpm(glyce=false)
