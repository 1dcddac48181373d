// Glyce BiMPM with the pretrained glyph encoder shipped with glyce-allennlp, frozen (glyph vectors from a table
// computed once, no auxiliary glyph loss), ⊕ the baseline's char-ID embedding.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pair/glyce_bimpm_pretrained_glyph.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "bimpm.libsonnet";
lib.bimpm(glyce=true, glyph_encoder={ pretrained: "default", freeze: true })
