"""The AllenNLP-free glyph core: fonts, renderer, cache, Tianzige-CNN, glyph embedding."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import glyce_allennlp.glyph as glyph_package
from glyce_allennlp.glyph import GlyphEmbedding, GlyphRenderer, TianzigeCNN, VectorTable, resolve_font
from glyce_allennlp.glyph.fonts import FontError, gb2312_chars, load_registry

FREE = ["song", "traditional", "fangsong", "kai", "cursive"]


def test_registry_matches_manifest_licences_and_has_no_proprietary_fonts():
    registry = load_registry()
    assert {"song", "traditional", "fangsong", "kai", "cursive"} <= {s.script for s in registry.values()}
    for spec in registry.values():
        assert spec.source in ("deb", "npm")
        assert len(spec.sha256) == 64
        assert any(k in spec.license for k in ("OFL", "Arphic", "GPL"))


def test_default_fonts_are_installed_and_verified():
    for name in FREE:
        font = resolve_font(name)
        assert os.path.isfile(font.path)


def test_missing_font_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("GLYCE_FONT_DIR", str(tmp_path))
    with pytest.raises(FontError, match="glyce-allennlp fonts install"):
        resolve_font("kai")
    with pytest.raises(FontError, match="font file you own"):
        resolve_font("seal")


def test_corrupt_font_file_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv("GLYCE_FONT_DIR", str(tmp_path))
    (tmp_path / "gkai00mp.ttf").write_bytes(b"not a font")
    with pytest.raises(FontError, match="does not match the registry"):
        resolve_font("kai")


def test_user_font_path_with_face_and_conversion():
    kai = resolve_font("kai")
    font = resolve_font(f"{kai.path}#0|s2t")
    assert font.face == 0 and font.convert == "s2t" and font.sha256 == kai.sha256


def test_known_character_draws_ink_centred():
    renderer = GlyphRenderer(FREE, image_size=12)
    images, missing = renderer.render(["国", "龍"])
    assert images.shape == (2, 5, 12, 12) and images.dtype == np.uint8
    assert not missing.any()
    for c in range(5):
        ink = images[0, c] > 0
        assert ink.sum() > 10
        ys, xs = np.nonzero(ink)
        assert abs(ys.mean() - 5.5) < 2.5 and abs(xs.mean() - 5.5) < 2.5


def test_traditional_channel_draws_the_traditional_form():
    song, trad = GlyphRenderer(["song"], 24), GlyphRenderer(["traditional"], 24)
    simplified = trad.render(["龙"])[0][0, 0]
    traditional = trad.render(["龍"])[0][0, 0]
    assert np.array_equal(simplified, traditional)  # 龙 is drawn as 龍 in the traditional channel
    assert not np.array_equal(song.render(["龙"])[0][0, 0], simplified)


def test_character_no_font_can_draw_is_detected_not_a_blank_box():
    renderer = GlyphRenderer(["song", "kai"], image_size=12)
    images, missing = renderer.render(["😀", "\U00020000", "\ue000", "中"])
    assert missing.tolist() == [True, True, True, False]
    assert not images[:3].any()  # documented fallback: all-zero image, flagged
    assert len(renderer.stats.missing) == 3


def test_fallback_channel_is_counted():
    # ａ (full-width a) is in the cmap of some fonts and not of others; whatever happens must be visible in stats.
    renderer = GlyphRenderer(FREE, image_size=12)
    chars = [chr(c) for c in range(0x2460, 0x2474)]  # circled digits: patchy coverage across CJK fonts
    images, missing = renderer.render(chars)
    for i, ch in enumerate(chars):
        if not missing[i]:
            assert all(images[i, c].any() for c in range(5)), ch  # no blank channel for a drawable char
    assert sum(renderer.stats.fallback.values()) + len(renderer.stats.missing) > 0


def test_whitespace_is_blank_not_missing():
    images, missing = GlyphRenderer(["song"], 12).render([" ", "\u3000"])
    assert not images.any() and not missing.any()


def test_render_table_cache_roundtrip_and_half_written_file_is_rebuilt(tmp_path):
    renderer = GlyphRenderer(["song", "kai"], image_size=12)
    chars = list("我爱北京天安门")
    first, _ = renderer.render_table(chars, cache_dir=tmp_path, progress=False)
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1
    second, _ = renderer.render_table(chars, cache_dir=tmp_path, progress=False)
    assert np.array_equal(first, second)
    data = files[0].read_bytes()
    files[0].write_bytes(data[: len(data) // 2])  # a process killed mid-write
    third, _ = renderer.render_table(chars, cache_dir=tmp_path, progress=False)
    assert np.array_equal(first, third)
    # a well-formed file whose content does not match its checksum is rebuilt too
    with np.load(files[0]) as good:
        checksum = good["checksum"]
    np.savez(files[0], images=np.zeros_like(first), missing=np.zeros(len(chars), dtype=bool), checksum=checksum)
    fourth, _ = renderer.render_table(chars, cache_dir=tmp_path, progress=False)
    assert np.array_equal(first, fourth)


def test_unwritable_cache_folder_falls_back_to_rendering(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    images, _ = GlyphRenderer(["song"], 12).render_table(list("中文"), cache_dir=blocker / "sub", progress=False)
    assert images.any()


def test_tianzige_cnn_shapes_and_gradients():
    cnn = TianzigeCNN(in_channels=5, output_dim=1024, groups=16, image_size=12)
    assert cnn.down.out_channels == 256 and cnn.down.groups == 16 and cnn.up.groups == 16
    assert cnn.conv.kernel_size == (5, 5) and cnn.up.kernel_size == (2, 2)
    x = torch.rand(7, 5, 12, 12, requires_grad=True)
    y = cnn(x)
    assert y.shape == (7, 1024)
    y.sum().backward()
    assert x.grad.abs().sum() > 0 and cnn.conv.weight.grad.abs().sum() > 0
    assert TianzigeCNN(3, 64, 4, image_size=24)(torch.rand(2, 3, 24, 24)).shape == (2, 64)
    with pytest.raises(ValueError):
        TianzigeCNN(5, 100, 16)


def test_tianzige_cnn_equals_the_papers_order_conv_relu_pool():
    """The CNN pools before its first ReLU (cheaper); outputs and weight gradients equal conv → ReLU → pool's."""
    torch.manual_seed(0)
    cnn = TianzigeCNN(in_channels=3, output_dim=64, groups=4, image_size=12).eval()
    images = (torch.rand(9, 3, 12, 12) > 0.6).float()

    def papers_order(x):
        x = cnn.tianzige_pool(torch.relu(cnn.conv(x)))
        return torch.relu(cnn.up(cnn.down(x))).flatten(1)

    for forward in (cnn, papers_order):
        cnn.zero_grad()
        out = forward(images)
        (out * torch.arange(64.0)).sum().backward()
        if forward is cnn:
            ours, our_grad = out.detach(), cnn.conv.weight.grad.clone()
    assert torch.allclose(ours, out, atol=1e-5) and torch.allclose(our_grad, cnn.conv.weight.grad, atol=1e-4)
    assert (ours > 0).any() and our_grad.abs().sum() > 0


