// Char-ID BiLSTM-CRF baseline (pos). allennlp train training_configs/pos/bilstm_crf.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger({ type: "ctb_pos" }, "BMES", glyce=false)
