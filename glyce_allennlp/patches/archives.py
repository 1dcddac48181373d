"""Model archives (``model.tar.gz``): written atomically, verified before they are loaded.

What AllenNLP 2.10.1 does wrong (``allennlp.models.archival``):

* ``archive_model`` writes ``model.tar.gz`` in place: a process killed while archiving (or a full disk) leaves a
  truncated archive under the final name, which looks like a finished training;
* ``load_archive`` extracts with :mod:`tarfile`, which reads neither the gzip trailer (a truncated or bit-flipped
  archive goes unnoticed) nor reports damage clearly (a flipped byte surfaces as ``vocabulary not found`` in a
  temporary folder), and ``torch.load`` does not check the CRC32 of the records inside ``weights.th``.

What this module does:

* ``archive_model`` writes to a temporary name in the archive's folder and renames it when complete
  (:mod:`glyce_allennlp.patches.atomic_files`);
* ``load_archive`` first verifies the archive (:func:`glyce_allennlp.archive_check.verify_archive`: gzip CRC, tar
  structure, the members AllenNLP needs, ``config.json``, CRC32 of every record of ``weights.th``; skipped when
  ``GLYCE_VERIFY_ARCHIVES=0``), and re-raises the errors of a damaged archive as
  :class:`~glyce_allennlp.archive_check.ArchiveError` naming the archive, with a hint. Weights are loaded with
  torch's default ``weights_only=True`` only.

Both are module functions that other AllenNLP modules import by name (``from allennlp.models.archival import
load_archive`` in ``allennlp.predictors.predictor``, ``allennlp.commands.*``, ...): every loaded module's binding to
the original function is pointed at the wrapper.
"""
import functools
import logging
import os
import sys

from allennlp.common.file_utils import cached_path
from allennlp.models import archival as _archival

from glyce_allennlp.archive_check import explain_load_error, verify_archive
from glyce_allennlp.patches.atomic_files import replacing

logger = logging.getLogger(__name__)

_original_archive_model = _archival.archive_model
_original_load_archive = _archival.load_archive


@functools.wraps(_original_archive_model)
def archive_model_atomically(serialization_dir, weights=_archival._DEFAULT_WEIGHTS, archive_path=None,
                             include_in_archive=None) -> str:
    if archive_path is not None:
        final = os.fspath(archive_path)
        if os.path.isdir(final):
            final = os.path.join(final, "model.tar.gz")
    else:
        final = os.path.join(serialization_dir, "model.tar.gz")
    with replacing(final) as tmp:
        _original_archive_model(serialization_dir, weights, tmp, include_in_archive)
    logger.info("model archive written to %s", final)
    return final


@functools.wraps(_original_load_archive)
def load_archive_checked(archive_file, cuda_device: int = -1, overrides="", weights_file: str = None):
    label = str(archive_file)
    if os.environ.get("GLYCE_VERIFY_ARCHIVES", "1") != "0":
        verify_archive(cached_path(archive_file), require_weights=weights_file is None, label=label)
    try:
        return _original_load_archive(archive_file, cuda_device, overrides, weights_file)
    except Exception as error:
        explained = explain_load_error(label, error)
        if explained is None:
            raise
        raise explained from error


def _rebind(original, replacement) -> None:
    """Point every loaded module's global that is ``original`` (``from x import f``) at ``replacement``."""
    name = original.__name__
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, name, None) is original:
            setattr(module, name, replacement)


def apply() -> None:
    _rebind(_original_archive_model, archive_model_atomically)
    _rebind(_original_load_archive, load_archive_checked)