def test_tianzige_cnn_bfloat16_precision_is_close_to_float32_and_trains():
    torch.manual_seed(0)
    cnn = TianzigeCNN(in_channels=3, output_dim=64, groups=4, image_size=12).eval()
    images = (torch.rand(9, 3, 12, 12) > 0.6).float()
    reference = cnn(images)
    cnn.precision = "bfloat16"
    assert cnn.uses_bfloat16(images.device)
    out = cnn(images)
    assert out.dtype == torch.float32 and not torch.equal(out, reference)  # really computed in bfloat16
    assert torch.allclose(out, reference, atol=0.02 * reference.abs().max().item())
    out.sum().backward()
    assert cnn.conv.weight.grad.dtype == torch.float32 and cnn.conv.weight.grad.abs().sum() > 0
    cnn.precision = "auto"  # resolved per device: bfloat16 only where the hardware has it
    from glyce_allennlp.glyph.cnn import native_bfloat16
    assert cnn.uses_bfloat16(images.device) == native_bfloat16("cpu")
    with pytest.raises(ValueError, match="precision"):
        TianzigeCNN(3, 64, 4, precision="half")
    cnn.precision = "float32"  # no autocast of its own: an outer one (a trainer's AMP) still applies
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        under_outer = cnn(images)
    assert not torch.equal(under_outer, reference)


