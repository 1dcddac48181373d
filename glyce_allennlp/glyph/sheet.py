"""Glyph sheets: a PNG grid with one row per character and one column per font, for people to look at."""
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from .render import GlyphRenderer


def glyph_sheet(chars: Sequence[str], fonts: Sequence[str], image_size: int = 12, scale: int = 4,
                path: str = "glyph_sheet.png") -> str:
    """Render ``chars`` with each font at ``image_size`` px (the size the model sees), enlarged ``scale``× with
    nearest-neighbour so single pixels stay visible. Characters no font can draw are crossed out in red."""
    glyph_sheet_image(chars, fonts, image_size, scale).save(path)
    return path


def glyph_sheet_image(chars: Sequence[str], fonts: Sequence[str], image_size: int = 12, scale: int = 4
                      ) -> Image.Image:
    """The RGB image :func:`glyph_sheet` writes: one row per character, one column per font, cells of
    ``image_size * scale`` px with 4 px between them and around."""
    renderer = GlyphRenderer(fonts, image_size)
    images, missing = renderer.render(list(chars))
    cell = image_size * scale
    pad = 4
    sheet = Image.new("RGB", ((cell + pad) * len(fonts) + pad, (cell + pad) * len(chars) + pad), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for r in range(len(chars)):
        for c in range(len(fonts)):
            glyph = Image.fromarray(255 - images[r, c]).resize((cell, cell), Image.NEAREST).convert("RGB")
            x, y = pad + c * (cell + pad), pad + r * (cell + pad)
            sheet.paste(glyph, (x, y))
            if missing[r]:
                draw.line([(x, y), (x + cell, y + cell)], fill=(220, 0, 0), width=2)
                draw.line([(x + cell, y), (x, y + cell)], fill=(220, 0, 0), width=2)
    return sheet


def ink_fraction(images: np.ndarray) -> float:
    """Share of pixels with ink (a quick sanity number for a rendered table)."""
    return float((images > 0).mean())
