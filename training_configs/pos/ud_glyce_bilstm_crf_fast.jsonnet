// Glyce BiLSTM-CRF on CoNLL-U treebanks (UD1 POS), fast layout: [LayerNorm(glyph) ⊕ char-ID] projected to 100 dims (the
// baseline's BiLSTM input width; prediction at the baseline's speed), plus the auxiliary glyph loss.
// allennlp train training_configs/pos/ud_glyce_bilstm_crf_fast.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger({ type: "conll_char_pos" }, "BMES", glyce=true, projection_dim=100, glyph_norm="layer_norm")
