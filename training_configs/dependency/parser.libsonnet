// The biaffine dependency parser (allennlp-models `biaffine_parser`, Dozat & Manning 2017) with word-ID + POS
// embeddings, optionally ⊕ Glyce word embeddings (`glyce_word`: the glyphs of the word's characters, pooled). Each
// config in this folder is one call of `parser(...)` (calling convention, environment variables and shared parts:
// ../common.libsonnet); the checkpoint is selected on the validation set by LAS.
// UAS/LAS leave out the words whose *gold* POS is punctuation (biaffine_parser's POS_TO_IGNORE:
// `` '' : , . PU PUNCT SYM), see docs/syntax.md.
local common = import "../common.libsonnet";

{
  // format: "conllu" | "conllx"; pos: "upos" | "xpos" (CoNLL-X: CPOSTAG | POSTAG).
  // pooling: "max" | "mean" | "cnn" | "lstm"; pooling_dim: output size of cnn/lstm pooling (null: the glyph size).
  // glyph_encoder: null (the glyph CNN learns from scratch) or { pretrained: "default" | PATH, freeze: true | false }
  // (the glyce_word embedder's option); frozen, the model has no auxiliary glyph loss (common.libsonnet's experiment).
  // glyph_lr: null (the glyph CNN trains at lr) or the glyph CNN's own learning rate (common.libsonnet's
  // glyph_optimizer).
  parser(glyce, format="conllu", pos="upos", fonts=common.fonts, glyph_dim=256, image_size=12,
         pooling="max", pooling_dim=null, lambda0=0.1, lambda1=0.8,
         word_dim=100, pos_dim=50, hidden=200, layers=2, arc_dim=300, tag_dim=100, dropout=0.3,
         word_min_count=2, epochs=30, patience=5, batch_size=32, lr=0.002, seed=13, glyph_encoder=null,
         glyph_lr=null)::
    local embedders = {
      tokens: { type: "embedding", embedding_dim: word_dim },
    } + (if glyce then {
      glyce: { type: "glyce_word", fonts: fonts, image_size: image_size, glyph_dim: glyph_dim, groups: 16,
               cnn_dropout: 0.2, pooling: pooling, pooling_dim: pooling_dim, word_id_dim: 0,
               [if glyph_encoder != null then "glyph_encoder"]: glyph_encoder },
    } else {});
    local parser = {
      type: "biaffine_parser",
      text_field_embedder: { token_embedders: embedders },
      pos_tag_embedding: { embedding_dim: pos_dim, vocab_namespace: "pos", sparse: false },
      encoder: { type: "lstm", input_size: common.embedders_dim(embedders) + pos_dim, hidden_size: hidden,
                 num_layers: layers, dropout: dropout, bidirectional: true },
      use_mst_decoding_for_validation: true,
      arc_representation_dim: arc_dim,
      tag_representation_dim: tag_dim,
      dropout: dropout,
      input_dropout: dropout,
    };
    local reader = {
      type: "conll_dependencies",
      format: format,
      pos: pos,
      // the word-ID embedding keeps its own indexer; the Glyce indexer adds the characters' code points
      token_indexers: { tokens: { type: "single_id" } } +
                      (if glyce then { glyce: { type: "glyce_word_characters", word_namespace: null } } else {}),
    };
    common.experiment(
      glyce=glyce, seed=seed, reader=reader, model=parser,
      // words seen once in training are left out of the word-ID vocabulary, so the OOV vector gets trained.
      // The vocabulary comes from the training data only, so `head_tags` gets an OOV entry (it is padded: only
      // *labels namespaces are not): a relation seen only in dev/test (UD GSD v1.4 dev: 4 × `remnant`) reads as OOV
      // and counts as a wrong label, instead of crashing the reader.
      vocabulary={ min_count: { tokens: word_min_count }, non_padded_namespaces: ["*labels"] },
      // biaffine_parser's loss is a per-word mean: average the glyph loss over the batch's characters too
      lambda0=lambda0, lambda1=lambda1, aux_loss_reduction="mean", aux_loss=!common.glyph_encoder_frozen(glyph_encoder),
      // batches of similar lengths: much less padding (and torch.nn.Bilinear, the label scorer, is slow on CPU)
      data_loader={ batch_sampler: { type: "bucket", batch_size: batch_size, sorting_keys: ["words"] } },
      // bucketed too: MST decoding scores every label for every (head, child) pair, O(batch · length²) Bilinear calls
      validation_data_loader={ batch_sampler: { type: "bucket", batch_size: 32, sorting_keys: ["words"] } },
      optimizer=common.glyph_optimizer({ type: "adam", lr: lr, betas: [0.9, 0.9] }, glyce, glyph_encoder, glyph_lr),
      epochs=epochs, patience=patience,
      validation_metric="+LAS",
    ),
}
