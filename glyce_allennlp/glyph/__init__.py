"""The glyph core: fonts, rendering, the Tianzige-CNN and the glyph embedding. Importable without AllenNLP."""
from .fonts import FontError, font_dir, glyce_home, install_fonts, load_registry, resolve_font
from .render import FontCoverage, GlyphRenderer, to_traditional
from .cnn import TianzigeCNN
from .embedding import GlyphEmbedding
