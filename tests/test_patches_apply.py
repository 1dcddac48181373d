"""glyce_allennlp.patches.apply(): the version guard, idempotence, and when it runs."""
import subprocess
import sys

import pytest


def test_an_unsupported_allennlp_version_is_refused_naming_both_versions(components, monkeypatch):
    import allennlp.version

    from glyce_allennlp import patches

    monkeypatch.setattr(allennlp.version, "VERSION", "2.9.3")
    with pytest.raises(patches.UnsupportedAllenNLPVersion) as caught:
        patches.apply()
    message = str(caught.value)
    assert "AllenNLP 2.9.3 is installed" in message and "supports AllenNLP 2.10.1" in message
    assert "allennlp==2.10.1" in message


def test_apply_twice_wraps_nothing_twice(components):
    from allennlp.commands.predict import _PredictManager
    from allennlp.training.checkpointer import Checkpointer
    from allennlp.training.metrics import SpanBasedF1Measure

    from glyce_allennlp import patches

    before = (_PredictManager._get_json_data, Checkpointer.__init__, Checkpointer.find_latest_checkpoint,
              SpanBasedF1Measure.get_metric)
    patches.apply()
    patches.apply()
    after = (_PredictManager._get_json_data, Checkpointer.__init__, Checkpointer.find_latest_checkpoint,
             SpanBasedF1Measure.get_metric)
    assert after == before
    assert sum(getattr(f, "glyce_nltk_downloads", False) for f in sys.meta_path) == 1


_EMPTY_ARCHIVE_THROUGH_ALLENNLP = """
import sys, tempfile
{imports}
from allennlp.models.archival import load_archive
with tempfile.NamedTemporaryFile(suffix=".tar.gz") as empty:
    try:
        load_archive(empty.name)
    except Exception as error:
        print(type(error).__module__ + "." + type(error).__name__)
"""


@pytest.mark.slow
@pytest.mark.parametrize("imports, patched", [
    ("import glyce_allennlp.predictors", True),
    ("import glyce_allennlp.models", True),
    ("import glyce_allennlp", False),  # stays cheap: neither patches nor imports AllenNLP
])
def test_importing_an_allennlp_facing_subpackage_applies_the_patches(imports, patched, tmp_path):
    code = _EMPTY_ARCHIVE_THROUGH_ALLENNLP.format(imports=imports)
    # TMPDIR: AllenNLP's own load_archive leaves the empty folder it made for extracting behind when the archive is
    # unreadable; here it lands in the test's folder
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    error = proc.stdout.strip().splitlines()[-1]
    # the patched load_archive verifies the archive first; AllenNLP's own fails inside tarfile
    assert (error == "glyce_allennlp.archive_check.ArchiveError") == patched, error


def test_importing_glyce_allennlp_imports_neither_allennlp_nor_torch():
    code = "import sys, glyce_allennlp, glyce_allennlp.patches; print(sorted({'allennlp', 'torch'} & set(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "[]"
