// The BiLSTM-CRF character tagger with char-ID or Glyce embeddings; each config under ner/, cws/, pos/ is one call of
// `tagger(...)` (calling convention, environment variables and shared parts: common.libsonnet). The model is
// `glyce_crf_tagger`: allennlp-models' `crf_tagger` (same parameters) with batched Viterbi decoding (identical paths,
// see glyce_allennlp/models/fast_crf_tagger.py); `"crf_tagger"` works as a drop-in replacement.
local common = import "common.libsonnet";
local inputs = import "pretrained_inputs.libsonnet";

{
  // reader: the dataset_reader object without token_indexers; encoding: "BIOUL" (NER) or "BMES" (CWS, POS).
  // glyph_encoder: null (the glyph CNN learns from scratch) or { pretrained: "default" | PATH, freeze: true | false }
  // (the glyce embedder's option); frozen, the model has no auxiliary glyph loss (common.libsonnet's experiment).
  // glyph_lr: null (the glyph CNN trains at lr, like the rest) or the learning rate of the glyph CNN alone (Glyce,
  // glyph CNN not frozen: from scratch or a fine-tuned glyph_encoder; common.libsonnet's glyph_optimizer).
  // Pretrained inputs (pretrained_inputs.libsonnet; paths or null): char_vectors: the char-ID embedding (char_dim, the
  // vectors' size) is a standard `embedding` starting from these vectors, and a Glyce model gets the glyph-only glyce
  // embedder beside it (char_id_dim 0): both models of a pair share every non-glyph input and its start. With
  // char_vectors, bigram_vectors adds a character-bigram `embedding` (bigram_dim), lexicon_file a `softlexicon`
  // embedder (word_dim, from word_vectors).
  tagger(glyce, reader, encoding, fonts=common.fonts, glyph_dim=256, image_size=12, char_dim=100, hidden=200,
         lambda0=0.1, lambda1=0.8, projection_dim=0, glyph_norm="none", cnn_precision="float32", char_init="xavier",
         dropout=0.5, epochs=30, patience=5, batch_size=32, lr=0.001, seed=13, glyph_encoder=null, glyph_lr=null,
         char_vectors=null, bigram_vectors=null, bigram_dim=50, lexicon_file=null, word_vectors=null, word_dim=100)::
    local pretrained = if char_vectors != null then
      inputs.inputs(char_vectors, char_dim, bigram_vectors, bigram_dim, lexicon_file, word_vectors, word_dim)
    else if bigram_vectors != null || lexicon_file != null then
      error "tagger: bigram_vectors and lexicon_file go with char_vectors"
    else null;
    local glyph = { type: "glyce", fonts: fonts, image_size: image_size, glyph_dim: glyph_dim, groups: 16,
                    cnn_dropout: 0.2, char_id_dim: char_dim, projection_dim: projection_dim, glyph_norm: glyph_norm,
                    cnn_precision: cnn_precision, char_id_init: char_init,
                    [if glyph_encoder != null then "glyph_encoder"]: glyph_encoder };
    local indexers = if pretrained != null then
      pretrained.indexers + (if glyce then { glyce: { type: "glyce_characters" } } else {})
    else if glyce then { glyce: { type: "glyce_characters" } } else { tokens: { type: "single_id" } };
    local embedders = if pretrained != null then
      pretrained.embedders + (if glyce then { glyce: glyph { char_id_dim: 0, char_id_init:: null } } else {})
    else if glyce then { glyce: glyph } else {
      tokens: { type: "embedding", embedding_dim: char_dim },
    };
    // char_init: the char-ID embedding's initialisation, the same for both models: "xavier" (AllenNLP's default) or
    // "normal" (N(0, 1)); chosen per task on dev (the NER configs use "normal"; see benchmarks/results.md).
    // Unused with char_vectors (the vectors are the start).
    local initializer = if !glyce && char_init == "normal" && pretrained == null then {
      initializer: { regexes: [["text_field_embedder.token_embedder_tokens.weight",
                                { type: "normal", mean: 0.0, std: 1.0 }]] },
    } else {};
    // Glyce layouts. Default (the paper's): BiLSTM input = glyph_dim + char_dim. With projection_dim > 0 (the `_fast`
    // configs: glyph_norm="layer_norm", projection_dim=char_dim) [LayerNorm(glyph) ⊕ char-ID] is projected to that
    // size: the BiLSTM costs what the baseline's costs and prediction runs at the baseline's speed, for a lower dev
    // score on Resume and Weibo (benchmarks/results.md, benchmarks/results/tuning.md).
    local crf = {
      type: "glyce_crf_tagger",
      label_encoding: encoding,
      constrain_crf_decoding: true,
      calculate_span_f1: true,
      include_start_end_transitions: false,
      // dropout: the tagger's dropout (embeddings and BiLSTM output), the same for both models of a pair; tuned per
      // task on dev like char_init
      dropout: dropout,
      text_field_embedder: { token_embedders: embedders },
      encoder: { type: "lstm", input_size: common.embedders_dim(embedders), hidden_size: hidden, num_layers: 1,
                 bidirectional: true },
    } + initializer;
    common.experiment(
      glyce=glyce, seed=seed, reader=reader { token_indexers: indexers }, model=crf,
      // crf_tagger's loss is summed over the batch's sentences: sum the glyph loss over its tokens too
      lambda0=lambda0, lambda1=lambda1, aux_loss_reduction="sum", aux_loss=!common.glyph_encoder_frozen(glyph_encoder),
      data_loader={ batch_size: batch_size, shuffle: true },
      validation_data_loader={ batch_size: 128, shuffle: false },
      optimizer=common.glyph_optimizer({ type: "adam", lr: lr }, glyce, glyph_encoder, glyph_lr), epochs=epochs,
      patience=patience, validation_metric="+f1-measure-overall",
      vocabulary=if pretrained != null then pretrained.vocabulary else null,
    ),
}
