// Glyce BiLSTM-CRF (pos): the baseline's char-ID embedding ⊕ Glyce glyph vectors, plus the auxiliary glyph loss.
// allennlp train training_configs/pos/glyce_bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger({ type: "ctb_pos" }, "BMES", glyce=true)
