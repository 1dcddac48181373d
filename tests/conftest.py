import os
import tempfile

# One torch/BLAS thread per process: tests start `allennlp` subprocesses beside the pytest process, and on a small
# machine oversubscribed threads make CPU training tens of times slower (measured here: 34 s vs 3.4 s per epoch).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
import torch  # noqa: E402

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

import pytest

# Keep every test's glyph cache out of the user's cache folder, but keep the installed fonts.
from glyce_allennlp.glyph.fonts import font_dir

os.environ.setdefault("GLYCE_FONT_DIR", str(font_dir()))
os.environ["GLYCE_HOME"] = tempfile.mkdtemp(prefix="glyce-test-home-")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "fixtures")


@pytest.fixture(scope="session")
def components():
    """Register glyce_allennlp + allennlp-models components (as --include-package does)."""
    import glyce_allennlp

    glyce_allennlp.load_components()
    return True
