// The dependency-based SRL model with k-order argument pruning (He et al. 2018, "Syntax for Semantic Role Labeling,
// To Be, Or Not To Be"): `conll2009_srl` reader (one instance per predicate; candidates = k-order pruning of the
// predicate, k = pruning_k, 0 = no pruning) → `k_order_srl` model: [word embedding ⊕ (Glyce word embedding) ⊕ POS
// embedding ⊕ predicate-indicator embedding] → BiLSTM → MLP role scorer over (candidate, predicate) with a "no role"
// label "_", plus a predicate-sense classifier. Each config in this folder is one call of `srl(...)` (calling
// convention, environment variables and shared parts: ../common.libsonnet); the checkpoint is selected on the
// validation set by sem_f1, the CoNLL-2009 official semantic labelled F1 (arguments + predicate senses).
// See docs/srl.md.
local common = import "../common.libsonnet";

{
  // columns: "predicted" (PLEMMA/PPOS/PHEAD/PDEPREL: the CoNLL-2009 closed setting, the default) | "gold"
  // (LEMMA/POS/HEAD/DEPREL: gold syntax, an upper bound).
  // pruning_k: choose it with `glyce-allennlp srl-pruning TRAIN_FILE --k 1 2 3 4 5` (coverage vs pairs removed).
  // scorer: "mlp" | "biaffine". word_dim / pos_dim / indicator_dim: 0 leaves that input out (word_dim 0 needs glyce).
  srl(glyce, columns="predicted", pruning_k=3, fonts=common.fonts, glyph_dim=256, image_size=12, pooling="max",
      lambda0=0.1, lambda1=0.8,
      word_dim=100, pos_dim=32, indicator_dim=16, hidden=256, layers=3, mlp_dim=300, scorer="mlp",
      predict_senses=true, dropout=0.3, word_min_count=2, epochs=30, patience=5, batch_size=32, lr=0.001, seed=13)::
    local embedders =
      (if word_dim > 0 then { tokens: { type: "embedding", embedding_dim: word_dim } } else {}) +
      (if glyce then {
         glyce: { type: "glyce_word", fonts: fonts, image_size: image_size, glyph_dim: glyph_dim, groups: 16,
                  cnn_dropout: 0.2, pooling: pooling, word_id_dim: 0 },
       } else {});
    local srl_model = {
      type: "k_order_srl",
      text_field_embedder: { token_embedders: embedders },
      encoder: { type: "lstm", input_size: common.embedders_dim(embedders) + pos_dim + indicator_dim,
                 hidden_size: hidden, num_layers: layers, dropout: dropout, bidirectional: true },
      pos_embedding_dim: pos_dim,
      predicate_indicator_dim: indicator_dim,
      scorer: scorer,
      mlp_hidden_dim: mlp_dim,
      predict_senses: predict_senses,
      dropout: dropout,
    };
    local reader = {
      type: "conll2009_srl",
      columns: columns,
      pruning_k: pruning_k,
      // the word-ID embedding keeps its own indexer; the Glyce indexer adds the characters' code points
      token_indexers: (if word_dim > 0 then { tokens: { type: "single_id" } } else {}) +
                      (if glyce then { glyce: { type: "glyce_word_characters", word_namespace: null } } else {}),
    };
    common.experiment(
      glyce=glyce, seed=seed, reader=reader, model=srl_model,
      // words seen once in training are left out of the word-ID vocabulary, so the OOV vector gets trained. Roles and
      // senses are padded namespaces: a role or sense seen only in dev/test reads as OOV, is never predicted, and
      // counts as an error (the metric compares the gold strings).
      vocabulary={ min_count: { tokens: word_min_count } },
      // the SRL loss is a mean over candidates: average the glyph loss over the batch's characters too
      lambda0=lambda0, lambda1=lambda1, aux_loss_reduction="mean",
      data_loader={ batch_sampler: { type: "bucket", batch_size: batch_size, sorting_keys: ["tokens"] } },
      validation_data_loader={ batch_sampler: { type: "bucket", batch_size: 64, sorting_keys: ["tokens"] } },
      optimizer={ type: "adam", lr: lr }, epochs=epochs, patience=patience,
      validation_metric=if predict_senses then "+sem_f1" else "+arg_f1",
    ),
}
