"""The glyph core: fonts, rendering, the Tianzige-CNN, the glyph embedding and its evaluation-time table.
Importable without AllenNLP."""
from .fonts import FontError, font_dir, glyce_home, install_fonts, load_registry, resolve_font
from .render import FontCoverage, GlyphRenderer, to_traditional
from .cnn import TianzigeCNN
from .embedding import GlyphEmbedding
from .vector_table import VectorTable
