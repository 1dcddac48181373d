// Glyce BiLSTM-CRF on CoNLL-U treebanks (UD1 POS): the baseline's char-ID embedding ⊕ Glyce glyph vectors, plus the
// auxiliary glyph loss. allennlp train training_configs/pos/ud_glyce_bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger({ type: "conll_char_pos" }, "BMES", glyce=true)
