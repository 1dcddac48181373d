// Pretrained inputs of the character models: pretrained character vectors, character-bigram vectors and the
// SoftLexicon word sets (Ma et al., ACL 2020), each a standard token indexer + token embedder of the text field, next
// to the glyph-only `glyce` embedder of a Glyce config. Used by tagger.libsonnet, classification/classifier.libsonnet
// and pair/bimpm.libsonnet (their char_vectors, bigram_vectors, lexicon_file, word_vectors parameters); the files come
// from environment variables (std.extVar), read by the configs with `path` and `dim` below.
//
// Environment:
//   CHAR_VECTORS    character vectors (word2vec text format, plain or .gz), e.g. `glyce-allennlp embeddings`'s
//                   chars.vec.gz or the Tencent character vectors
//   BIGRAM_VECTORS  character-bigram vectors (the `char_bigrams` indexer's bigrams: c_i c_{i+1}, the last character
//                   with </s>), e.g. `glyce-allennlp embeddings`'s bigrams.vec.gz
//   LEXICON_FILE    the SoftLexicon lexicon (`glyce-allennlp lexicon`: word<TAB>count a line, counts on training
//                   text); read again when a trained model is loaded, keep it where it is
//   WORD_VECTORS    word vectors of the lexicon's words (e.g. `glyce-allennlp embeddings`'s words.vec.gz)
//   CHAR_DIM, BIGRAM_DIM, WORD_DIM  the vector sizes: `--include-package glyce_allennlp` reads them from the files'
//                   first lines when unset
// `--include-package glyce_allennlp` makes the unset ones read as ""; a config that needs one stops with an error
// naming it. A trained model keeps its vectors in its weights: `allennlp predict` needs none of these variables
// (the lexicon file must still exist at its path).
//
// API:
//   path(name)        the file named by environment variable `name` (an error naming it when empty)
//   dim(name, file)   the vector size in environment variable `name` (the size of the vectors of variable `file`)
//   inputs(char_vectors, char_dim, bigram_vectors=null, bigram_dim=50, lexicon_file=null, word_vectors=null,
//          word_dim=100)
//                     { indexers, embedders, vocabulary } of the text field: `tokens` (single_id, an `embedding` of
//                     char_dim from char_vectors), with bigram_vectors `bigrams` (char_bigrams, an `embedding` of
//                     bigram_dim from them), with lexicon_file `lexicon` (softlexicon, a `softlexicon` embedder of
//                     word_dim, from word_vectors when not null); the vocabulary holds the training characters and
//                     every character and bigram of the vector files (a test character with a vector keeps it)
{
  path(name)::
    local value = std.extVar(name);
    if value == "" then
      error name + " is empty: set it to the file this config reads (see training_configs/pretrained_inputs.libsonnet)"
    else value,

  dim(name, file)::
    local value = std.extVar(name);
    if value == "" then
      error name + " is empty: the size of the vectors in $" + file + " (run with --include-package glyce_allennlp, " +
            "which reads it from the file, or set " + name + ")"
    else if std.length([c for c in std.stringChars(value) if !std.member("0123456789", c)]) == 0 then
      std.parseInt(value)
    else error name + " must be the vector size (a positive integer), got '" + value + "'",

  inputs(char_vectors, char_dim, bigram_vectors=null, bigram_dim=50, lexicon_file=null, word_vectors=null,
         word_dim=100)::
    local bigrams = bigram_vectors != null;
    local lexicon = lexicon_file != null;
    {
      indexers: { tokens: { type: "single_id" } } +
                (if bigrams then { bigrams: { type: "char_bigrams" } } else {}) +
                (if lexicon then { lexicon: { type: "softlexicon", lexicon_file: lexicon_file } } else {}),
      embedders: { tokens: { type: "embedding", embedding_dim: char_dim, pretrained_file: char_vectors } } +
                 (if bigrams then {
                    bigrams: { type: "embedding", embedding_dim: bigram_dim, vocab_namespace: "char_bigrams",
                               pretrained_file: bigram_vectors },
                  } else {}) +
                 (if lexicon then {
                    lexicon: { type: "softlexicon", lexicon_file: lexicon_file, embedding_dim: word_dim,
                               [if word_vectors != null then "pretrained_file"]: word_vectors },
                  } else {}),
      // -1: every token of the file. The bigram namespace is filled from the file only (the indexer cannot count
      // bigrams); characters: the training characters plus the file's.
      vocabulary: {
        type: "from_instances",
        pretrained_files: { tokens: char_vectors } + (if bigrams then { char_bigrams: bigram_vectors } else {}),
        min_pretrained_embeddings: { tokens: -1 } + (if bigrams then { char_bigrams: -1 } else {}),
      },
    },
}
