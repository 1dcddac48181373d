// Glyce-BERT (Meng et al. 2019, §2.4 / Figure 2) and its BERT baselines, for tagging (CRF) and for [CLS]-based
// classification of single sentences and sentence pairs. Composed from stock AllenNLP parts:
//   BERT layer   = BERT's last-layer vectors (`pretrained_transformer[_mismatched_sliding]` embedder)
//   glyph layer  = Glyce glyph vectors + learned position embeddings (`glyce` embedder, `position_embeddings`)
//   Glyce layers = concatenation [BERT ⊕ glyph] → `pytorch_transformer` (2 layers) → CRF / [CLS] → softmax
//
// Environment: BERT_MODEL (a local BERT folder: config.json, weights, vocab.txt; e.g. bert-base-chinese), BERT_DIM
// (its hidden size; `--include-package glyce_allennlp` reads it from $BERT_MODEL/config.json when unset),
// TRAIN_DATA_PATH, VALIDATION_DATA_PATH, optional TEST_DATA_PATH (evaluated once, at the end, with the checkpoint
// selected on the validation set). See docs/glyce_bert.md.
local test_path = std.extVar("TEST_DATA_PATH");
local bert_model = std.extVar("BERT_MODEL");
local bert_dim_var = std.extVar("BERT_DIM");
local bert_dim = if bert_dim_var == "" then
  error "BERT_DIM is empty: point BERT_MODEL at a local BERT folder with a config.json (and run with " +
        "--include-package glyce_allennlp), or set BERT_DIM to the BERT's hidden size (768 for BERT-base)"
else std.parseInt(bert_dim_var);

local glyph_embedder(p) = {
  type: "glyce", fonts: p.fonts, image_size: p.image_size, glyph_dim: p.glyph_dim, groups: 16, cnn_dropout: 0.2,
  char_id_dim: 0, position_embeddings: p.max_positions,
};

local glyce_layers(p, input_dim) = {
  type: "pytorch_transformer", input_dim: input_dim, num_layers: p.layers, num_attention_heads: p.heads,
  feedforward_hidden_dim: p.feedforward, dropout_prob: p.dropout,
};

local training(p, reader, model, metric, glyce) = {
  random_seed: p.seed,
  numpy_seed: p.seed,
  pytorch_seed: p.seed,
  dataset_reader: reader,
  train_data_path: std.extVar("TRAIN_DATA_PATH"),
  validation_data_path: std.extVar("VALIDATION_DATA_PATH"),
  datasets_for_vocab_creation: ["train"],
  model: if glyce then { type: "glyce_aux_loss", lambda0: p.lambda0, lambda1: p.lambda1,
                         aux_loss_reduction: p.aux_loss_reduction, model: model } else model,
  data_loader: { batch_sampler: { type: "bucket", batch_size: p.batch_size, padding_noise: 0.1 } },
  validation_data_loader: { batch_sampler: { type: "bucket", batch_size: 64, padding_noise: 0.0 } },
  trainer: {
    // BERT at bert_lr, everything else (glyph CNN, Glyce layers, head) at lr; torch AdamW (COMPAT F3)
    optimizer: { type: "adamw", lr: p.lr, weight_decay: 0.01,
                 parameter_groups: [[["transformer_model\\."], { lr: p.bert_lr }]] },
    num_epochs: p.epochs,
    patience: null,  // no early stop: it could end training inside a stage; the best epoch is still kept
    validation_metric: metric,
    grad_norm: 1.0,
    cuda_device: -1,
    callbacks: (if glyce then [{ type: "glyce_aux_lambda" }] else []) +
               (if glyce && p.stages then [{ type: "glyce_bert_stages", bert_epochs: p.bert_epochs,
                                              glyph_epochs: p.glyph_epochs }] else []),
  },
} + (if test_path != "" then { test_data_path: test_path, evaluate_on_test: true } else {});

