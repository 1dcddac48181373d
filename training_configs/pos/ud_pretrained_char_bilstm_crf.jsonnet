// BiLSTM-CRF baseline (UD1 POS) on pretrained character vectors; the inputs and their environment
// variables: training_configs/pretrained_inputs.libsonnet.
// CHAR_VECTORS=chars.vec.gz \
//   TRAIN_DATA_PATH=zh-ud-train.conllu VALIDATION_DATA_PATH=zh-ud-dev.conllu [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pos/ud_pretrained_char_bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.tagger(glyce=false, reader={ type: "conll_char_pos" }, encoding="BMES",
           char_vectors=inputs.path("CHAR_VECTORS"), char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"))
