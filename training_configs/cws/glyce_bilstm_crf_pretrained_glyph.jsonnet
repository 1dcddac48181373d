// Glyce BiLSTM-CRF (CWS) with the pretrained glyph encoder shipped with glyce-allennlp, frozen (glyph vectors from a
// table computed once, no auxiliary glyph loss), ⊕ the baseline's char-ID embedding.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/cws/glyce_bilstm_crf_pretrained_glyph.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "sighan_cws" }, encoding="BMES",
           glyph_encoder={ pretrained: "default", freeze: true })
