// Glyce-BERT (Meng et al. 2019, §2.4 / Figure 2) and its BERT baselines, for tagging (CRF) and for [CLS]-based
// classification of single sentences and sentence pairs. Each config using it is one call of `glyce_bert(...)`
// (calling convention, environment variables and shared parts: common.libsonnet). Composed from stock AllenNLP parts:
//   BERT layer   = BERT's last-layer vectors (`pretrained_transformer[_mismatched_sliding]` embedder)
//   glyph layer  = Glyce glyph vectors + learned position embeddings (`glyce` embedder, `position_embeddings`),
//                  layer-normalised, with dropout
//   Glyce layers = concatenation [BERT ⊕ glyph] → `pytorch_transformer` (2 layers) → CRF / [CLS] → softmax
//
// Environment: BERT_MODEL (a local BERT folder: config.json, weights, vocab.txt; e.g. bert-base-chinese), BERT_DIM
// (its hidden size; `--include-package glyce_allennlp` reads it from $BERT_MODEL/config.json when unset), and those
// of common.libsonnet. See docs/glyce_bert.md.
local common = import "common.libsonnet";

{
  // task: "tagging" or "classification".
  //   tagging: reader = a tagging reader object without token_indexers (char_ner, sighan_cws, ctb_pos); encoding:
  //     "BIOUL" (NER) or "BMES" (CWS, POS). BERT wordpieces are aligned to the characters by
  //     `pretrained_transformer_mismatched` (each character is a "word"); sentences longer than BERT's positions go
  //     through overlapping windows (`pretrained_transformer_mismatched_sliding`). Baseline: BERT → CRF.
  //   classification: [CLS] classifier of one text (reader: chinese_text_classification) or of a pair
  //     [CLS] s1 [SEP] s2 [SEP] (reader: chinese_sentence_pair), wrapped by `bert_sentence_input` (one token per
  //     character, [CLS]/[SEP] get the zero glyph vector, too long → truncated). Baseline: BERT → [CLS] → softmax.
  // Defaults. Paper: BERT-base, glyph images 12–18 px, 2 transformer layers on top; D = 1024 there (256 here, CPU).
  // max_positions: the glyph position table (positions past it share its last row).
  // stages: BERT-glyce-joint training (glyce_bert_stages): bert_epochs of BERT alone, glyph_epochs of the glyph side,
  //   then joint; λ of the auxiliary glyph loss starts decaying when the glyph side starts training. false: joint.
  // aux_loss_reduction: null = "sum" for tagging (crf_tagger's loss sums over the batch's sentences: sum the glyph loss
  //   over its tokens too), "mean" for classification (basic_classifier's loss is a batch mean).
  glyce_bert(glyce, task, reader, encoding=null, fonts=common.fonts, image_size=12, glyph_dim=256,
             max_positions=512, layers=2, heads=8, feedforward=2048, dropout=0.1, lambda0=0.1, lambda1=0.8,
             aux_loss_reduction=null, stages=true, bert_epochs=2, glyph_epochs=2, epochs=8, batch_size=16,
             bert_lr=2e-5, lr=1e-4, seed=13)::
    local bert_model = std.extVar("BERT_MODEL");
    local tagging = if task == "tagging" then true else if task == "classification" then false
                    else error "task must be tagging or classification, got " + task;
    local bert_type = if tagging then "pretrained_transformer_mismatched" else "pretrained_transformer";
    local indexers = { bert: { type: bert_type, model_name: bert_model } } + (if glyce then {
      glyph: { type: "glyce_characters" } + (if tagging then {} else { special_tokens: ["[CLS]", "[SEP]"] }),
    } else {});
    local embedders = {
      bert: { type: if tagging then "pretrained_transformer_mismatched_sliding" else "pretrained_transformer",
              model_name: bert_model },
    } + (if glyce then {
      glyph: { type: "glyce", fonts: fonts, image_size: image_size, glyph_dim: glyph_dim, groups: 16,
               cnn_dropout: 0.2, char_id_dim: 0, position_embeddings: max_positions, output_layer_norm: true,
               output_dropout: dropout },
    } else {});
    local input_dim = common.embedders_dim(embedders);
    local glyce_layers = {
      type: "pytorch_transformer", input_dim: input_dim, num_layers: layers, num_attention_heads: heads,
      feedforward_hidden_dim: feedforward, dropout_prob: dropout,
    };
    local model = if tagging then {
      type: "crf_tagger",
      label_encoding: if encoding == null then error "tagging needs an encoding (BIOUL or BMES)" else encoding,
      constrain_crf_decoding: true,
      calculate_span_f1: true,
      include_start_end_transitions: false,
      dropout: dropout,
      text_field_embedder: { token_embedders: embedders },
      encoder: if glyce then glyce_layers else { type: "pass_through", input_dim: input_dim },
    } else {
      type: "basic_classifier",
      text_field_embedder: { token_embedders: embedders },
      [if glyce then "seq2seq_encoder"]: glyce_layers,
      seq2vec_encoder: { type: "cls_pooler", embedding_dim: input_dim },
      dropout: dropout,
      namespace: "tags",  // the pretrained_transformer indexer's namespace (wordpieces in the output's `tokens`)
    };
    local dataset_reader = if tagging then reader { token_indexers: indexers } else {
      type: "bert_sentence_input", reader: reader, model_name: bert_model, token_indexers: indexers,
    };
    common.experiment(
      glyce=glyce, seed=seed, reader=dataset_reader, model=model, lambda0=lambda0, lambda1=lambda1,
      aux_loss_reduction=if aux_loss_reduction != null then aux_loss_reduction else if tagging then "sum" else "mean",
      data_loader={ batch_sampler: { type: "bucket", batch_size: batch_size, padding_noise: 0.1 } },
      validation_data_loader={ batch_sampler: { type: "bucket", batch_size: 64, padding_noise: 0.0 } },
      // BERT at bert_lr, everything else (glyph CNN, Glyce layers, head) at lr; torch AdamW
      optimizer={ type: "adamw", lr: lr, weight_decay: 0.01,
                  parameter_groups: [[["transformer_model\\."], { lr: bert_lr }]] },
      epochs=epochs,
      patience=null,  // no early stop: it could end training inside a stage; the best epoch is still kept
      validation_metric=if tagging then "+f1-measure-overall" else "+accuracy",
      grad_norm=1.0,
      lambda_start_epoch=if stages then bert_epochs else 0,
      callbacks=if glyce && stages then [{ type: "glyce_bert_stages", bert_epochs: bert_epochs,
                                           glyph_epochs: glyph_epochs }] else [],
    ),
}