{
  // Defaults. Paper: BERT-base, glyph images 12–18 px, 2 transformer layers on top; D = 1024 there (256 here, CPU).
  defaults:: {
    fonts: ["song", "traditional", "fangsong", "kai", "cursive"], image_size: 12, glyph_dim: 256,
    max_positions: 512,  // glyph position table (positions past it share its last row)
    layers: 2, heads: 8, feedforward: 2048, dropout: 0.1,
    lambda0: 0.1, lambda1: 0.8,
    stages: true, bert_epochs: 2, glyph_epochs: 2,  // BERT-glyce-joint: 2 epochs BERT, 2 glyph, then joint
    epochs: 8, batch_size: 16, bert_lr: 2e-5, lr: 1e-4, seed: 13,
  },

  // Character tagger: reader = a tagging reader object without token_indexers (char_ner, sighan_cws, ctb_pos);
  // encoding: "BIOUL" (NER) or "BMES" (CWS, POS). BERT wordpieces are aligned to the characters by
  // `pretrained_transformer_mismatched` (each character is a "word"); sentences longer than BERT's positions go
  // through overlapping windows (`pretrained_transformer_mismatched_sliding`). Baseline: BERT → CRF.
  tagger(reader, encoding, glyce, options={})::
    local p = self.defaults + { aux_loss_reduction: "sum" } + options;
    local indexers = { bert: { type: "pretrained_transformer_mismatched", model_name: bert_model } } +
                     (if glyce then { glyph: { type: "glyce_characters" } } else {});
    local embedders = { bert: { type: "pretrained_transformer_mismatched_sliding", model_name: bert_model } } +
                      (if glyce then { glyph: glyph_embedder(p) } else {});
    local crf = {
      type: "crf_tagger",
      label_encoding: encoding,
      constrain_crf_decoding: true,
      calculate_span_f1: true,
      include_start_end_transitions: false,
      dropout: p.dropout,
      text_field_embedder: { token_embedders: embedders },
      encoder: if glyce then glyce_layers(p, bert_dim + p.glyph_dim) else { type: "pass_through", input_dim: bert_dim },
    };
    // crf_tagger's loss is summed over the batch's sentences: sum the glyph loss over its tokens too
    training(p, reader { token_indexers: indexers }, crf, "+f1-measure-overall", glyce),

  // [CLS] classifier of one text (reader: chinese_text_classification) or of a pair [CLS] s1 [SEP] s2 [SEP]
  // (reader: chinese_sentence_pair), wrapped by `bert_sentence_input` (one token per character, [CLS]/[SEP] get the
  // zero glyph vector, too long → truncated). Baseline: BERT → [CLS] → softmax.
  classifier(reader, glyce, options={})::
    local p = self.defaults + { aux_loss_reduction: "mean" } + options;
    local indexers = { bert: { type: "pretrained_transformer", model_name: bert_model } } +
                     (if glyce then { glyph: { type: "glyce_characters", special_tokens: ["[CLS]", "[SEP]"] } }
                      else {});
    local embedders = { bert: { type: "pretrained_transformer", model_name: bert_model } } +
                      (if glyce then { glyph: glyph_embedder(p) } else {});
    local input_dim = bert_dim + (if glyce then p.glyph_dim else 0);
    local classifier = {
      type: "basic_classifier",
      text_field_embedder: { token_embedders: embedders },
      [if glyce then "seq2seq_encoder"]: glyce_layers(p, input_dim),
      seq2vec_encoder: { type: "cls_pooler", embedding_dim: input_dim },
      dropout: p.dropout,
      namespace: "tags",  // the pretrained_transformer indexer's namespace (wordpieces in the output's `tokens`)
    };
    local wrapped = { type: "bert_sentence_input", reader: reader, model_name: bert_model, token_indexers: indexers };
    // basic_classifier's loss is a batch mean: average the glyph loss over the batch's characters too
    training(p, wrapped, classifier, "+accuracy", glyce),
}
