// Char-ID BiLSTM-CRF on CoNLL-U treebanks (UD1 POS): per-character BMES-UPOS tags (joint segmentation + POS).
// TRAIN_DATA_PATH=zh-ud-train.conllu VALIDATION_DATA_PATH=zh-ud-dev.conllu [TEST_DATA_PATH=...] \
//   allennlp train training_configs/pos/ud_bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
// XPOS instead of UPOS: -o '{"dataset_reader.pos": "xpos"}'; CoNLL-X files: -o '{"dataset_reader.format": "conllx"}'.
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=false, reader={ type: "conll_char_pos" }, encoding="BMES")
