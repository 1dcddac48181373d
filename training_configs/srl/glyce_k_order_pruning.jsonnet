// k-order-pruning SRL + Glyce word embeddings: the baseline's inputs ⊕ the max-pooled glyph vectors of each word's
// characters (`glyce_word`: 5 free fonts, 12 px, D = 256), plus the auxiliary glyph loss (glyce_aux_loss, "mean"
// reduction, λ0 = 0.1, λ1 = 0.8; the glyce_aux_lambda callback decays λ each epoch). Syntax from the predicted
// columns PPOS/PHEAD/PDEPREL (the CoNLL-2009 closed setting).
// TRAIN_DATA_PATH=… VALIDATION_DATA_PATH=… [TEST_DATA_PATH=…] \
//   allennlp train training_configs/srl/glyce_k_order_pruning.jsonnet -s OUT --include-package glyce_allennlp
// Gold syntax instead: -o '{"dataset_reader.columns": "gold"}'. Overrides of the model use dotted keys under
// "model.model." (the SRL model sits inside the wrapper). See docs/srl.md.
local lib = import "srl.libsonnet";
lib.srl(glyce=true, columns="predicted")
