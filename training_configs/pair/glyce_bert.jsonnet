// Glyce-BERT sentence pairs: [CLS] s1 [SEP] s2 [SEP] → [BERT ⊕ glyph vectors + position embeddings] → 2 transformer
// layers → [CLS] → softmax, with the auxiliary glyph loss and staged BERT → glyph → joint training ([CLS]/[SEP] get
// the zero glyph vector). LCQMC format. Needs BERT_MODEL (a local BERT folder).
// BERT_MODEL=/path/bert-base-chinese TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pair/glyce_bert.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../glyce_bert.libsonnet";
lib.glyce_bert(glyce=true, task="classification", reader={ type: "chinese_sentence_pair", format: "lcqmc" })
