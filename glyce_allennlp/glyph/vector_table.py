"""A growable table of vectors keyed by integers, filled on first lookup: the evaluation-time cache of glyph vectors.

Used twice: :class:`~glyce_allennlp.glyph.embedding.GlyphEmbedding` keys it by glyph-table row (CNN output per
character) and the ``glyce`` token embedder keys it by code point (its whole per-character output). The owner clears
the table whenever the vectors may change (``train()``, ``load_state_dict``); new keys (characters first seen at
prediction time) are computed and appended, old rows are never recomputed.
"""
from typing import Callable, Dict, Optional

import torch


class VectorTable:
    """
    Parameters
    ----------
    dim : size of each vector.

    ``lookup(keys, compute)``: ``keys`` ``(...)`` long → ``(..., dim)``; ``compute`` maps a 1-D long tensor of keys
    not yet in the table (on ``keys.device``) to their ``(n, dim)`` vectors and is called under ``torch.no_grad()``.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._row_of: Dict[int, int] = {}
        self._vectors: Optional[torch.Tensor] = None

    def clear(self) -> None:
        self._row_of = {}
        self._vectors = None

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, key: int) -> bool:
        return key in self._row_of

    def lookup(self, keys: torch.Tensor, compute: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        device = keys.device
        if self._vectors is None or self._vectors.device != device:
            self.clear()
            self._vectors = torch.zeros(0, self.dim, device=device)
        unique, inverse = torch.unique(keys, return_inverse=True)
        unique_list = unique.tolist()
        new = [key for key in unique_list if key not in self._row_of]
        if new:
            with torch.no_grad():
                fresh = compute(torch.tensor(new, dtype=torch.long, device=device))
            start = self._vectors.shape[0]
            self._vectors = torch.cat([self._vectors, fresh.to(self._vectors.dtype)])
            for offset, key in enumerate(new):
                self._row_of[key] = start + offset
        rows = torch.tensor([self._row_of[key] for key in unique_list], dtype=torch.long, device=device)
        return self._vectors[rows[inverse]]
