// Char-ID BiLSTM-CRF baseline (ner). allennlp train training_configs/ner/bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger({ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, "BIOUL", glyce=false, char_init="normal", dropout=0.3)
