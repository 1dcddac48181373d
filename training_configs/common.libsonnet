// What every task lib shares: seeds, data paths, the test set, the Glyce auxiliary-loss wrapper and its λ callback,
// the trainer basics, the default fonts, and the input size of an encoder computed from its token embedders.
//
// Calling convention (every lib under training_configs/):
//   * Each task lib exports one function named like its file: tagger.libsonnet → tagger, classifier.libsonnet →
//     classifier, bimpm.libsonnet → bimpm, parser.libsonnet → parser, srl.libsonnet → srl, glyce_bert.libsonnet →
//     glyce_bert. The functions of this file are used the same way.
//   * Named arguments only. `glyce` comes first and has no default (true: the Glyce model, false: its baseline),
//     then the task's required arguments (reader, encoding, ...), then options, which all have defaults.
//   * A config file is a comment (what it is, how to run it) and one call, e.g.
//       local lib = import "../tagger.libsonnet";
//       lib.tagger(glyce=true, reader={ type: "sighan_cws" }, encoding="BMES")
//
// Environment (jsonnet std.extVar; AllenNLP passes the process environment to jsonnet):
//   TRAIN_DATA_PATH, VALIDATION_DATA_PATH  the data.
//   TEST_DATA_PATH  optional: evaluated once, at the end, with the checkpoint selected on the validation set.
//                   "" = no test set; `--include-package glyce_allennlp` makes an unset TEST_DATA_PATH read as "".
//   CUDA_DEVICE     trainer.cuda_device: a GPU index (0, 1, ...) or -1 for the CPU. Unset (or ""), glyce_allennlp
//                   sets it when AllenNLP loads it: 0 when torch sees a GPU, else -1.
//   BERT_DIM        (Glyce-BERT configs only) the BERT's hidden size; by default read from $BERT_MODEL/config.json.
//
// API:
//   fonts                        the default font list of the glyph embedders
//   cuda_device, bert_dim        CUDA_DEVICE and BERT_DIM as numbers (a clear error when unusable)
//   embedder_dim(embedder)       output size of one token embedder config (empty, embedding, glyce, glyce_word,
//                                pretrained_transformer*, softlexicon), with the embedders' own defaults for absent
//                                fields
//   embedders_dim(token_embedders)  output size of a text_field_embedder's token_embedders object (the sum)
//   glyph_encoder_frozen(glyph_encoder)  whether a `glyph_encoder` option ({ pretrained: "default" | PATH,
//                                freeze: true | false }, or null) freezes the glyph CNN
//   glyph_optimizer(optimizer, glyce, glyph_encoder, glyph_lr)  `optimizer` with the Tianzige-CNN's parameters
//                                (every glyce / glyce_word embedder's `glyph.cnn.*`) at learning rate glyph_lr, the
//                                others at the optimizer's; glyph_lr null: `optimizer` unchanged
//   experiment(glyce, seed, reader, model, ...)  the whole training config around `model`, see below
local cuda_var = std.extVar("CUDA_DEVICE");
local bert_var = std.extVar("BERT_DIM");

local is_integer(s) =
  local digits = if std.startsWith(s, "-") then std.substr(s, 1, std.length(s) - 1) else s;
  std.length(digits) > 0 && std.length([c for c in std.stringChars(digits) if !std.member("0123456789", c)]) == 0;

// field `key` of `object`, or `default` when it is absent or null
local field(object, key, default) = if std.objectHas(object, key) && object[key] != null then object[key] else default;

