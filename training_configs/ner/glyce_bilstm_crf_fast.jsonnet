// Glyce BiLSTM-CRF (NER), fast layout: [LayerNorm(glyph) ⊕ char-ID] projected to 100 dims, the baseline's BiLSTM
// input width, so prediction runs at the baseline's speed (the whole embedder is a per-character table lookup); plus
// the auxiliary glyph loss. Lower dev F1 than glyce_bilstm_crf on Resume and Weibo (benchmarks/results.md).
// TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/ner/glyce_bilstm_crf_fast.jsonnet -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
lib.tagger(glyce=true, reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, encoding="BIOUL",
           projection_dim=100, glyph_norm="layer_norm", char_init="normal", dropout=0.3)
