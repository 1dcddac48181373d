"""The glyph embedding of a trained model archive (``model.tar.gz``), for ``glyce-allennlp neighbors``.

The AllenNLP side of :mod:`glyce_allennlp.glyph.neighbors`, which works on the embedding alone.
"""
from typing import List, Optional, Tuple

import torch
from allennlp.models.archival import load_archive

import glyce_allennlp
from glyce_allennlp.glyph.embedding import GlyphEmbedding

__all__ = ["find_glyph_embeddings", "load_glyph_embedding"]


def find_glyph_embeddings(model: torch.nn.Module) -> List[Tuple[str, GlyphEmbedding]]:
    """Every ``GlyphEmbedding`` inside ``model``, with its module path, in module order."""
    return [(name, module) for name, module in model.named_modules() if isinstance(module, GlyphEmbedding)]


def load_glyph_embedding(archive: str, which: Optional[str] = None, cuda_device: int = -1) -> GlyphEmbedding:
    """The glyph embedding of a trained model archive. ``which``: its module path when the model has several (e.g.
    character and word glyph embedders); the first one by default. ``ValueError`` when the model has none, or none of
    that name. ``cuda_device``: as for AllenNLP's ``load_archive`` (-1 = CPU)."""
    glyce_allennlp.load_components()
    model = load_archive(archive, cuda_device=cuda_device).model
    found = find_glyph_embeddings(model)
    if not found:
        raise ValueError(f"The model in {archive} has no glyph embedding (was it trained with a glyce config?)")
    if which is None:
        return found[0][1]
    for name, module in found:
        if name == which:
            return module
    raise ValueError(f"No glyph embedding named {which!r} in {archive}; it has: {', '.join(n for n, _ in found)}")
