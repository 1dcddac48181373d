"""Glyce **word** embedding: a word's vector from the glyphs of its characters.

word → code points of its characters (``glyce_word_characters`` indexer) → per-character Glyce vectors (the
``glyce`` embedder, :class:`~glyce_allennlp.modules.glyce_token_embedder.GlyceTokenEmbedder`: Tianzige-CNN glyph
vector, optionally ⊕ char-ID embedding) → pooled over the word's characters (``max``, ``mean``, ``cnn`` or ``lstm``) →
optionally ⊕ a word-ID embedding.

The module contains a :class:`~glyce_allennlp.glyph.GlyphEmbedding` (``.char_embedder.glyph``), so the
``glyce_aux_loss`` wrapper finds it and adds its auxiliary glyph-classification loss (over the batch's character
tokens, padding excluded). A word never seen in training still gets the glyph vectors of its characters (characters
never seen are rendered on demand); only its word-ID part (if any) is the OOV vector.
"""
from typing import Any, Dict, List, Optional

import torch
from allennlp.data import Vocabulary
from allennlp.modules.token_embedders import TokenEmbedder
from torch import nn

from glyce_allennlp.modules.glyce_token_embedder import GlyceTokenEmbedder

POOLINGS = ("max", "mean", "cnn", "lstm")


