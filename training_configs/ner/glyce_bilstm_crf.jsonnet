// Glyce BiLSTM-CRF (NER): the baseline's char-ID embedding ⊕ Glyce glyph vectors, plus the auxiliary glyph loss.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/ner/glyce_bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, encoding="BIOUL",
           char_init="normal", dropout=0.3)
