// Glyce BiLSTM-CRF (POS): the baseline's char-ID embedding ⊕ Glyce glyph vectors, plus the auxiliary glyph loss.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pos/glyce_bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "ctb_pos" }, encoding="BMES")
