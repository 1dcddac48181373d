// Char-ID BiLSTM-CRF baseline (NER: "character tag" lines, a blank line after each sentence; BIO, BIOES, BMES or
// BIOUL tags, trained as BIOUL).
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/ner/bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=false, reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, encoding="BIOUL",
           char_init="normal", dropout=0.3)
