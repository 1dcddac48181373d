"""Fonts and glyphs: a missing or corrupt font file, a font without a requested character and an unwritable
cache folder each give a clear message and the documented fallback (glyce_allennlp/glyph/render.py docstring).

Complements tests/test_glyph_core.py (registry font missing or with a wrong sha256, characters no font can draw,
fallback counting, half-written cache file, unwritable cache folder): here the font is a *user path*, which has no
registry sha256 to catch damage, so the file itself must be diagnosed.
"""
import logging
import shutil

import numpy as np
import pytest
import torch

from glyce_allennlp.glyph import GlyphEmbedding, GlyphRenderer
from glyce_allennlp.glyph.fonts import FontError, resolve_font


def _damaged_font(kind: str, tmp_path):
    from fontTools.ttLib import TTFont

    source = resolve_font("song").path
    data = bytearray(open(source, "rb").read())
    glyf = TTFont(source, lazy=True).reader.tables["glyf"]
    path = tmp_path / f"{kind}.ttf"
    if kind == "empty":
        data = b""
    elif kind == "text_file":
        data = b"this is not a font\n" * 10
    elif kind.startswith("truncated_"):
        data = data[: int(len(data) * float(kind.split("_")[1]))]
    elif kind == "all_glyphs_damaged":
        data[glyf.offset:glyf.offset + glyf.length] = bytes([0xAB]) * glyf.length
    elif kind == "some_glyphs_damaged":
        start = glyf.offset + glyf.length // 2
        data[start:start + glyf.length // 4] = bytes([0xAB]) * (glyf.length // 4)
    path.write_bytes(bytes(data))
    return str(path)


@pytest.mark.parametrize("kind", ["empty", "text_file", "truncated_0.01", "truncated_0.5", "truncated_0.99",
                                  "all_glyphs_damaged"])
def test_unusable_user_font_file_is_a_clear_font_error(kind, tmp_path):
    path = _damaged_font(kind, tmp_path)
    with pytest.raises(FontError) as caught:
        GlyphRenderer(["song", path], image_size=12)
    message = str(caught.value)
    assert path in message and "glyce-allennlp fonts install" in message and "font file you own" in message


def test_damaged_glyphs_in_a_readable_font_fall_back_and_are_counted(tmp_path, caplog):
    path = _damaged_font("some_glyphs_damaged", tmp_path)
    renderer = GlyphRenderer([path, "kai"], image_size=12)
    chars = list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多")
    with caplog.at_level(logging.WARNING):
        images, missing = renderer.render(chars)
    failed = renderer.stats.errors[path]
    assert failed > 0 and renderer.stats.fallback[path] >= failed  # every failure was drawn by the fallback font
    assert not missing.any() and all(images[i, 0].any() for i in range(len(chars)))  # no blank channel
    warnings = [r.getMessage() for r in caplog.records if "failed to draw" in r.getMessage()]
    assert len(warnings) == 1 and path in warnings[0]  # logged once per font, then counted
    assert "failed to draw" in renderer.stats.summary()


def test_bad_face_index_is_a_clear_font_error():
    with pytest.raises(FontError, match="face 7"):
        GlyphRenderer([resolve_font("song").path + "#7"], image_size=12)


def test_character_no_font_can_draw_gets_a_zero_glyph_and_a_warning(caplog):
    embedding = GlyphEmbedding(GlyphRenderer(["song"], 12), list("中文"), output_dim=64, groups=4, progress=False)
    embedding.eval()
    with caplog.at_level(logging.WARNING):
        vectors = embedding(torch.tensor([[ord("中"), ord("\U000F0001"), ord("🙂")]]))
    assert vectors.shape == (1, 3, 64) and torch.isfinite(vectors).all()
    assert embedding.is_missing("\U000F0001") and embedding.is_missing("🙂") and not embedding.is_missing("中")
    assert not embedding.glyph_images([ord("🙂")]).any()
    assert any("no font can draw" in r.getMessage() for r in caplog.records)


def test_unwritable_cache_folder_renders_anyway_and_says_how_to_fix_it(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    monkeypatch.setenv("GLYCE_HOME", str(blocker))  # the default cache folder $GLYCE_HOME/glyphs cannot be created
    renderer = GlyphRenderer(["song"], 12)
    with caplog.at_level(logging.WARNING):
        images, missing = renderer.render_table(list("中文字"), progress=False)
    assert images.shape == (3, 1, 12, 12) and images.any() and not missing.any()
    messages = [r.getMessage() for r in caplog.records]
    assert any("Cannot write the glyph cache" in m and "GLYCE_HOME" in m for m in messages), messages


def test_user_font_replaced_between_runs_gets_a_new_cache_entry(tmp_path):
    path = tmp_path / "mine.ttf"
    shutil.copyfile(resolve_font("song").path, path)
    cache = tmp_path / "glyphs"
    chars = list("中文字")
    first, _ = GlyphRenderer([str(path)], 12).render_table(chars, cache_dir=cache, progress=False)
    shutil.copyfile(resolve_font("kai").path, path)  # same path, other font: the cache key (sha256) changes
    second, _ = GlyphRenderer([str(path)], 12).render_table(chars, cache_dir=cache, progress=False)
    assert not np.array_equal(first, second) and len(list(cache.glob("*.npz"))) == 2