{
  fonts:: ["song", "traditional", "fangsong", "kai", "cursive"],

  cuda_device::
    if is_integer(cuda_var) && std.parseInt(cuda_var) >= -1 then std.parseInt(cuda_var)
    else error "CUDA_DEVICE must be a GPU index (0, 1, ...) or -1 for the CPU, got '" + cuda_var + "' (unset, " +
               "`--include-package glyce_allennlp` sets it: 0 when torch sees a GPU, else -1)",

  bert_dim::
    if bert_var == "" then
      error "BERT_DIM is empty: point BERT_MODEL at a local BERT folder with a config.json (and run with " +
            "--include-package glyce_allennlp), or set BERT_DIM to the BERT's hidden size (768 for BERT-base)"
    else if is_integer(bert_var) && std.parseInt(bert_var) > 0 then std.parseInt(bert_var)
    else error "BERT_DIM must be the BERT's hidden size (a positive integer), got '" + bert_var + "'",

  // The rules of the embedders' get_output_dim(): glyce → projection_dim if > 0, else glyph_dim + char_id_dim;
  // glyce_word → pooled + word_id_dim, pooled = glyph_dim + char_id_dim for max/mean pooling, pooling_dim (if set)
  // for cnn/lstm pooling (glyce_allennlp/modules/).
  embedder_dim(embedder)::
    local type = embedder.type;
    local glyph_out = field(embedder, "glyph_dim", 1024) + field(embedder, "char_id_dim", 0);
    if type == "empty" then 0
    else if type == "embedding" then field(embedder, "projection_dim", embedder.embedding_dim)
    else if type == "glyce" then
      (if field(embedder, "projection_dim", 0) > 0 then embedder.projection_dim else glyph_out)
    else if type == "glyce_word" then
      local pooled = if std.member(["max", "mean"], field(embedder, "pooling", "max")) then glyph_out
                     else (if field(embedder, "pooling_dim", 0) > 0 then embedder.pooling_dim else glyph_out);
      pooled + std.max(0, field(embedder, "word_id_dim", 0))
    else if std.startsWith(type, "pretrained_transformer") then $.bert_dim
    else if type == "softlexicon" then 4 * embedder.embedding_dim  // v(B) ⊕ v(M) ⊕ v(E) ⊕ v(S)
    else error "common.libsonnet's embedder_dim does not know the output size of token embedder '" + type + "'",

  glyph_encoder_frozen(glyph_encoder):: glyph_encoder != null && glyph_encoder.freeze,

  glyph_optimizer(optimizer, glyce, glyph_encoder, glyph_lr)::
    if glyph_lr == null then optimizer
    else if !glyce then error "glyph_lr is the glyph CNN's learning rate: a baseline (glyce=false) has no glyph CNN"
    else if $.glyph_encoder_frozen(glyph_encoder) then
      error "glyph_lr is the glyph CNN's learning rate: a frozen glyph encoder (freeze: true) does not train"
    else if std.objectHas(optimizer, "parameter_groups") then
      error "glyph_optimizer: the optimizer already has parameter_groups"
    else optimizer { parameter_groups: [[["glyph\\.cnn\\."], { lr: glyph_lr }]] },

  embedders_dim(token_embedders)::
    std.foldl(function(total, name) total + $.embedder_dim(token_embedders[name]), std.objectFields(token_embedders),
              0),

  // The training config of `model` (a model config object). With glyce, the model is wrapped in `glyce_aux_loss`
  // (λ(t) = lambda0·lambda1^t, aux_loss_reduction: "sum" for models whose loss sums over sentences, "mean" for batch
  // means) and the trainer gets the `glyce_aux_lambda` callback (λ decays from lambda_start_epoch on), before
  // `callbacks`. The vocabulary comes from the training data only; `vocabulary` (null: AllenNLP's default) sets its
  // options. optimizer: an optimizer config object; patience: null = no early stop. aux_loss=false leaves out the
  // wrapper and the callback even with glyce: a frozen pretrained glyph encoder leaves the glyph loss nothing to train.
  experiment(glyce, seed, reader, model, lambda0, lambda1, aux_loss_reduction, data_loader, validation_data_loader,
             optimizer, epochs, patience, validation_metric, grad_norm=5.0, lambda_start_epoch=0, callbacks=[],
             vocabulary=null, aux_loss=true)::
    local test_path = std.extVar("TEST_DATA_PATH");
    local aux_lambda = { type: "glyce_aux_lambda" } +
                       (if lambda_start_epoch > 0 then { start_epoch: lambda_start_epoch } else {});
    {
      random_seed: seed,
      numpy_seed: seed,
      pytorch_seed: seed,
      dataset_reader: reader,
      train_data_path: std.extVar("TRAIN_DATA_PATH"),
      validation_data_path: std.extVar("VALIDATION_DATA_PATH"),
      datasets_for_vocab_creation: ["train"],
      [if vocabulary != null then "vocabulary"]: vocabulary,
      model: if glyce && aux_loss then { type: "glyce_aux_loss", lambda0: lambda0, lambda1: lambda1,
                             aux_loss_reduction: aux_loss_reduction, model: model } else model,
      data_loader: data_loader,
      validation_data_loader: validation_data_loader,
      trainer: {
        optimizer: optimizer,
        num_epochs: epochs,
        patience: patience,
        validation_metric: validation_metric,
        grad_norm: grad_norm,
        cuda_device: $.cuda_device,
        callbacks: (if glyce && aux_loss then [aux_lambda] else []) + callbacks,
      },
    } + (if test_path != "" then { test_data_path: test_path, evaluate_on_test: true } else {}),
}
