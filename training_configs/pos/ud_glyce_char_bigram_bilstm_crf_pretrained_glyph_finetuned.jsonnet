// Glyce BiLSTM-CRF (UD1 POS) on pretrained character and bigram vectors whose glyph CNN starts from the pretrained
// glyph encoder shipped with glyce-allennlp and is fine-tuned with the task, with the auxiliary glyph loss: the inputs
// and start of ud_char_bigram_bilstm_crf ⊕ glyph-only Glyce vectors.
// CHAR_VECTORS=chars.vec.gz BIGRAM_VECTORS=bigrams.vec.gz \
//   TRAIN_DATA_PATH=zh-ud-train.conllu VALIDATION_DATA_PATH=zh-ud-dev.conllu [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pos/ud_glyce_char_bigram_bilstm_crf_pretrained_glyph_finetuned.jsonnet \
//   -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.tagger(glyce=true, reader={ type: "conll_char_pos" }, encoding="BMES",
           char_vectors=inputs.path("CHAR_VECTORS"), char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"),
           bigram_vectors=inputs.path("BIGRAM_VECTORS"), bigram_dim=inputs.dim("BIGRAM_DIM", "BIGRAM_VECTORS"),
           glyph_encoder={ pretrained: "default", freeze: false })
