// Glyce BiLSTM-CRF (NER) with the pretrained glyph encoder shipped with glyce-allennlp, frozen: each character's
// glyph vector is looked up in a table computed once (no CNN in the training step), ⊕ the baseline's char-ID
// embedding. No auxiliary glyph loss (nothing for it to train). `glyce-allennlp glyph-encoder pretrain` makes others.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/ner/glyce_bilstm_crf_pretrained_glyph.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, encoding="BIOUL",
           char_init="normal", dropout=0.3, glyph_encoder={ pretrained: "default", freeze: true })
