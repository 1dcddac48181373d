// Glyce BiLSTM-CRF on CoNLL-U treebanks (UD1 POS) whose glyph CNN starts from the pretrained glyph encoder shipped
// with glyce-allennlp and is fine-tuned with the task, with the auxiliary glyph loss, ⊕ the baseline's char-ID
// embedding.
// TRAIN_DATA_PATH=zh-ud-train.conllu VALIDATION_DATA_PATH=zh-ud-dev.conllu [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pos/ud_glyce_bilstm_crf_pretrained_glyph_finetuned.jsonnet -s OUT \
//   --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "conll_char_pos" }, encoding="BMES",
           glyph_encoder={ pretrained: "default", freeze: false })
