// Glyce BiLSTM-CRF on CoNLL-U treebanks (UD1 POS), fast layout: [LayerNorm(glyph) ⊕ char-ID] projected to 100 dims
// (the baseline's BiLSTM input width; prediction at the baseline's speed), plus the auxiliary glyph loss.
// TRAIN_DATA_PATH=zh-ud-train.conllu VALIDATION_DATA_PATH=zh-ud-dev.conllu [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pos/ud_glyce_bilstm_crf_fast.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "conll_char_pos" }, encoding="BMES", projection_dim=100,
           glyph_norm="layer_norm")
