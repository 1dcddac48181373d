// Glyce-BERT classifier: [CLS] text [SEP] → [BERT ⊕ glyph vectors + position embeddings] → 2 transformer layers →
// [CLS] → softmax, with the auxiliary glyph loss and staged BERT → glyph → joint training. Needs BERT_MODEL.
// BERT_MODEL=/path/bert-base-chinese TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/glyce_bert.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../glyce_bert.libsonnet";
lib.glyce_bert(glyce=true, task="classification",
               reader={ type: "chinese_text_classification", format: "chnsenticorp" })
