// Glyce BiLSTM-CRF (CWS) on pretrained character vectors whose glyph CNN starts from the pretrained glyph encoder
// shipped with glyce-allennlp and is fine-tuned with the task, with the auxiliary glyph loss: the inputs and start of
// pretrained_char_bilstm_crf ⊕ glyph-only Glyce vectors.
// CHAR_VECTORS=chars.vec.gz \
//   TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/cws/glyce_pretrained_char_bilstm_crf_pretrained_glyph_finetuned.jsonnet \
//   -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.tagger(glyce=true, reader={ type: "sighan_cws" }, encoding="BMES",
           char_vectors=inputs.path("CHAR_VECTORS"), char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"),
           glyph_encoder={ pretrained: "default", freeze: false })
