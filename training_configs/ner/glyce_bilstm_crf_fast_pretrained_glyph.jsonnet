// Glyce BiLSTM-CRF (NER), fast layout with the pretrained glyph encoder shipped with glyce-allennlp, frozen:
// [LayerNorm(glyph) ⊕ char-ID] projected to 100 dims (the baseline's BiLSTM input width), the glyph vector looked up
// in a table computed once (no CNN in the training step, no auxiliary glyph loss): training and prediction at the
// cost of the baseline's embedding.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/ner/glyce_bilstm_crf_fast_pretrained_glyph.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, encoding="BIOUL",
           projection_dim=100, glyph_norm="layer_norm", char_init="normal", dropout=0.3,
           glyph_encoder={ pretrained: "default", freeze: true })
