"""Rendering speed check: the glyph table of the 6,763 GB2312 hanzi × the installed fonts, rendered cold (empty cache
folder) and then loaded from the cache. Target: under 20 s cold, under 1 s from the cache.

Two font sets: every installed registry font, and the five scripts of our configs (song, traditional, fangsong, kai,
cursive). Times are wall-clock on this machine, one thread; "open" is opening the fonts and reading their cmaps
(GlyphRenderer construction), which a cached load pays too.

    python benchmarks/render_check.py [--size 12] [--out render.json]
"""
import argparse
import json
import tempfile
import time
from pathlib import Path

CONFIG_FONTS = ["song", "traditional", "fangsong", "kai", "cursive"]


def measure(fonts, size, chars):
    from glyce_allennlp.glyph.render import GlyphRenderer

    with tempfile.TemporaryDirectory(prefix="glyce-render-check-") as cache:
        start = time.perf_counter()
        renderer = GlyphRenderer(fonts, size)
        open_seconds = time.perf_counter() - start
        start = time.perf_counter()
        images, missing = renderer.render_table(chars, cache_dir=cache, progress=False)
        cold = time.perf_counter() - start
        renderer = GlyphRenderer(fonts, size)  # a fresh process would build a fresh renderer too
        start = time.perf_counter()
        again, _ = renderer.render_table(chars, cache_dir=cache, progress=False)
        load = time.perf_counter() - start
        assert (again == images).all()
        cache_bytes = sum(p.stat().st_size for p in Path(cache).glob("*.npz"))
    return {"fonts": list(fonts), "characters": len(chars), "image_size": size, "open_seconds": open_seconds,
            "cold_render_seconds": cold, "cache_load_seconds": load, "missing": int(missing.sum()),
            "cache_megabytes": cache_bytes / 2 ** 20}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=12)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    from glyce_allennlp.glyph.fonts import gb2312_chars, is_installed, load_registry

    chars = gb2312_chars()
    installed = [s.name for s in load_registry().values() if is_installed(s)]
    report = {"all_installed": measure(installed, args.size, chars)}
    if all(name in installed for name in CONFIG_FONTS):
        report["config_fonts"] = measure(CONFIG_FONTS, args.size, chars)
    print(json.dumps(report, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
