// BERT classifier baseline: [CLS] text [SEP] → BERT → [CLS] → softmax. Needs BERT_MODEL (a local BERT folder).
// BERT_MODEL=/path/bert-base-chinese TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/classification/bert.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../glyce_bert.libsonnet";
lib.glyce_bert(glyce=false, task="classification",
               reader={ type: "chinese_text_classification", format: "chnsenticorp" })
