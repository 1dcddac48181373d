"""Nearest characters by cosine similarity of *learned* glyph vectors (``glyce-allennlp neighbors``).

The vectors come from a :class:`~glyce_allennlp.glyph.embedding.GlyphEmbedding`: the Tianzige-CNN's output for each
glyph image, in evaluation mode (no dropout). Candidates are its known characters minus those no font could draw
(their images are blank, so their vectors are identical and meaningless): for the embedding inside a trained model,
the characters it was trained on (the ``glyce_chars`` vocabulary namespace); for a pretrained glyph encoder alone
(:meth:`glyce_allennlp.glyph.encoder.GlyphEncoder.glyph_embedding`), the characters it was pretrained on. The query
itself may be any character: one never seen is rendered on demand, like at prediction time.

Everything here works on a :class:`~glyce_allennlp.glyph.embedding.GlyphEmbedding` (no AllenNLP); the embedding of a
trained model archive is loaded by :func:`glyce_allennlp.glyph_archive.load_glyph_embedding`.
"""
from typing import List, Optional, Sequence, Tuple

import torch

from .embedding import GlyphEmbedding


def known_characters(glyph: GlyphEmbedding) -> List[str]:
    """The characters the embedding was trained on (its auxiliary classes), in class order."""
    return [chr(cp) for cp, _ in sorted(glyph.class_of.items(), key=lambda item: item[1])]


@torch.no_grad()
def glyph_vectors(glyph: GlyphEmbedding, chars: Sequence[str]) -> torch.Tensor:
    """``(len(chars), D)`` learned glyph vectors (evaluation mode, memoised by the embedding)."""
    was_training = glyph.training
    glyph.eval()
    try:
        device = next(glyph.parameters()).device
        codepoints = torch.tensor([ord(c) for c in chars], dtype=torch.long, device=device)
        return glyph(codepoints).float().cpu()
    finally:
        glyph.train(was_training)


def glyph_neighbors(glyph: GlyphEmbedding, query: str, top: int = 10,
                    candidates: Optional[Sequence[str]] = None) -> List[Tuple[str, float]]:
    """The ``top`` candidate characters whose glyph vectors are nearest to ``query``'s, by cosine, best first.

    ``candidates`` defaults to the known characters that some font can draw; the query itself is excluded."""
    if len(query) != 1:
        raise ValueError(f"query must be one character, got {query!r}")
    if glyph.is_missing(query):
        raise ValueError(f"No font of this model can draw {query!r} (U+{ord(query):04X}): it has no glyph vector")
    if candidates is None:
        candidates = [c for c in known_characters(glyph) if not glyph.is_missing(c)]
    candidates = [c for c in dict.fromkeys(candidates) if c != query]
    if not candidates:
        return []
    vectors = glyph_vectors(glyph, [query] + candidates)
    vectors = torch.nn.functional.normalize(vectors, dim=1)
    cosine = vectors[1:] @ vectors[0]
    best = torch.topk(cosine, k=min(top, len(candidates)))
    return [(candidates[i], float(s)) for s, i in zip(best.values.tolist(), best.indices.tolist())]


def neighbor_sheet(glyph: GlyphEmbedding, query: str, neighbors: Sequence[Tuple[str, float]], path: str,
                   scale: int = 4) -> str:
    """PNG: the query then its neighbours, one row each, one column per font of the model (the images the CNN sees,
    drawn by :func:`glyce_allennlp.glyph.sheet.glyph_sheet_image`), with the rank and cosine written in a left
    margin."""
    _panel(glyph, query, neighbors, scale).save(path)
    return path


def neighbor_sheets(glyph: GlyphEmbedding, results: Sequence[Tuple[str, Sequence[Tuple[str, float]]]], path: str,
                    scale: int = 4, gap: int = 24) -> str:
    """PNG: the :func:`neighbor_sheet` panel of each ``(query, neighbours)`` of ``results``, side by side (``gap`` px
    apart, top-aligned); one query gives exactly :func:`neighbor_sheet`'s image."""
    from PIL import Image

    panels = [_panel(glyph, query, neighbors, scale) for query, neighbors in results]
    if not panels:
        raise ValueError("neighbor_sheets needs at least one query")
    sheet = Image.new("RGB", (sum(p.width for p in panels) + gap * (len(panels) - 1), max(p.height for p in panels)),
                      (255, 255, 255))
    x = 0
    for panel in panels:
        sheet.paste(panel, (x, 0))
        x += panel.width + gap
    sheet.save(path)
    return path


def _panel(glyph: GlyphEmbedding, query: str, neighbors: Sequence[Tuple[str, float]], scale: int):
    from PIL import Image, ImageDraw

    from .sheet import glyph_sheet_image

    fonts = [f.label for f in glyph.renderer.fonts]
    chars = [query] + [c for c, _ in neighbors]
    grid = glyph_sheet_image(chars, fonts, glyph.renderer.image_size, scale)
    cell, pad = glyph.renderer.image_size * scale, 4
    margin = 96
    sheet = Image.new("RGB", (grid.width + margin, grid.height), (255, 255, 255))
    sheet.paste(grid, (margin, 0))
    draw = ImageDraw.Draw(sheet)
    labels = [f"query U+{ord(query):04X}"] + [f"{i}. cos {s:.3f}" for i, (_, s) in enumerate(neighbors, 1)]
    for row, label in enumerate(labels):
        y = pad + row * (cell + pad) + cell // 2 - 5
        draw.text((4, y), label, fill=(0, 0, 0) if row else (0, 0, 160))
    return sheet
