// Glyce BiLSTM-CRF (NER) on pretrained character and bigram vectors + SoftLexicon (Ma et al., ACL 2020) whose glyph
// CNN starts from the pretrained glyph encoder shipped with glyce-allennlp and is fine-tuned with the task, with the
// auxiliary glyph loss: the inputs and start of softlexicon_bilstm_crf ⊕ glyph-only Glyce vectors.
// CHAR_VECTORS=chars.vec.gz BIGRAM_VECTORS=bigrams.vec.gz LEXICON_FILE=lexicon.tsv WORD_VECTORS=words.vec.gz \
//   TRAIN_DATA_PATH=... VALIDATION_DATA_PATH=... [TEST_DATA_PATH=...] \
//   allennlp train training_configs/ner/glyce_softlexicon_bilstm_crf_pretrained_glyph_finetuned.jsonnet \
//   -s OUT --include-package glyce_allennlp
local lib = import "../tagger.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";
lib.tagger(glyce=true, reader={ type: "char_ner", tag_scheme: "auto", ill_formed: "repair" }, encoding="BIOUL",
           dropout=0.3, char_vectors=inputs.path("CHAR_VECTORS"), char_dim=inputs.dim("CHAR_DIM", "CHAR_VECTORS"),
           bigram_vectors=inputs.path("BIGRAM_VECTORS"), bigram_dim=inputs.dim("BIGRAM_DIM", "BIGRAM_VECTORS"),
           lexicon_file=inputs.path("LEXICON_FILE"), word_vectors=inputs.path("WORD_VECTORS"),
           word_dim=inputs.dim("WORD_DIM", "WORD_VECTORS"), glyph_encoder={ pretrained: "default", freeze: false })
