from typing import Any, Dict, List, Optional, Tuple

import torch
from allennlp.data import Vocabulary
from allennlp.modules.highway import Highway
from allennlp.modules.token_embedders import TokenEmbedder

from glyce_allennlp.glyph import GlyphEmbedding, GlyphRenderer, VectorTable
from glyce_allennlp.glyph.encoder import FROM_ARCHIVE, load_encoder

DEFAULT_FONTS = ["song", "traditional", "fangsong", "kai", "cursive"]


@TokenEmbedder.register("glyce")
class GlyceTokenEmbedder(TokenEmbedder):
    """Glyce character embedding: glyph vector from the Tianzige-CNN, optionally ⊕ a trainable char-ID embedding,
    optionally merged by a highway layer. Pair it with the ``glyce_characters`` token indexer.

    Parameters
    ----------
    vocab : the model's vocabulary (passed by AllenNLP). Its ``vocab_namespace`` holds the training characters: they
        are rendered up front, are the classes of the auxiliary glyph loss, and get ids in the char-ID embedding.
    vocab_namespace : namespace filled by the ``glyce_characters`` indexer (default ``"glyce_chars"``).
    fonts : one image channel per font: registry names / script names (``"song"``, ``"traditional"``,
        ``"fangsong"``, ``"kai"``, ``"cursive"``, ``"semicursive"``, …) or paths of font files you own.
    image_size : glyph image side in pixels (paper: 12 for CNN-only models).
    glyph_dim : D, the Tianzige-CNN output size (paper: 1024).
    groups : groups of the Tianzige-CNN's 1×1 and 2×2 convolutions (paper: 16).
    cnn_dropout : dropout on the glyph vector.
    char_id_dim : if > 0, concatenate a trainable char-ID embedding of this size (unseen characters → OOV id,
        while their glyph part stays their real glyph).
    char_id_init : initialisation of the char-ID embedding: ``"xavier"`` (default; xavier-uniform, as AllenNLP's
        ``embedding``) or ``"normal"`` (N(0, 1), ~40× larger entries). It matters (Weibo dev, seed 13, "normal" vs
        "xavier": baseline 52.24 vs 48.26, Glyce 54.83 vs 47.64; UD1 POS dev, Glyce: 77.47 vs 81.36): give the
        baseline you compare with the same one (``training_configs/tagger.libsonnet``'s ``char_init`` does).
    glyph_norm : ``"none"`` (default) or ``"layer_norm"``: a LayerNorm (with learned gain and bias) on the glyph
        vector before it is concatenated. The Tianzige-CNN ends in a ReLU, so its vector is non-negative with a norm
        several times the char-ID part's; the LayerNorm centres it and puts it on a fixed scale.
    glyph_scale : a fixed factor on the glyph vector (after ``glyph_norm``), default 1. Use it to bring the glyph
        part to the scale of the embeddings it is concatenated with: after a LayerNorm its norm is about
        ``sqrt(glyph_dim)`` (16 for 256), while an xavier-initialised char-ID embedding has a norm of about 0.2–0.4;
        models that compare vectors by cosine (BiMPM) stop learning when one large part dominates (measured on LCQMC,
        benchmarks/results.md).
    highway : merge [glyph ⊕ char-ID] with a one-layer highway network (output size unchanged).
    projection_dim : if > 0, a linear layer maps [glyph ⊕ char-ID] (after the highway) to this size, e.g. the
        baseline's char-ID size, so that the layers above cost the same as the baseline's. Default 0: no projection.
    aux_classifier : build the auxiliary glyph classifier ``Linear(D → |training chars|)``; its loss is added by
        the ``glyce_aux_loss`` model wrapper. Default: yes, unless the glyph encoder is frozen (see
        ``glyph_encoder``).
    cache_dir : where rendered glyph tables are cached (default ``$GLYCE_HOME/glyphs``).
    position_embeddings : if > 0, add learned position embeddings to the output (a table of this many positions,
        size ``glyph_dim + char_id_dim``; the Glyce-BERT glyph layer, paper §2.4). The position of a token is its index
        along the last input dimension; positions beyond the table share its last row (never an error). They are
        added at every position, padding and code point 0 included (e.g. ``[CLS]``/``[SEP]``, whose glyph vector is
        zero: they get their position embedding only). Default 0: no position embeddings (output unchanged).
    output_layer_norm : apply a LayerNorm (learned gain and bias, over the ``output_dim`` vector) to the output, after
        the position embeddings — as BERT's own embedding layer normalises its sum of token and position embeddings;
        the Glyce-BERT glyph layer sets it, so that the glyph side enters the transformer on the scale of the
        layer-normalised BERT output. Default ``False`` (output unchanged).
    output_dropout : dropout probability on the output, after ``output_layer_norm`` (in [0, 1); active in training
        mode only). Default 0: no dropout.
    glyph_encoder : ``None`` (default): the Tianzige-CNN starts from random weights and learns with the task. Or
        ``{"pretrained": "default" | PATH, "freeze": true | false}``: it starts from a pretrained glyph encoder
        (``"default"``: the one shipped with the package; PATH: a ``.safetensors`` file written by ``glyce-allennlp
        glyph-encoder pretrain``, with its ``.json`` manifest beside it; :mod:`glyce_allennlp.glyph.encoder`).
        ``fonts``, ``image_size``, ``glyph_dim`` and ``groups`` must be the encoder's (an error lists every
        difference) and the font files the ones it was trained on (``FontError`` naming them, or a warning with
        ``GLYCE_FONT_MISMATCH=warn``). ``"freeze": false``: fine-tuned with the task, as without an encoder.
        ``"freeze": true``: the CNN's weights stay fixed (no gradient) and the glyph vector of each character is
        computed once and kept in a table, in training too: a training step costs a table lookup, like a char-ID
        embedding (``cnn_dropout`` still applies to the looked-up vectors in training); a character first seen later
        is rendered and encoded once. The layers after the glyph vector (``glyph_norm``, char-ID embedding, highway,
        projection, position embeddings, ...) train as usual. A frozen encoder leaves nothing for the auxiliary
        glyph loss to train: no auxiliary classifier is built (``aux_classifier`` true is an error), and the
        training configs leave out the ``glyce_aux_loss`` wrapper and its λ callback for frozen variants
        (``aux_loss`` of ``training_configs/common.libsonnet``'s ``experiment``).
        The encoder's weights, frozen or fine-tuned, are part of the model's weights, so a model archive is
        self-contained: ``{"pretrained": "from_archive", "freeze": ...}``
        (:data:`~glyce_allennlp.glyph.encoder.FROM_ARCHIVE`; an encoder file of that name is ``./from_archive``)
        builds the CNN from these options alone, reading no encoder file, for weights loaded right after, and
        loading a model from its weights (``load_archive``, ``Model.load``, ``allennlp predict`` / ``evaluate``, a
        ``from_archive`` model) puts it in place of the config's encoder, as AllenNLP drops ``embedding``'s
        ``pretrained_file`` there (:mod:`glyce_allennlp.patches.archived_glyph_encoders`). The archive then
        predicts with the encoder it was trained with, whether that file is gone or ``"default"`` names another
        encoder since. ``freeze`` keeps its meaning (no gradient into a frozen CNN if the loaded model trains further;
        its table is computed from the loaded weights, at the first forward pass), and the loaded weights' fonts are
        checked like any weights' (``FontError`` when the font files differ from those the archive recorded; see
        :class:`~glyce_allennlp.glyph.embedding.GlyphEmbedding`). A forward pass before weights were loaded is an error,
        so ``"from_archive"`` cannot train a random CNN by mistake. ``allennlp train --recover`` builds the model from
        the run's config as the training did: it reads and checks the encoder file (an error naming it when it is gone),
        then the checkpoint's weights replace the encoder's.
    cnn_precision : ``"float32"`` (default), ``"bfloat16"`` or ``"auto"``: run the Tianzige-CNN's convolutions under
        bfloat16 autocast (~2.5× faster forward + backward on a CPU with native bfloat16; see
        :class:`~glyce_allennlp.glyph.cnn.TianzigeCNN`). No config uses it: measured, it did not shorten a Resume
        training epoch (benchmarks/results.md).

    Shapes: ``codepoints`` ``(batch, num_tokens)`` LongTensor (0 = padding) →
    ``(batch, num_tokens, projection_dim or glyph_dim + char_id_dim)``.

    Order: glyph vector (→ ``glyph_norm`` → ``glyph_scale``) ⊕ char-ID → highway → projection → + position embedding
    → ``output_layer_norm`` → ``output_dropout``.

    In evaluation mode (prediction) every part before the position embeddings is a function of the character alone,
    so the vector of each character up to there is computed once and kept in a table (rows added when new characters
    appear; dropped when the module returns to training mode or loads weights): the glyph embedding then costs one
    table lookup per token, like a char-ID embedding. The position embeddings, ``output_layer_norm`` and
    ``output_dropout`` are applied after the lookup.
    """

    def __init__(self, vocab: Vocabulary, vocab_namespace: str = "glyce_chars", fonts: List[str] = None,
                 image_size: int = 12, glyph_dim: int = 1024, groups: int = 16, cnn_dropout: float = 0.0,
                 char_id_dim: int = 0, highway: bool = False, aux_classifier: Optional[bool] = None,
                 cache_dir: Optional[str] = None, position_embeddings: int = 0, glyph_norm: str = "none",
                 glyph_scale: float = 1.0, projection_dim: int = 0, cnn_precision: str = "float32",
                 char_id_init: str = "xavier", output_layer_norm: bool = False, output_dropout: float = 0.0,
                 glyph_encoder: Optional[Dict[str, Any]] = None) -> None:
        super().__init__()
        encoder_options = parse_glyph_encoder(glyph_encoder)
        frozen = encoder_options is not None and encoder_options[1]
        if aux_classifier is None:
            aux_classifier = not frozen
        elif aux_classifier and frozen:
            raise ValueError("aux_classifier is true but the glyph encoder is frozen: the auxiliary glyph loss would "
                             "have nothing to train. Leave aux_classifier out (and the glyce_aux_loss wrapper) or "
                             "fine-tune the encoder (\"freeze\": false).")
        token_to_index = vocab.get_token_to_index_vocabulary(vocab_namespace)
        special = {vocab._padding_token, vocab._oov_token}
        known_chars = [t for t in token_to_index if t not in special and len(t) == 1]
        renderer = GlyphRenderer(fonts or DEFAULT_FONTS, image_size)
        self.glyph = GlyphEmbedding(renderer, known_chars, glyph_dim, groups, cnn_dropout, aux_classifier, cache_dir,
                                    cnn_precision=cnn_precision)
        self._awaiting_encoder_weights = False  # "from_archive": until a state dict brings the CNN's weights
        if encoder_options is not None:
            pretrained, freeze = encoder_options
            if pretrained == FROM_ARCHIVE:
                self._awaiting_encoder_weights = True
                self._register_load_state_dict_pre_hook(self._encoder_weights_arrive)
            else:
                encoder = load_encoder(pretrained)
                encoder.check_options(renderer.fonts, image_size, glyph_dim, groups, who="this glyce embedder")
                self.glyph.cnn.load_state_dict(encoder.state_dict)
            if freeze:
                self.glyph.freeze_cnn(encode=not self._awaiting_encoder_weights)
        self._char_index = {ord(t): i for t, i in token_to_index.items() if len(t) == 1 and t not in special}
        self._oov_index = token_to_index.get(vocab._oov_token, 0)
        # code point → char-ID (OOV id for characters outside the vocabulary, 0 for padding): one tensor lookup per
        # batch, not a Python loop over its characters
        char_ids = torch.full((0x110000,), self._oov_index, dtype=torch.int32)
        char_ids[0] = 0
        char_ids[torch.tensor(list(self._char_index), dtype=torch.long)] = torch.tensor(
            list(self._char_index.values()), dtype=torch.int32)
        self.register_buffer("_char_ids", char_ids, persistent=False)
        self.char_embedding = (torch.nn.Embedding(vocab.get_vocab_size(vocab_namespace), char_id_dim, padding_idx=0)
                               if char_id_dim > 0 else None)
        if char_id_init not in ("xavier", "normal"):
            raise ValueError(f"char_id_init must be 'xavier' or 'normal', got {char_id_init!r}")
        if self.char_embedding is not None:
            # the baselines' char-ID embedding is AllenNLP's `embedding`: xavier-uniform unless a config's initializer
            # says otherwise; "normal" is N(0, 1) (torch's default). Compare Glyce and a baseline with the same one.
            if char_id_init == "xavier":
                torch.nn.init.xavier_uniform_(self.char_embedding.weight)
                with torch.no_grad():
                    self.char_embedding.weight[0].fill_(0.0)  # padding (zeroed by padding_idx, overwritten above)
        if glyph_norm not in ("none", "layer_norm"):
            raise ValueError(f"glyph_norm must be 'none' or 'layer_norm', got {glyph_norm!r}")
        self.glyph_norm = torch.nn.LayerNorm(glyph_dim) if glyph_norm == "layer_norm" else None
        self.glyph_scale = float(glyph_scale)
        concatenated = glyph_dim + char_id_dim
        self.highway = Highway(concatenated, num_layers=1) if highway else None
        self.projection = torch.nn.Linear(concatenated, projection_dim) if projection_dim > 0 else None
        self.output_dim = projection_dim if projection_dim > 0 else concatenated
        self.position_embedding = (torch.nn.Embedding(position_embeddings, self.output_dim)
                                   if position_embeddings > 0 else None)
        if not 0.0 <= output_dropout < 1.0:
            raise ValueError(f"output_dropout must be in [0, 1), got {output_dropout}")
        self.output_layer_norm = torch.nn.LayerNorm(self.output_dim) if output_layer_norm else None
        self.output_dropout = torch.nn.Dropout(output_dropout) if output_dropout > 0 else None
        # evaluation-mode table of per-character output vectors (see the class docstring)
        self._memo = VectorTable(self.output_dim)  # code point → output vector
        self._register_load_state_dict_pre_hook(self._drop_memo)

    def _drop_memo(self, *args, **kwargs) -> None:
        self._memo.clear()

    def _encoder_weights_arrive(self, state_dict, prefix, *args) -> None:
        if all(f"{prefix}glyph.cnn.{name}" in state_dict for name in self.glyph.cnn.state_dict()):
            self._awaiting_encoder_weights = False

    def train(self, mode: bool = True):
        if mode:
            self._drop_memo()
        return super().train(mode)

    def get_output_dim(self) -> int:
        return self.output_dim

    @property
    def last_aux_loss(self) -> Optional[torch.Tensor]:
        return self.glyph.last_aux_loss

    def _character_vectors(self, codepoints: torch.LongTensor) -> torch.Tensor:
        """Everything before the position embeddings: ``(...)`` code points → ``(..., output_dim)``."""
        vectors = self.glyph(codepoints, use_table=False)  # this module keeps the table of its whole output
        if self.glyph_norm is not None:
            vectors = self.glyph_norm(vectors).masked_fill((codepoints == 0).unsqueeze(-1), 0.0)
        if self.glyph_scale != 1.0:
            vectors = vectors * self.glyph_scale
        if self.char_embedding is not None:
            vectors = torch.cat([vectors, self.char_embedding(self._char_ids[codepoints])], dim=-1)
        if self.highway is not None:
            vectors = self.highway(vectors)
        if self.projection is not None:
            vectors = self.projection(vectors)
        return vectors

    def forward(self, codepoints: torch.LongTensor) -> torch.Tensor:
        if self._awaiting_encoder_weights:
            raise RuntimeError(
                f'glyph_encoder {{"pretrained": "{FROM_ARCHIVE}"}} builds the glyph CNN for the weights of a model '
                f'archive, loaded after the model is built, but none were loaded into it. To train, name an encoder: '
                f'{{"pretrained": "default" or a .safetensors path}}.')
        if self.training or torch.is_grad_enabled():
            vectors = self._character_vectors(codepoints)
        else:
            # padding (0) gets a row too: whatever the layers make of it, as in training mode
            vectors = self._memo.lookup(codepoints, self._character_vectors)
        if self.position_embedding is not None:
            positions = torch.arange(codepoints.shape[-1], device=codepoints.device)
            positions = positions.clamp(max=self.position_embedding.num_embeddings - 1)
            vectors = vectors + self.position_embedding(positions)
        if self.output_layer_norm is not None:
            vectors = self.output_layer_norm(vectors)
        if self.output_dropout is not None:
            vectors = self.output_dropout(vectors)
        return vectors


def parse_glyph_encoder(glyph_encoder: Optional[Dict[str, Any]]) -> Optional[Tuple[str, bool]]:
    """``(pretrained, freeze)`` of a ``glyph_encoder`` option (``None`` stays ``None``); a clear error for anything but
    ``{"pretrained": "default" | PATH | "from_archive", "freeze": true | false}``."""
    if glyph_encoder is None:
        return None
    usage = 'glyph_encoder must be {"pretrained": "default" or a .safetensors path, "freeze": true or false}'
    if not isinstance(glyph_encoder, dict) or set(glyph_encoder) != {"pretrained", "freeze"}:
        raise ValueError(f"{usage}, got {glyph_encoder!r}")
    pretrained, freeze = glyph_encoder["pretrained"], glyph_encoder["freeze"]
    if not isinstance(pretrained, str) or not pretrained or not isinstance(freeze, bool):
        raise ValueError(f"{usage}, got {glyph_encoder!r}")
    return pretrained, freeze
