// Char-ID BiLSTM-CRF baseline (POS, CTB "word_POS" lines; per-character BMES-POS tags: joint segmentation + POS).
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pos/bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=false, reader={ type: "ctb_pos" }, encoding="BMES")
