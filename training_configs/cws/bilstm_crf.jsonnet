// Char-ID BiLSTM-CRF baseline (CWS, SIGHAN files: words separated by spaces, one sentence a line; BMES tags).
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/cws/bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=false, reader={ type: "sighan_cws" }, encoding="BMES")
