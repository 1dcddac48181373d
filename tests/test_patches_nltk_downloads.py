"""glyce_allennlp.patches.nltk_downloads: importing allennlp-models (as every ``allennlp`` command does) attempts no
NLTK download; the hook installed at interpreter start by ``make setup``; ``make demo``'s output is free of
``[nltk_data]`` and ``pkg_resources`` lines."""
import os
import subprocess
import sys

import pytest

from reliability_support import REPO, subprocess_env

HOOKED = "import sys; print(any(getattr(f, 'glyce_nltk_downloads', False) for f in sys.meta_path))"


def test_the_environment_installs_the_hook_at_interpreter_start():
    """``make setup`` ran ``python -m glyce_allennlp.patches.nltk_downloads install`` in this environment."""
    proc = subprocess.run([sys.executable, "-c", HOOKED], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "True", ("run: python -m glyce_allennlp.patches.nltk_downloads install", proc.stderr)


def test_the_pth_line_installs_the_hook_and_does_nothing_once_its_file_is_gone(tmp_path):
    from glyce_allennlp.patches import nltk_downloads

    site_dir = tmp_path / "site"
    site_dir.mkdir()
    pth = nltk_downloads.install(str(site_dir))
    assert os.path.dirname(pth) == str(site_dir)
    code = f"import site; site.addsitedir({str(site_dir)!r}); " + HOOKED
    run = [sys.executable, "-S", "-c", code]  # -S: not the environment's own .pth files, only ours
    proc = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert (proc.stdout.strip(), proc.stderr) == ("True", "")

    (site_dir / nltk_downloads.PTH_NAME).write_text(nltk_downloads.pth_line(str(tmp_path / "moved.py")))
    proc = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert (proc.stdout.strip(), proc.stderr) == ("False", "")
    nltk_downloads.uninstall(str(site_dir))
    assert not (site_dir / nltk_downloads.PTH_NAME).exists()


_IMPORT_NARRATIVEQA = """
import sys
if {without_hook}:
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "glyce_nltk_downloads", False)]
else:
    from glyce_allennlp.patches import nltk_downloads
    nltk_downloads.install_finder()
import nltk
nltk.data.path[:] = []  # as on a machine without NLTK data
calls = []
nltk.download = lambda *args, **kwargs: calls.append(args[0]) or False
import allennlp_models.rc.tools.narrativeqa
print(calls)
"""


@pytest.mark.slow
@pytest.mark.parametrize("without_hook, expected", [(False, "[]"), (True, "['punkt', 'wordnet']")])
def test_importing_allennlp_models_downloads_nothing_with_the_hook(without_hook, expected):
    proc = subprocess.run([sys.executable, "-c", _IMPORT_NARRATIVEQA.format(without_hook=without_hook)],
                          capture_output=True, text=True, timeout=600, env=subprocess_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == expected


_DEMO_ONE_EPOCH = """
import sys
from glyce_allennlp import demo
demo.OUT = sys.argv[1]
demo.TASKS = {task: spec[:-1] + (1,) for task, spec in demo.TASKS.items()}  # one epoch each: the same commands
demo.main()
"""


@pytest.mark.slow
def test_demo_output_has_no_nltk_or_pkg_resources_lines(tmp_path):
    proc = subprocess.run([sys.executable, "-c", _DEMO_ONE_EPOCH, str(tmp_path / "demo")], cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1200, env=subprocess_env())
    output = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, output[-4000:]
    assert "=== segmenting, POS-tagging and NER-tagging" in output
    assert "nltk_data" not in output and "pkg_resources" not in output, output[:3000]
