import os
import tempfile

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
