// Glyce BiLSTM-CRF (NER) whose glyph CNN starts from the pretrained glyph encoder shipped with glyce-allennlp and is
// fine-tuned with the task, with the auxiliary glyph loss, ⊕ the baseline's char-ID embedding.
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/ner/glyce_bilstm_crf_pretrained_glyph_finetuned.jsonnet -s OUT \
//   --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, encoding="BIOUL",
           char_init="normal", dropout=0.3, glyph_encoder={ pretrained: "default", freeze: false })
