// Glyce BiLSTM-CRF (cws): the baseline's char-ID embedding ⊕ Glyce glyph vectors, plus the auxiliary glyph loss.
// allennlp train training_configs/cws/glyce_bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger({ type: "sighan_cws" }, "BMES", glyce=true)
