// Glyce BiLSTM-CRF (ner): the baseline's char-ID embedding ⊕ Glyce glyph vectors, plus the auxiliary glyph loss.
// allennlp train training_configs/ner/glyce_bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger({ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, "BIOUL", glyce=true, char_init="normal", dropout=0.3)
