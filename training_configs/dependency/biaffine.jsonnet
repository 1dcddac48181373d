// Biaffine dependency parser baseline: word-ID (random init) + POS embeddings → 2-layer BiLSTM → biaffine arcs/labels.
// TRAIN_DATA_PATH=… VALIDATION_DATA_PATH=… [TEST_DATA_PATH=…] \
//   allennlp train training_configs/dependency/biaffine.jsonnet -s OUT --include-package glyce_allennlp
// CoNLL-X (CTB5) files: -o '{"dataset_reader.format": "conllx"}'; XPOS instead of UPOS:
// -o '{"dataset_reader.pos": "xpos"}'.
local lib = import "parser.libsonnet";
lib.parser(glyce=false)
