// Biaffine parser + Glyce word embeddings: the baseline's word-ID and POS embeddings ⊕ the max-pooled glyph vectors of
// each word's characters (`glyce_word`), plus the auxiliary glyph loss (glyce_aux_loss, "mean" reduction).
// TRAIN_DATA_PATH=… VALIDATION_DATA_PATH=… [TEST_DATA_PATH=…] \
//   allennlp train training_configs/dependency/glyce_biaffine.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "parser.libsonnet";
lib.parser(glyce=true)
