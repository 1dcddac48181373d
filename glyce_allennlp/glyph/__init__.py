"""The glyph core: fonts, rendering, the Tianzige-CNN, the glyph embedding and its evaluation-time table.
Importable without AllenNLP.

Modules: :mod:`.fonts` (registry, installation, font references), :mod:`.coverage` (which characters a font can
draw), :mod:`.font_list` (``glyce-allennlp fonts list``), :mod:`.render` (glyph images and their disk cache),
:mod:`.sheet` (PNG sheets), :mod:`.cnn` (Tianzige-CNN), :mod:`.embedding` (glyph embedding), :mod:`.vector_table`,
:mod:`.neighbors` (nearest characters by learned glyph vectors), :mod:`.encoder` (pretrained glyph encoders: files,
manifest, checks), :mod:`.augment` and :mod:`.pretrain` (pretraining one), :mod:`.encoder_cli` (``glyce-allennlp
glyph-encoder``).

The names below are exported lazily: ``from glyce_allennlp.glyph import FontError`` imports only :mod:`.fonts`, so
the font commands do not import torch; :class:`TianzigeCNN`, :class:`GlyphEmbedding` and :class:`VectorTable` import
it when first used.
"""
import importlib

_EXPORTS = {
    "FontError": "fonts",
    "font_dir": "fonts",
    "glyce_home": "fonts",
    "install_fonts": "fonts",
    "load_registry": "fonts",
    "resolve_font": "fonts",
    "FontCoverage": "coverage",
    "to_traditional": "coverage",
    "GlyphRenderer": "render",
    "TianzigeCNN": "cnn",
    "GlyphEmbedding": "embedding",
    "VectorTable": "vector_table",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
