"""Which characters a font can draw (its cmap), and the simplified → traditional conversion of ``s2t`` fonts.

No AllenNLP, no torch; fontTools and OpenCC are imported when first needed.
"""
from typing import Optional

from .fonts import FontError

__all__ = ["FONT_FILE_HINT", "FontCoverage", "to_traditional"]

FONT_FILE_HINT = ("For a registry font run `glyce-allennlp fonts install NAME` (installed files are sha256-verified); "
                  "for a font file you own, check or replace the file.")
_S2T = None


def to_traditional(ch: str) -> str:
    """Simplified → traditional form of one character (OpenCC ``s2t``; characters without one map to themselves)."""
    global _S2T
    if _S2T is None:
        import opencc

        _S2T = opencc.OpenCC("s2t")
    converted = _S2T.convert(ch)
    return converted if len(converted) == 1 else ch


class FontCoverage:
    """Which characters a font face can draw, from its cmap (``.notdef`` mappings excluded).

    ``path``: the font file; ``face``: the face index in a collection; ``convert``: ``"s2t"`` to ask about the
    traditional form of each character. An unreadable file raises :class:`~glyce_allennlp.glyph.fonts.FontError`.
    """

    def __init__(self, path: str, face: int = 0, convert: Optional[str] = None):
        from fontTools.ttLib import TTFont

        try:
            font = TTFont(path, fontNumber=face, lazy=True)
            cmap = font.getBestCmap() or {}
        except Exception as e:  # fontTools raises many types on broken files
            raise FontError(f"Cannot read the font file {path} (face {face}): {e}. Is it a complete TrueType/OpenType "
                            f"file? {FONT_FILE_HINT}") from e
        self.codepoints = {cp for cp, glyph in cmap.items() if glyph != ".notdef"}
        self.convert = convert

    def target(self, ch: str) -> str:
        """The character the font is asked to draw for ``ch`` (its traditional form for an ``s2t`` font)."""
        return to_traditional(ch) if self.convert == "s2t" else ch

    def has(self, ch: str) -> bool:
        return ord(self.target(ch)) in self.codepoints
