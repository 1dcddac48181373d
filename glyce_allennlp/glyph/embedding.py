"""Glyph embedding: Unicode code points → glyph vectors, with the auxiliary glyph-classification loss. No AllenNLP.

Design (what makes it fast and open-vocabulary)
-----------------------------------------------
* Input is the *code point* of each character (0 = padding), not a vocabulary id, so a character never seen in
  training is rendered on demand the first time it appears and gets its real glyph vector — it is never mapped to UNK.
* Glyph images live in one ``uint8`` table (row 0 = padding). The table for the known characters is rendered once
  (cached on disk by :class:`GlyphRenderer`); new characters are appended. The table is **not** part of the module's
  ``state_dict``: it is rebuilt from the fonts, so model archives do not grow with it.
* What the archive records instead is the sha256 of each font file: the ``font_sha256`` buffer (``uint8``,
  ``(n_fonts, 32)``, 32 bytes per font) is saved with the weights. Loading weights whose recorded fonts differ from
  the fonts this module was built with (a different file at a user font path, another version of a registry font)
  raises :class:`~glyce_allennlp.glyph.fonts.FontError` naming the font and both digests, because the CNN was
  trained on the other font's glyphs; set ``GLYCE_FONT_MISMATCH=warn`` to only log it. Weights saved before the
  buffer existed load without the check.
* Training: the Tianzige-CNN runs once per *unique* character of the batch, and the result is scattered back.
* Evaluation / prediction: the glyph vector of each table row is computed once and memoised; the memo is dropped
  whenever the module goes back to training mode or loads new weights.
* Frozen (:meth:`freeze_cnn`, e.g. with a pretrained encoder, :mod:`.encoder`): the CNN's weights get no gradient and
  the glyph vector of every table row is computed once (no dropout) and kept, in training mode too. A forward pass is
  then two tensor lookups, code point → row (a dense index over all of Unicode) → vector, plus the CNN's output
  dropout in training mode: no Python loop over the batch's characters; a new character is rendered and encoded
  once, on demand. The vectors are recomputed (once) after weights are loaded.
* Auxiliary loss (paper section 2.3): ``Linear(D → |known chars|)`` predicts each glyph's own character. It is
  computed once per unique character and weighted by the character's number of occurrences in the batch (padding
  excluded): :attr:`last_aux_loss` is the mean over the batch's known-character tokens, :attr:`last_aux_loss_sum`
  the sum, for a wrapper model to mix in as ``L = (1 − λ)·L_task + λ·L_cls``.
"""
import logging
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

from .cnn import TianzigeCNN, glyph_features
from .fonts import report_font_mismatch
from .render import GlyphRenderer
from .vector_table import VectorTable

logger = logging.getLogger(__name__)


