import atexit
import logging
import os
import shutil
import sys
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
# Each pytest process (the main one and every xdist worker) removes its own cache folder when it exits.
atexit.register(shutil.rmtree, os.environ["GLYCE_HOME"], ignore_errors=True)


def _remove_allennlp_test_dir():
    """``allennlp.common.testing`` makes a temporary folder when it is imported and never removes it."""
    test_case = sys.modules.get("allennlp.common.testing.test_case")
    if test_case is not None:
        shutil.rmtree(test_case.TEST_DIR, ignore_errors=True)


atexit.register(_remove_allennlp_test_dir)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "fixtures")


@pytest.fixture(scope="session")
def components():
    """Register glyce_allennlp + allennlp-models components (as --include-package does)."""
    import glyce_allennlp

    glyce_allennlp.load_components()
    return True


@pytest.fixture(scope="session", autouse=True)
def _trained_runs_folder(tmp_path_factory):
    """The runs trained by :func:`train_config` go under pytest's temporary folder (kept for the last few sessions)."""
    from training_support import set_runs_folder

    set_runs_folder(tmp_path_factory.mktemp("trained"))


@pytest.fixture(scope="session")
def train_config(components):
    """``train_config(config, data, overrides=None, call=None, env=None)`` → serialization folder of ``config``
    (a file under training_configs/, or a libsonnet there with ``call``) trained on fixture files ``data`` =
    ``(train, validation[, test])``, once per test session for each set of arguments: see
    :func:`training_support.train_once`."""
    from training_support import train_once

    return train_once


@pytest.fixture(autouse=True)
def _remove_training_log_handlers():
    """An in-process ``allennlp train`` replaces the root logger's handlers with its own (a ``FileHandler`` on the
    run's out.log, ``StreamHandler``s on stdout and stderr), sets its level, and points AllenNLP's progress-bar
    logger ("tqdm") at the same ``FileHandler``: after each test, remove and close the plain file/stream handlers
    added during the test to either logger (pytest's own handlers are subclasses) and restore the root level, so that
    later tests do not log into a run folder (a ``ModelTestCase`` deletes its folder after the test: a progress bar
    of a later test in the same process would fail to reopen the closed handler's out.log)."""
    root = logging.getLogger()
    before = {logger: set(logger.handlers) for logger in (root, logging.getLogger("tqdm"))}
    level = root.level
    yield
    for logger, handlers in before.items():
        for handler in list(logger.handlers):
            if handler not in handlers and type(handler) in (logging.FileHandler, logging.StreamHandler):
                logger.removeHandler(handler)
                handler.close()
    root.setLevel(level)
