// Shared definition of the sentence classifiers (AllenNLP `basic_classifier`) with char-ID embeddings, optionally
// ⊕ Glyce glyph vectors (+ the auxiliary glyph loss). Each config in this folder is one call of `classifier(...)`
// (calling convention, environment variables and shared parts: ../common.libsonnet).
//
// The char-ID part is a `single_id` indexer + `embedding` in both variants (basic_classifier needs a "tokens"
// index for its output), so the glyce variant = the baseline + a `glyce_characters` indexer and a `glyce`
// embedder (char_id_dim 0): the only difference is the glyph vector and its auxiliary loss.
//
// The glyph vector is layer-normalised and scaled by 0.02 (norm ≈ 0.3, that of the xavier-initialised char-ID
// embedding beside it). Unscaled, the glyph part (ReLU output, norm ~4× the char-ID part's) dominates the input and
// the BiLSTM/BiMPM barely learn in the first epochs (measurements: benchmarks/results.md). glyph_norm="none",
// glyph_scale=1 restores the unscaled vector.
//
// Fast layout (projection_dim > 0, the `_fast` configs): the glyce embedder holds the char-ID embedding itself
// (char_id_dim = char_dim, xavier-initialised like the baseline's `embedding`) and projects [glyph ⊕ char-ID] to
// projection_dim (char_dim: the baseline's BiLSTM input width); the "tokens" indexer stays (basic_classifier reads
// its ids for the output) with an `empty` embedder. The encoder then costs what the baseline's costs, and in
// prediction the whole embedder is one table lookup per character.
local common = import "../common.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";

{
  // encoder: "lstm" (1-layer BiLSTM, final states) or "cnn" (max-pooled convolutions over characters).
  // max_chars: texts are cut to their first max_chars characters (ChnSentiCorp: median 213, max 5,860).
  // glyph_encoder: null (the glyph CNN learns from scratch) or { pretrained: "default" | PATH, freeze: true | false }
  // (the glyce embedder's option); frozen, the model has no auxiliary glyph loss (common.libsonnet's experiment).
  // glyph_lr: null (the glyph CNN trains at lr) or the glyph CNN's own learning rate (common.libsonnet's
  // glyph_optimizer).
  // char_vectors: null (the char-ID embedding starts at random) or pretrained character vectors (a path; char_dim =
  // their size): the `embedding` starts from them, the same in both models (../pretrained_inputs.libsonnet).
  // projection_dim: 0 (the paper's layout: the encoder reads char-ID ⊕ glyph) or the fast layout's width (see above;
  // Glyce with char-ID inputs only).
  classifier(glyce, encoder, reader={ type: "chinese_text_classification", format: "chnsenticorp" },
             max_chars=256, fonts=common.fonts, glyph_dim=256, image_size=12, char_dim=100, hidden=128,
             num_filters=100, ngrams=[2, 3, 4, 5], dropout=0.5, lambda0=0.1, lambda1=0.8, epochs=10, patience=3,
             batch_size=32, lr=0.001, seed=13, glyph_norm="layer_norm", glyph_scale=0.02, glyph_encoder=null,
             glyph_lr=null, char_vectors=null, projection_dim=0)::
    // AllenNLP's cnn encoder needs at least max(ngrams) positions per batch (a conv1d longer than the input fails,
    // e.g. predicting a one-character line alone): pad; windows over padding are masked (a feature → 0)
    local min_len = if encoder == "cnn" then std.foldl(std.max, ngrams, 1) else 0;
    local ids = { tokens: { type: "single_id", token_min_padding_length: min_len } };
    local indexers = if glyce then ids { glyce: { type: "glyce_characters", token_min_padding_length: min_len } }
                     else ids;
    local fast = projection_dim > 0;
    local pretrained = if fast && (!glyce || char_vectors != null) then
      error "classifier: projection_dim (the fast layout) is for Glyce (glyce=true) on char-ID inputs (no char_vectors)"
    else if char_vectors != null then inputs.inputs(char_vectors, char_dim) else null;
    local chars = if fast then { type: "empty" }
                  else if pretrained != null then pretrained.embedders.tokens
                  else { type: "embedding", embedding_dim: char_dim };
    local embedders = { tokens: chars } + (if glyce then {
      glyce: { type: "glyce", fonts: fonts, image_size: image_size, glyph_dim: glyph_dim, groups: 16,
               cnn_dropout: 0.2, char_id_dim: if fast then char_dim else 0, glyph_norm: glyph_norm,
               glyph_scale: glyph_scale, [if glyph_encoder != null then "glyph_encoder"]: glyph_encoder,
               [if fast then "char_id_init"]: "xavier", [if fast then "projection_dim"]: projection_dim },
    } else {});
    local input_dim = common.embedders_dim(embedders);
    local seq2vec = if encoder == "lstm" then
      { type: "lstm", input_size: input_dim, hidden_size: hidden, num_layers: 1, bidirectional: true }
    else if encoder == "cnn" then
      { type: "cnn", embedding_dim: input_dim, num_filters: num_filters, ngram_filter_sizes: ngrams }
    else error "encoder must be lstm or cnn";
    local classifier = {
      type: "basic_classifier",
      text_field_embedder: { token_embedders: embedders },
      seq2vec_encoder: seq2vec,
      dropout: dropout,
    };
    common.experiment(
      glyce=glyce, seed=seed, reader=reader { token_indexers: indexers, max_chars: max_chars }, model=classifier,
      // basic_classifier's loss is a batch mean: average the glyph loss over the batch's characters too
      lambda0=lambda0, lambda1=lambda1, aux_loss_reduction="mean", aux_loss=!common.glyph_encoder_frozen(glyph_encoder),
      data_loader={ batch_sampler: { type: "bucket", batch_size: batch_size, padding_noise: 0.1 } },
      validation_data_loader={ batch_sampler: { type: "bucket", batch_size: 128, padding_noise: 0.0 } },
      optimizer=common.glyph_optimizer({ type: "adam", lr: lr }, glyce, glyph_encoder, glyph_lr), epochs=epochs,
      patience=patience, validation_metric="+accuracy",
      vocabulary=if pretrained != null then pretrained.vocabulary else null,
    ),
}