def test_glyph_embedding_unique_chars_unseen_chars_and_memo():
    renderer = GlyphRenderer(["song", "kai"], image_size=12)
    emb = GlyphEmbedding(renderer, list("我爱北京"), output_dim=64, groups=4, progress=False)
    codepoints = torch.tensor([[ord(c) for c in "我爱我北"], [ord("鑫"), ord("京"), 0, 0]])
    emb.train()
    out = emb(codepoints)
    assert out.shape == (2, 4, 64)
    assert torch.allclose(out[0, 0], out[0, 2])  # same char, same vector
    assert out[1, 2:].abs().sum() == 0  # padding
    assert emb.last_aux_loss is not None and emb.last_aux_loss.item() > 0
    (out.sum() + emb.last_aux_loss).backward()
    assert emb.cnn.conv.weight.grad.abs().sum() > 0 and emb.classifier.weight.grad.abs().sum() > 0
    assert emb.num_rendered_on_demand == 1  # 鑫 was never a known char: rendered, not UNK
    emb.eval()
    with torch.no_grad():
        eval_out = emb(codepoints)
    assert eval_out[1, 0].abs().sum() > 0
    assert len(emb._memo) == 6  # padding row + 4 known chars + 鑫: each computed once
    emb.train()
    assert len(emb._memo) == 0  # weights may change: the table is dropped
    emb.eval()
    assert emb.last_aux_loss is None
    assert "_images" not in str(list(emb.state_dict()))  # glyph table is rebuilt from fonts, not saved


def test_vector_table_computes_each_key_once_and_keeps_order():
    calls = []

    def compute(keys):
        calls.append(keys.tolist())
        return keys.float().unsqueeze(-1).repeat(1, 3) * 10

    table = VectorTable(3)
    out = table.lookup(torch.tensor([[5, 7, 5], [0, 7, 9]]), compute)
    assert calls == [[0, 5, 7, 9]] and out.shape == (2, 3, 3)
    assert out[:, :, 0].tolist() == [[50.0, 70.0, 50.0], [0.0, 70.0, 90.0]]
    out = table.lookup(torch.tensor([9, 11, 5]), compute)
    assert calls[1:] == [[11]] and out[:, 1].tolist() == [90.0, 110.0, 50.0]  # only the new key computed
    assert len(table) == 5 and 11 in table and 12 not in table
    table.clear()
    table.lookup(torch.tensor([5]), compute)
    assert calls[2:] == [[5]] and len(table) == 1


def test_vector_table_computes_without_gradients():
    weight = torch.ones(1, requires_grad=True)
    out = VectorTable(2).lookup(torch.tensor([1, 2]), lambda keys: keys.float().unsqueeze(-1) * weight.expand(2))
    assert not out.requires_grad


def test_gb2312_tables():
    assert len(gb2312_chars()) == 6763 and len(gb2312_chars(level1_only=True)) == 3755


def test_glyph_core_imports_without_allennlp():
    code = ("import importlib, pkgutil, sys; sys.modules['allennlp'] = None; sys.modules['allennlp_models'] = None\n"
            "import glyce_allennlp.glyph as glyph\n"
            "for m in pkgutil.iter_modules(glyph.__path__): importlib.import_module('glyce_allennlp.glyph.' + m.name)\n"
            "from glyce_allennlp.glyph import GlyphRenderer, GlyphEmbedding\n"
            "import torch\n"
            "e = GlyphEmbedding(GlyphRenderer(['song'], 12), list('中文'), output_dim=64, groups=4, progress=False)\n"
            "print(e(torch.tensor([[ord('中'), ord('字')]])).shape)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    assert out.returncode == 0, out.stderr
    assert "torch.Size([1, 2, 64])" in out.stdout


def _glyph_imports(path) -> set:
    """The glyph modules a glyph module imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:
                found.update([module] if module else [alias.name for alias in node.names])
            elif module.startswith("glyce_allennlp.glyph."):
                found.add(module.split(".")[2])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith("glyce_allennlp.glyph."))
    return found


def test_glyph_modules_import_each_other_without_a_cycle():
    package = Path(glyph_package.__file__).parent
    graph = {p.stem: _glyph_imports(p) for p in package.glob("*.py") if p.stem != "__init__"}
    assert graph["fonts"] == set()  # the base: registry, installation, font references
    done, visiting = set(), []

    def visit(name):
        assert name not in visiting, f"import cycle: {' -> '.join(visiting + [name])}"
        if name in done:
            return
        visiting.append(name)
        for other in graph.get(name, ()):
            visit(other)
        visiting.pop()
        done.add(name)

    for name in graph:
        visit(name)


def test_the_package_exports_its_names_lazily():
    assert set(glyph_package.__all__) == {"FontError", "font_dir", "glyce_home", "install_fonts", "load_registry",
                                          "resolve_font", "FontCoverage", "to_traditional", "GlyphRenderer",
                                          "TianzigeCNN", "GlyphEmbedding", "VectorTable"}
    for name in glyph_package.__all__:
        assert getattr(glyph_package, name).__name__ == name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        glyph_package.nothing
