"""``glyce-allennlp fonts install`` / ``fonts list``: the exit status when a font cannot be installed, and the font
commands without torch."""
import os
import subprocess
import sys

import pytest

from conftest import REPO
from glyce_allennlp.cli import main
from glyce_allennlp.glyph import fonts


@pytest.fixture
def font_folder_missing_kai(tmp_path, monkeypatch):
    """A font folder holding every default font but ``kai`` (links to the installed files), and a fetch that cannot
    reach the package of ``kai``."""
    registry = fonts.load_registry()
    for spec in registry.values():
        if spec.default and spec.name != "kai":
            (tmp_path / spec.filename).symlink_to(fonts.installed_path(spec))
    kai = registry["kai"]

    def unreachable(package, version, workdir):
        raise fonts.FontError(f"`apt-get download {package}={version}` failed: no network")

    monkeypatch.setattr(fonts, "_fetch_deb", unreachable)
    monkeypatch.setattr(fonts, "_fetch_npm", unreachable)
    monkeypatch.setenv("GLYCE_FONT_DIR", str(tmp_path))
    return kai


def test_fonts_install_fails_naming_a_default_font_that_could_not_be_installed(font_folder_missing_kai, capsys):
    assert main(["fonts", "install"]) == 1
    err = capsys.readouterr().err
    assert f"kai: unavailable: `apt-get download {font_folder_missing_kai.package}" in err
    assert "1 font(s) could not be installed: kai" in err and "--allow-missing" in err


def test_fonts_install_allow_missing_exits_0_and_still_names_the_font(font_folder_missing_kai, capsys):
    assert main(["fonts", "install", "--allow-missing"]) == 0
    err = capsys.readouterr().err
    assert "kai: unavailable" in err and "allowed by --allow-missing" in err


def test_fonts_install_exits_0_when_every_font_is_there(font_folder_missing_kai, capsys):
    assert main(["fonts", "install", "song", "cursive"]) == 0
    assert capsys.readouterr().err == ""


def test_fonts_install_unknown_name_is_a_clear_error(capsys):
    assert main(["fonts", "install", "no_such_font"]) == 2
    assert "Unknown font name(s) ['no_such_font']" in capsys.readouterr().err


def test_fonts_list_and_install_run_without_torch():
    code = ("import sys\n"
            "sys.modules['torch'] = None\n"
            "from glyce_allennlp.cli import main\n"
            "assert main(['fonts', 'list']) == 0\n"
            "assert main(['fonts', 'install', 'song']) == 0\n"
            "import glyce_allennlp.glyph as glyph\n"
            "assert glyph.FontError.__name__ == 'FontError'\n"
            "try:\n"
            "    glyph.GlyphEmbedding\n"
            "except ImportError:\n"
            "    print('GlyphEmbedding needs torch')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=os.environ)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("font folder: ")
    assert any(line.split()[:4] == ["song", "song", "yes", "yes"] for line in lines)
    assert lines[-1] == "GlyphEmbedding needs torch"
