"""``glyce-allennlp fonts list``: the font registry, what is installed, GB2312 coverage, licences.

No AllenNLP, no torch.
"""
import sys
from typing import Optional, TextIO

from .coverage import FontCoverage
from .fonts import font_dir, gb2312_chars, installed_path, is_installed, load_registry

__all__ = ["print_font_list"]


def print_font_list(out: Optional[TextIO] = None) -> None:
    """Write one row per registry font (name, script, default, installed, cmap coverage of the 3,755 level-1 and of
    all 6,763 GB2312 hanzi, licence) to ``out`` (default ``sys.stdout``), after the font folder and before the
    scripts without a free font."""
    out = out or sys.stdout
    registry = load_registry()
    all_chars = gb2312_chars()
    level1 = set(gb2312_chars(level1_only=True))
    out.write(f"font folder: {font_dir()}\n")
    out.write(f"{'name':<18}{'script':<13}{'default':<9}{'installed':<11}{'GB2312 L1':>11}{'all':>10}  licence\n")
    for spec in registry.values():
        installed = is_installed(spec)
        cov1 = cov = "-"
        if installed:
            coverage = FontCoverage(str(installed_path(spec)), spec.face, spec.convert)
            have = [c for c in all_chars if coverage.has(c)]
            cov1 = f"{sum(1 for c in have if c in level1)}/{len(level1)}"
            cov = f"{len(have)}/{len(all_chars)}"
        out.write(f"{spec.name:<18}{spec.script:<13}{'yes' if spec.default else 'no':<9}"
                  f"{'yes' if installed else 'NO':<11}{cov1:>11}{cov:>10}  {spec.license}\n")
    out.write("no free font: bronzeware, clerical, seal, tablet -> pass a path to a font file you own\n")
