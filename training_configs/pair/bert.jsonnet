// BERT sentence-pair baseline: [CLS] s1 [SEP] s2 [SEP] → BERT → [CLS] → softmax (LCQMC format; see
// glyce_allennlp/dataset_readers/sentence_pair.py for bq / xnli / nlpcc_dbqa). Needs BERT_MODEL (a local BERT folder).
// BERT_MODEL=/path/bert-base-chinese TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pair/bert.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../glyce_bert.libsonnet";
lib.glyce_bert(glyce=false, task="classification", reader={ type: "chinese_sentence_pair", format: "lcqmc" })
