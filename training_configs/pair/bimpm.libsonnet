// Shared definition of the sentence-pair matcher: allennlp-models' BiMPM (registered here as `bimpm_f1`: the same
// model + precision/recall/F1 of the positive label) over character-ID embeddings, optionally ⊕ Glyce glyph vectors
// (+ the auxiliary glyph loss). Layout of allennlp-models' Quora BiMPM config, sized for characters.
// Each config in this folder is one call of `bimpm(...)` (calling convention, environment variables and shared parts:
// ../common.libsonnet).
//
// The char-ID part is a `single_id` indexer + `embedding` in both variants, so the glyce variant = the baseline + a
// `glyce_characters` indexer and a `glyce` embedder (char_id_dim 0): only the glyph vector and its loss differ.
//
// The glyph vector is layer-normalised and scaled by 0.02 (norm ≈ 0.3, that of the xavier-initialised char-ID
// embedding beside it). Unscaled, the glyph part (ReLU output, norm ~4× the char-ID part's) dominates the input and
// the BiLSTM/BiMPM barely learn in the first epochs (measurements: benchmarks/results.md). glyph_norm="none",
// glyph_scale=1 restores the unscaled vector.
local common = import "../common.libsonnet";
local inputs = import "../pretrained_inputs.libsonnet";

// output size of allennlp's BiMpmMatching with all four strategies (full matching optional)
local matching_dim(perspectives, full) =
  2 + (if full then perspectives + 1 else 0) + 2 * perspectives + (perspectives + 1) + (perspectives + 1);

{
  // reader: the dataset_reader object without token_indexers; positive_label: null for accuracy only (XNLI).
  // glyph_encoder: null (the glyph CNN learns from scratch) or { pretrained: "default" | PATH, freeze: true | false }
  // (the glyce embedder's option); frozen, the model has no auxiliary glyph loss (common.libsonnet's experiment).
  // glyph_lr: null (the glyph CNN trains at lr) or the glyph CNN's own learning rate (common.libsonnet's
  // glyph_optimizer).
  // char_vectors: null (the char-ID embedding starts at random) or pretrained character vectors (a path; char_dim =
  // their size): the `embedding` starts from them, the same in both models (../pretrained_inputs.libsonnet).
  bimpm(glyce, reader={ type: "chinese_sentence_pair", format: "lcqmc" }, num_labels=2, positive_label="1",
        max_chars=64, fonts=common.fonts, glyph_dim=256, image_size=12, char_dim=100, hidden=100, perspectives=10,
        dropout=0.1, lambda0=0.1, lambda1=0.8, epochs=10, patience=3, batch_size=64, lr=0.001, seed=13,
        glyph_norm="layer_norm", glyph_scale=0.02, glyph_encoder=null, glyph_lr=null, char_vectors=null)::
    local ids = { tokens: { type: "single_id" } };
    local indexers = if glyce then ids { glyce: { type: "glyce_characters" } } else ids;
    local pretrained = if char_vectors != null then inputs.inputs(char_vectors, char_dim) else null;
    local chars = if pretrained != null then pretrained.embedders.tokens
                  else { type: "embedding", embedding_dim: char_dim };
    local embedders = { tokens: chars } + (if glyce then {
      glyce: { type: "glyce", fonts: fonts, image_size: image_size, glyph_dim: glyph_dim, groups: 16,
               cnn_dropout: 0.2, char_id_dim: 0, glyph_norm: glyph_norm, glyph_scale: glyph_scale,
               [if glyph_encoder != null then "glyph_encoder"]: glyph_encoder },
    } else {});
    local input_dim = common.embedders_dim(embedders);
    local matcher(dim, forward, full=true) = {
      hidden_dim: dim, num_perspectives: perspectives, is_forward: forward, with_full_match: full,
    };
    local aggregator_input = matching_dim(perspectives, false) + 4 * matching_dim(perspectives, true);
    local bimpm = {
      type: "bimpm_f1",
      positive_label: positive_label,
      dropout: dropout,
      text_field_embedder: { token_embedders: embedders },
      matcher_word: matcher(input_dim, true, false),
      encoder1: { type: "lstm", bidirectional: true, input_size: input_dim, hidden_size: hidden, num_layers: 1 },
      matcher_forward1: matcher(hidden, true),
      matcher_backward1: matcher(hidden, false),
      encoder2: { type: "lstm", bidirectional: true, input_size: 2 * hidden, hidden_size: hidden, num_layers: 1 },
      matcher_forward2: matcher(hidden, true),
      matcher_backward2: matcher(hidden, false),
      aggregator: { type: "lstm", bidirectional: true, input_size: aggregator_input, hidden_size: hidden,
                    num_layers: 2, dropout: dropout },
      classifier_feedforward: { input_dim: 4 * hidden, num_layers: 2, hidden_dims: [2 * hidden, num_labels],
                                activations: ["relu", "linear"], dropout: [dropout, 0.0] },
      // as allennlp-models' Quora config, restricted to BiMPM's own layers (the glyph CNN keeps its init)
      initializer: { regexes: [
        ["classifier_feedforward.*weight", { type: "xavier_normal" }],
        ["classifier_feedforward.*bias", { type: "constant", val: 0 }],
        ["(encoder|aggregator).*weight_ih.*", { type: "xavier_normal" }],
        ["(encoder|aggregator).*weight_hh.*", { type: "orthogonal" }],
        ["(encoder|aggregator).*bias.*", { type: "constant", val: 0 }],
      ] },
    };
    common.experiment(
      glyce=glyce, seed=seed, reader=reader { token_indexers: indexers, max_chars: max_chars }, model=bimpm,
      // bimpm's loss is a batch mean: average the glyph loss over the batch's characters (both sentences) too
      lambda0=lambda0, lambda1=lambda1, aux_loss_reduction="mean", aux_loss=!common.glyph_encoder_frozen(glyph_encoder),
      data_loader={ batch_sampler: { type: "bucket", batch_size: batch_size, padding_noise: 0.1 } },
      validation_data_loader={ batch_sampler: { type: "bucket", batch_size: 128, padding_noise: 0.0 } },
      optimizer=common.glyph_optimizer({ type: "adam", lr: lr }, glyce, glyph_encoder, glyph_lr), epochs=epochs,
      patience=patience, validation_metric="+accuracy",
      vocabulary=if pretrained != null then pretrained.vocabulary else null,
    ),
}
