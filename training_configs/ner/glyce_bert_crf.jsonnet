// Glyce-BERT-CRF (ner): [BERT ⊕ glyph vectors + position embeddings] → 2 transformer layers → CRF, with the auxiliary
// glyph loss and the staged BERT → glyph → joint training (glyce_bert_stages). Needs BERT_MODEL (a local BERT folder).
// BERT_MODEL=/path/bert-base-chinese TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/ner/glyce_bert_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../glyce_bert.libsonnet";
lib.glyce_bert(glyce=true, task="tagging",
               reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, encoding="BIOUL")