class GlyphEmbedding(nn.Module):
    """Code points → glyph vectors.

    Parameters
    ----------
    renderer : the :class:`GlyphRenderer` (fonts = channels, image size).
    known_chars : the training characters, in class order. They are rendered up front, and they are the classes of
        the auxiliary loss (a character outside them gets no auxiliary loss term, but still a glyph vector).
    output_dim : D, the glyph vector size.
    groups : groups of the Tianzige-CNN's 1×1 and 2×2 convolutions.
    dropout : dropout on the glyph vector (inside the CNN).
    aux_classifier : whether to build the auxiliary classifier (``Linear(D → len(known_chars))``).
    cache_dir : where rendered tables are cached (default ``$GLYCE_HOME/glyphs``).
    progress : show a progress bar while rendering the initial table.
    cnn_precision : the Tianzige-CNN's ``precision`` (``"float32"``, ``"bfloat16"``, ``"auto"``; see
        :class:`TianzigeCNN`).

    Shapes: ``codepoints`` LongTensor of any shape ``(...)`` → ``(..., output_dim)``; padding (0) gives zeros.
    In evaluation mode the glyph vectors are kept in a :class:`VectorTable` (one CNN pass per character, rows
    appended when new characters appear); ``train()`` and ``load_state_dict`` drop it. After :meth:`freeze_cnn` a table
    of every row's vector is used in training mode too (see the module docstring).
    """

    def __init__(self, renderer: GlyphRenderer, known_chars: Sequence[str], output_dim: int = 1024,
                 groups: int = 16, dropout: float = 0.0, aux_classifier: bool = True,
                 cache_dir: Optional[str] = None, progress: bool = True, cnn_precision: str = "float32"):
        super().__init__()
        self.renderer = renderer
        self.output_dim = output_dim
        self.cnn = TianzigeCNN(renderer.num_channels, output_dim, groups, dropout, renderer.image_size, cnn_precision)
        known_chars = list(known_chars)
        bad = [c for c in known_chars if len(c) != 1]
        if bad:
            raise ValueError(f"known_chars must be single characters; got {bad[:5]}")
        self.class_of: Dict[int, int] = {ord(c): i for i, c in enumerate(known_chars)}
        self.classifier = nn.Linear(output_dim, len(known_chars)) if aux_classifier and known_chars else None
        images, missing = renderer.render_table(known_chars, cache_dir=cache_dir, progress=progress)
        size = renderer.image_size
        padding = np.zeros((1, renderer.num_channels, size, size), dtype=np.uint8)
        self._images = torch.from_numpy(np.concatenate([padding, images]))  # (rows, channels, size, size) uint8
        self._missing: List[bool] = [False] + [bool(m) for m in missing]
        self._row_of: Dict[int, int] = {ord(c): i + 1 for i, c in enumerate(known_chars)}
        self.num_rendered_on_demand = 0
        self.frozen = False
        self._frozen_table: Optional[torch.Tensor] = None  # (rows, D) glyph vectors of a frozen CNN, row 0 = zeros
        if missing.any():
            logger.warning("Glyph table: %s", renderer.stats.summary())
        self._memo = VectorTable(output_dim)  # glyph vector per table row, evaluation mode only
        self.last_aux_loss: Optional[torch.Tensor] = None  # mean cross-entropy over the batch's known tokens
        self.last_aux_loss_sum: Optional[torch.Tensor] = None  # summed over those tokens
        self.last_aux_tokens = 0
        self._register_load_state_dict_pre_hook(self._drop_memo_hook)
        self.register_buffer("font_sha256", self._font_digests())

    # ------------------------------------------------------------------------------------------------ fonts
    def _font_digests(self) -> torch.Tensor:
        return torch.tensor([list(bytes.fromhex(f.sha256)) for f in self.renderer.fonts], dtype=torch.uint8)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        key = prefix + "font_sha256"
        saved = state_dict.get(key)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)
        current = self._font_digests()
        if saved is None:  # weights saved before fonts were recorded: nothing to check
            if key in missing_keys:
                missing_keys.remove(key)
        elif tuple(saved.shape) == tuple(current.shape):
            report_font_mismatch([(font, bytes(saved[i].tolist()).hex()) for i, font in enumerate(self.renderer.fonts)
                                  if not torch.equal(saved[i].cpu(), current[i])])
        # (a different number of fonts is reported by load_state_dict as a size mismatch, like the CNN's weights)
        with torch.no_grad():
            self.font_sha256.copy_(current.to(self.font_sha256.device))  # always the fonts actually in use

    # ------------------------------------------------------------------------------------------------ the table
    @property
    def num_rows(self) -> int:
        return self._images.shape[0]

    def rows_for(self, codepoints: List[int]) -> List[int]:
        """Table rows of these code points, rendering (and appending) the ones seen for the first time."""
        new = [cp for cp in dict.fromkeys(codepoints) if cp != 0 and cp not in self._row_of]
        if new:
            images, missing = self.renderer.render([chr(cp) for cp in new])
            start = self.num_rows
            self._images = torch.cat([self._images, torch.from_numpy(images)])
            self._missing.extend(bool(m) for m in missing)
            for offset, cp in enumerate(new):
                self._row_of[cp] = start + offset
            if self.frozen:
                self._row_index[torch.tensor(new)] = torch.arange(start, start + len(new), dtype=torch.int32,
                                                                  device=self._row_index.device)
            self.num_rendered_on_demand += len(new)
            if missing.any():
                logger.warning("Characters no font can draw (zero glyph image): %s",
                               "".join(chr(cp) for cp, m in zip(new, missing) if m))
        return [0 if cp == 0 else self._row_of[cp] for cp in codepoints]

    def is_missing(self, ch: str) -> bool:
        """Whether no font of the renderer could draw ``ch`` (its glyph image is all zeros)."""
        return self._missing[self.rows_for([ord(ch)])[0]]

    def glyph_images(self, codepoints: List[int]) -> torch.Tensor:
        """``(n, channels, size, size)`` float images in [0, 1] for these code points."""
        rows = torch.tensor(self.rows_for(codepoints), dtype=torch.long)
        return self._images[rows].float().div_(255.0)

    # ------------------------------------------------------------------------------------------------ memo
    def train(self, mode: bool = True):
        if mode and not self.frozen:
            self._memo.clear()
        return super().train(mode)

    def freeze_cnn(self, encode: bool = True) -> None:
        """Fix the Tianzige-CNN's weights (``requires_grad = False``) and compute the glyph vector (no dropout) of every
        character rendered so far, once: from now on :meth:`forward` looks vectors up in that table, in training mode
        too (then followed by the CNN's output dropout), and encodes a new character once, when it first appears.
        ``encode=False``: the table is computed by the first :meth:`forward` instead, for a CNN whose weights are
        loaded afterwards (``load_state_dict`` would drop a table computed now). ``ValueError`` when the embedding has
        an auxiliary classifier (it would have nothing to train)."""
        if self.classifier is not None:
            raise ValueError("A frozen glyph CNN leaves the auxiliary classifier nothing to train: build the glyph "
                             "embedding with aux_classifier=False.")
        for parameter in self.cnn.parameters():
            parameter.requires_grad_(False)
        index = torch.full((0x110000,), -1, dtype=torch.int32)  # code point → table row (-1: not rendered yet)
        index[0] = 0
        index[torch.tensor(list(self._row_of), dtype=torch.long)] = torch.tensor(list(self._row_of.values()),
                                                                                 dtype=torch.int32)
        self.register_buffer("_row_index", index.to(self.font_sha256.device), persistent=False)
        self.frozen = True
        if encode:
            self._frozen_vectors(self.font_sha256.device)

    def _frozen_vectors(self, device: torch.device) -> torch.Tensor:
        """The frozen CNN's vector of every table row, on ``device``: rows rendered since the last call are encoded
        now (all of them after weights were loaded or the device changed)."""
        table = self._frozen_table
        if table is None or table.device != device:
            table = torch.zeros(0, self.output_dim, device=device)
        if table.shape[0] < self.num_rows:
            fresh = glyph_features(self.cnn, self._images[table.shape[0]:], device)
            if table.shape[0] == 0:
                fresh[0] = 0.0  # padding
            table = torch.cat([table, fresh])
        self._frozen_table = table
        return table

    def _drop_memo_hook(self, *args, **kwargs):
        self._memo.clear()
        self._frozen_table = None

    def _cnn_vectors(self, rows: torch.Tensor, device: torch.device) -> torch.Tensor:
        return self.cnn(self._images[rows.cpu()].float().div_(255.0).to(device))

    # ------------------------------------------------------------------------------------------------ forward
    def forward(self, codepoints: torch.Tensor, use_table: bool = True) -> torch.Tensor:
        """In evaluation mode each glyph vector is computed once and kept in a table (``use_table=False``: computed
        afresh, with gradients if enabled; for callers that keep their own table of what they make of it). A frozen
        CNN (:meth:`freeze_cnn`) always uses its table."""
        if self.frozen:
            return self._frozen_forward(codepoints)
        device = codepoints.device
        unique, inverse = torch.unique(codepoints.reshape(-1), return_inverse=True)
        unique_list = unique.tolist()
        rows = torch.tensor(self.rows_for(unique_list), dtype=torch.long)
        if self.training or not use_table:
            vectors = self._cnn_vectors(rows, device)
        else:
            vectors = self._memo.lookup(rows.to(device), lambda todo: self._cnn_vectors(todo, device))
        is_pad = (unique == 0).unsqueeze(-1)
        vectors = vectors.masked_fill(is_pad.to(device), 0.0)
        self.last_aux_loss = None
        self.last_aux_loss_sum = None
        self.last_aux_tokens = 0
        if self.training and self.classifier is not None:
            classes = torch.tensor([self.class_of.get(cp, -1) for cp in unique_list], dtype=torch.long, device=device)
            occurrences = torch.bincount(inverse.reshape(-1).to(device), minlength=len(unique_list))
            known = classes >= 0
            if known.any():
                losses = nn.functional.cross_entropy(self.classifier(vectors[known]), classes[known], reduction="none")
                weights = occurrences[known].to(losses.dtype)
                self.last_aux_loss_sum = (losses * weights).sum()
                self.last_aux_tokens = int(weights.sum().item())
                self.last_aux_loss = self.last_aux_loss_sum / self.last_aux_tokens
        return vectors[inverse.to(device)].reshape(*codepoints.shape, self.output_dim)

    def _frozen_forward(self, codepoints: torch.Tensor) -> torch.Tensor:
        rows = self._row_index[codepoints]
        unseen = rows < 0
        if bool(unseen.any()):
            self.rows_for(torch.unique(codepoints[unseen]).tolist())  # render them; their rows enter the index
            rows = self._row_index[codepoints]
        vectors = self._frozen_vectors(codepoints.device)[rows]
        self.last_aux_loss = None
        self.last_aux_loss_sum = None
        self.last_aux_tokens = 0
        return self.cnn.dropout(vectors) if self.training else vectors
