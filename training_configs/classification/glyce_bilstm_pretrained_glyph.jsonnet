// Glyce BiLSTM classifier with the pretrained glyph encoder shipped with glyce-allennlp, frozen (glyph vectors from a
// table computed once, no auxiliary glyph loss), ⊕ the baseline's char-ID embedding.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/glyce_bilstm_pretrained_glyph.jsonnet -s OUT \
//   --include-package glyce_allennlp
local lib = import "classifier.libsonnet";
lib.classifier(glyce=true, encoder="lstm", glyph_encoder={ pretrained: "default", freeze: true })
