// Glyce BiLSTM-CRF (CWS) on pretrained character and bigram vectors whose glyph CNN starts from the pretrained glyph
// encoder shipped with glyce-allennlp and is fine-tuned with the task, with the auxiliary glyph loss: the inputs and
// start of char_bigram_bilstm_crf ⊕ glyph-only Glyce vectors.
// CHAR_VECTORS=chars.vec.gz BIGRAM_VECTORS=bigrams.vec.gz \
//   TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/cws/glyce_char_bigram_bilstm_crf_pretrained_glyph_finetuned.jsonnet -s OUT \
//   --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.tagger(glyce=true, reader={ type: "sighan_cws" }, encoding="BMES",
           char_vectors=inputs.path("CHAR_VECTORS"), char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"),
           bigram_vectors=inputs.path("BIGRAM_VECTORS"), bigram_dim=inputs.dim("BIGRAM_DIM", "BIGRAM_VECTORS"),
           glyph_encoder={ pretrained: "default", freeze: false })
