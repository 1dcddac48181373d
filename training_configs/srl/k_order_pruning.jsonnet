// Dependency-based SRL baseline (He et al. 2018 k-order argument pruning, k = 3): word-ID (random init) + POS +
// predicate-indicator embeddings → 3-layer BiLSTM → MLP role scorer over the pruned candidates + sense classifier.
// Syntax (POS, heads) from the predicted columns PPOS/PHEAD/PDEPREL: the CoNLL-2009 closed setting.
// TRAIN_DATA_PATH=CoNLL2009-ST-Chinese-train.txt VALIDATION_DATA_PATH=CoNLL2009-ST-Chinese-development.txt \
//   [TEST_DATA_PATH=…] allennlp train training_configs/srl/k_order_pruning.jsonnet -s OUT \
//   --include-package glyce_allennlp
// Gold syntax instead: -o '{"dataset_reader.columns": "gold"}'; other k: -o '{"dataset_reader.pruning_k": 2}'
// (0 = no pruning). See docs/srl.md.
local lib = import "srl.libsonnet";
lib.srl(glyce=false, columns="predicted")
