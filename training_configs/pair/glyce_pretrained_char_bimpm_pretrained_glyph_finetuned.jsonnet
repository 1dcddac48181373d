// Glyce BiMPM on pretrained character vectors whose glyph CNN starts from the pretrained glyph encoder shipped with
// glyce-allennlp and is fine-tuned with the task, with the auxiliary glyph loss: the inputs and start of
// pretrained_char_bimpm ⊕ Glyce glyph vectors.
// CHAR_VECTORS=chars.vec.gz TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pair/glyce_pretrained_char_bimpm_pretrained_glyph_finetuned.jsonnet \
//   -s OUT --include-package glyce_allennlp
local lib = import "bimpm.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.bimpm(glyce=true, char_vectors=inputs.path("CHAR_VECTORS"), char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"),
          glyph_encoder={ pretrained: "default", freeze: false })
