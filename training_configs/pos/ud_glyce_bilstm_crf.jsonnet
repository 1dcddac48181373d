// Glyce BiLSTM-CRF on CoNLL-U treebanks (UD1 POS): the baseline's char-ID embedding ⊕ Glyce glyph vectors, plus the
// auxiliary glyph loss.
// TRAIN_DATA_PATH=zh-ud-train.conllu VALIDATION_DATA_PATH=zh-ud-dev.conllu [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pos/ud_glyce_bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "conll_char_pos" }, encoding="BMES")
