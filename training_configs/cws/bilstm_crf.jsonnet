// Char-ID BiLSTM-CRF baseline (cws). allennlp train training_configs/cws/bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger({ type: "sighan_cws" }, "BMES", glyce=false)
