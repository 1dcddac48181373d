// BERT-CRF baseline (ner): BERT's last layer, aligned to characters, → CRF. Needs BERT_MODEL (a local BERT folder).
// BERT_MODEL=/path/bert-base-chinese TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/ner/bert_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../glyce_bert.libsonnet";
lib.glyce_bert(glyce=false, task="tagging",
               reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, encoding="BIOUL")
