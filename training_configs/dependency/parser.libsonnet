// Shared definition of the biaffine dependency parser (allennlp-models `biaffine_parser`, Dozat & Manning 2017) with
// word-ID + POS embeddings, optionally ⊕ Glyce word embeddings (`glyce_word`: the glyphs of the word's characters,
// pooled). Data paths come from the environment: TRAIN_DATA_PATH, VALIDATION_DATA_PATH, and optionally
// TEST_DATA_PATH (evaluated once, at the end, with the checkpoint selected on the validation set by LAS).
// UAS/LAS leave out the words whose *gold* POS is punctuation (biaffine_parser's POS_TO_IGNORE:
// `` '' : , . PU PUNCT SYM), see docs/syntax.md.
local test_path = std.extVar("TEST_DATA_PATH");

{
  // format: "conllu" | "conllx"; pos: "upos" | "xpos" (CoNLL-X: CPOSTAG | POSTAG).
  parser(glyce=false, format="conllu", pos="upos",
         fonts=["song", "traditional", "fangsong", "kai", "cursive"], glyph_dim=256, image_size=12,
         pooling="max", pooling_dim=null, lambda0=0.1, lambda1=0.8,
         word_dim=100, pos_dim=50, hidden=200, layers=2, arc_dim=300, tag_dim=100, dropout=0.3,
         word_min_count=2, epochs=30, patience=5, batch_size=32, lr=0.002, seed=13)::
    local glyce_out = if glyce then (if pooling_dim == null then glyph_dim else pooling_dim) else 0;
    local parser = {
      type: "biaffine_parser",
      text_field_embedder: { token_embedders: {
        tokens: { type: "embedding", embedding_dim: word_dim },
      } + (if glyce then {
        glyce: { type: "glyce_word", fonts: fonts, image_size: image_size, glyph_dim: glyph_dim, groups: 16,
                 cnn_dropout: 0.2, pooling: pooling, pooling_dim: pooling_dim, word_id_dim: 0 },
      } else {}) },
      pos_tag_embedding: { embedding_dim: pos_dim, vocab_namespace: "pos", sparse: false },
      encoder: { type: "lstm", input_size: word_dim + glyce_out + pos_dim, hidden_size: hidden, num_layers: layers,
                 dropout: dropout, bidirectional: true },
      use_mst_decoding_for_validation: true,
      arc_representation_dim: arc_dim,
      tag_representation_dim: tag_dim,
      dropout: dropout,
      input_dropout: dropout,
    };
    {
      random_seed: seed,
      numpy_seed: seed,
      pytorch_seed: seed,
      dataset_reader: {
        type: "conll_dependencies",
        format: format,
        pos: pos,
        // the word-ID embedding keeps its own indexer; the Glyce indexer adds the characters' code points
        token_indexers: { tokens: { type: "single_id" } } +
                        (if glyce then { glyce: { type: "glyce_word_characters", word_namespace: null } } else {}),
      },
      train_data_path: std.extVar("TRAIN_DATA_PATH"),
      validation_data_path: std.extVar("VALIDATION_DATA_PATH"),
      datasets_for_vocab_creation: ["train"],
      // words seen once in training are left out of the word-ID vocabulary, so the OOV vector gets trained.
      // The vocabulary comes from the training data only, so `head_tags` gets an OOV entry (it is padded: only
      // *labels namespaces are not): a relation seen only in dev/test (UD GSD v1.4 dev: 4 × `remnant`) reads as OOV
      // and counts as a wrong label, instead of crashing the reader.
      vocabulary: { min_count: { tokens: word_min_count }, non_padded_namespaces: ["*labels"] },
      // biaffine_parser's loss is a per-word mean: average the glyph loss over the batch's characters too
      model: if glyce then { type: "glyce_aux_loss", lambda0: lambda0, lambda1: lambda1, aux_loss_reduction: "mean",
                             model: parser } else parser,
      // batches of similar lengths: much less padding (and torch.nn.Bilinear, the label scorer, is slow on CPU)
      data_loader: { batch_sampler: { type: "bucket", batch_size: batch_size, sorting_keys: ["words"] } },
      // bucketed too: MST decoding scores every label for every (head, child) pair, O(batch · length²) Bilinear calls
      validation_data_loader: { batch_sampler: { type: "bucket", batch_size: 32, sorting_keys: ["words"] } },
      trainer: {
        optimizer: { type: "adam", lr: lr, betas: [0.9, 0.9] },
        num_epochs: epochs,
        patience: patience,
        validation_metric: "+LAS",
        grad_norm: 5.0,
        cuda_device: -1,
        callbacks: if glyce then [{ type: "glyce_aux_lambda" }] else [],
      },
    } + (if test_path != "" then { test_data_path: test_path, evaluate_on_test: true } else {}),
}