@TokenEmbedder.register("glyce_word")
class GlyceWordEmbedder(TokenEmbedder):
    """Glyce word embedder. Pair it with the ``glyce_word_characters`` token indexer.

    Parameters
    ----------
    vocab : the model's vocabulary (passed by AllenNLP).
    char_namespace : namespace of the training characters (default ``"glyce_chars"``; filled by the indexer).
    word_namespace : namespace of the training words (default ``"glyce_words"``), used when ``word_id_dim > 0``.
    fonts, image_size, glyph_dim, groups, cnn_dropout, char_id_dim, highway, aux_classifier, cache_dir,
    cnn_precision, glyph_encoder : as for the ``glyce`` character embedder (one character's vector has size
        ``glyph_dim + char_id_dim``). With ``glyph_encoder: {"pretrained": ..., "freeze": true}`` each character's
        glyph vector is a table lookup and there is no auxiliary glyph loss (see
        :class:`~glyce_allennlp.modules.glyce_token_embedder.GlyceTokenEmbedder`).
    pooling : how a word's character vectors become one vector:
        ``"max"`` (default; element-wise max over the characters), ``"mean"``,
        ``"cnn"`` (1-d convolutions of widths ``cnn_widths`` with ``pooling_dim`` filters in all, ReLU, max over
        positions), ``"lstm"`` (a one-layer BiLSTM over the characters; its two final states, ``pooling_dim // 2``
        each, concatenated).
    pooling_dim : output size of ``"cnn"`` / ``"lstm"`` pooling (default: the character vector size).
    cnn_widths : filter widths of ``"cnn"`` pooling (default ``[1, 2, 3]``; ``pooling_dim`` is split among them).
    word_id_dim : if > 0, concatenate a trainable word-ID embedding (``word_namespace``) of this size; needs the
        indexer's ``word_ids`` output. Unseen words get the OOV id here, while their glyph part is still real.
    dropout : dropout on the pooled vector.

    Shapes: ``codepoints`` ``(batch, num_words, max_chars)`` LongTensor (0 = padding), optional ``word_ids``
    ``(batch, num_words)`` → ``(batch, num_words, output_dim)`` with ``output_dim = pooled + word_id_dim`` and
    ``pooled = glyph_dim + char_id_dim`` for max/mean, ``pooling_dim`` for cnn/lstm. Padding words (no characters)
    get zeros in the pooled part. Any number of leading dimensions is accepted (``(..., max_chars)``).
    """

    def __init__(self, vocab: Vocabulary, char_namespace: str = "glyce_chars", word_namespace: str = "glyce_words",
                 fonts: List[str] = None, image_size: int = 12, glyph_dim: int = 1024, groups: int = 16,
                 cnn_dropout: float = 0.0, char_id_dim: int = 0, highway: bool = False,
                 aux_classifier: Optional[bool] = None, cache_dir: Optional[str] = None, pooling: str = "max",
                 pooling_dim: Optional[int] = None, cnn_widths: List[int] = None, word_id_dim: int = 0,
                 dropout: float = 0.0, cnn_precision: str = "float32",
                 glyph_encoder: Optional[Dict[str, Any]] = None) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        self.char_embedder = GlyceTokenEmbedder(vocab, char_namespace, fonts, image_size, glyph_dim, groups,
                                                cnn_dropout, char_id_dim, highway, aux_classifier, cache_dir,
                                                cnn_precision=cnn_precision, glyph_encoder=glyph_encoder)
        char_dim = self.char_embedder.get_output_dim()
        self.pooling = pooling
        self.conv: Optional[nn.ModuleList] = None
        self.lstm: Optional[nn.LSTM] = None
        if pooling in ("max", "mean"):
            pooled_dim = char_dim
        elif pooling == "cnn":
            widths = list(cnn_widths or [1, 2, 3])
            pooled_dim = pooling_dim or char_dim
            if pooled_dim % len(widths):
                raise ValueError(f"pooling_dim {pooled_dim} is not divisible by the {len(widths)} cnn_widths")
            # padding = width - 1 ("full" convolution): a word shorter than a filter still has output positions
            self.conv = nn.ModuleList(nn.Conv1d(char_dim, pooled_dim // len(widths), w, padding=w - 1)
                                      for w in widths)
        else:
            pooled_dim = pooling_dim or char_dim
            if pooled_dim % 2:
                raise ValueError(f"lstm pooling needs an even pooling_dim, got {pooled_dim}")
            self.lstm = nn.LSTM(char_dim, pooled_dim // 2, batch_first=True, bidirectional=True)
        self.word_embedding = (nn.Embedding(vocab.get_vocab_size(word_namespace), word_id_dim, padding_idx=0)
                               if word_id_dim > 0 else None)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.pooled_dim = pooled_dim
        self.output_dim = pooled_dim + max(0, word_id_dim)

    @property
    def glyph(self):
        """The :class:`GlyphEmbedding` (what ``glyce_aux_loss`` finds)."""
        return self.char_embedder.glyph

    def get_output_dim(self) -> int:
        return self.output_dim

    def _pool(self, chars: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``chars`` ``(n, max_chars, char_dim)`` of n non-empty words, ``mask`` ``(n, max_chars)`` → ``(n, pooled)``."""
        fmask = mask.unsqueeze(-1)
        if self.pooling == "max":
            return chars.masked_fill(~fmask, float("-inf")).max(dim=1).values
        if self.pooling == "mean":
            return (chars * fmask).sum(1) / fmask.sum(1).clamp(min=1)
        if self.pooling == "cnn":
            x = (chars * fmask).transpose(1, 2)  # (n, char_dim, max_chars)
            outs = []
            for conv in self.conv:
                width = conv.kernel_size[0]
                y = torch.relu(conv(x))  # (n, filters, max_chars + width - 1); position j covers chars j-w+1 .. j
                # valid output positions: those whose window overlaps a real character (j < length + width - 1)
                lengths = mask.sum(1, keepdim=True)
                positions = torch.arange(y.shape[-1], device=y.device).unsqueeze(0)
                valid = (positions < lengths + width - 1).unsqueeze(1)
                outs.append(y.masked_fill(~valid, float("-inf")).max(dim=-1).values)
            return torch.cat(outs, dim=-1)
        lengths = mask.sum(1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(chars, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)  # (2, n, hidden)
        return torch.cat([h_n[0], h_n[1]], dim=-1)

    def forward(self, codepoints: torch.LongTensor, word_ids: Optional[torch.LongTensor] = None) -> torch.Tensor:
        leading = codepoints.shape[:-1]
        flat = codepoints.reshape(-1, codepoints.shape[-1])  # (words, max_chars)
        has_chars = (flat != 0).any(-1)
        pooled = flat.new_zeros(flat.shape[0], self.pooled_dim, dtype=torch.float)
        if has_chars.any():
            words = flat[has_chars]
            # trim the character dimension to the longest real word: the glyph embedder skips padding anyway
            words = words[:, : int((words != 0).sum(-1).max())]
            chars = self.char_embedder(words)  # (n, max_chars, char_dim); the aux loss counts real characters only
            vectors = self._pool(chars, words != 0)
            pooled = pooled.to(vectors.dtype).index_put((has_chars.nonzero(as_tuple=True)[0],), vectors)
        pooled = pooled.reshape(*leading, self.pooled_dim)
        if self.dropout is not None:
            pooled = self.dropout(pooled)
        if self.word_embedding is not None:
            if word_ids is None:
                raise ValueError("glyce_word has word_id_dim > 0 but got no word_ids: give the glyce_word_characters "
                                 "indexer a word_namespace")
            pooled = torch.cat([pooled, self.word_embedding(word_ids)], dim=-1)
        return pooled
