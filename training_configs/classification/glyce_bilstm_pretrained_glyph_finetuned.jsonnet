// Glyce BiLSTM classifier whose glyph CNN starts from the pretrained glyph encoder shipped with glyce-allennlp and is
// fine-tuned with the task, with the auxiliary glyph loss, ⊕ the baseline's char-ID embedding.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/glyce_bilstm_pretrained_glyph_finetuned.jsonnet -s OUT \
//   --include-package glyce_allennlp
local lib = import "classifier.libsonnet";
lib.classifier(glyce=true, encoder="lstm", glyph_encoder={ pretrained: "default", freeze: false })
