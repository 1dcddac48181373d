"""Integrity checks for AllenNLP model archives (``model.tar.gz``) and torch checkpoint files. No AllenNLP here.

Why: AllenNLP 2.10.1 extracts an archive with :mod:`tarfile`, which neither reads the gzip trailer (so a truncated or
bit-flipped CRC goes unnoticed) nor reports a damaged archive clearly (a flipped byte in the middle surfaces as
``FileNotFoundError: .../vocabulary not found`` from a temporary folder), and ``torch.load`` does not check the CRC32
of the records inside ``weights.th`` (corrupted weights load silently). :func:`verify_archive` reads the archive once,
to the end: gzip CRC and length, tar structure, the members AllenNLP needs, ``config.json`` as JSON, and the CRC32 of
every record of ``weights.th``. Every problem is an :class:`ArchiveError` naming the archive, the member and a hint.

:mod:`glyce_allennlp.patches.archives` runs it before every ``load_archive`` (``allennlp predict``/``evaluate``,
``Predictor.from_path``, ...), and turns the errors AllenNLP/torch raise while loading into :class:`ArchiveError`
too. Set ``GLYCE_VERIFY_ARCHIVES=0`` to skip the up-front check (it costs one extra decompression of the archive).

Weights are only ever loaded with torch's default ``weights_only=True`` (torch >= 2.6): a ``weights.th`` whose pickle
refers to anything but tensors and plain containers is refused (and reported as an :class:`ArchiveError`), never
executed.
"""
import gzip
import json
import os
import tarfile
import tempfile
import zipfile
import zlib
from typing import Dict, Optional

__all__ = ["ArchiveError", "verify_archive", "is_complete_torch_file", "REQUIRED_MEMBERS"]

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "weights.th"
VOCABULARY_DIR = "vocabulary"
REQUIRED_MEMBERS = (CONFIG_NAME, WEIGHTS_NAME, VOCABULARY_DIR)

_HINT = ("The archive is truncated (e.g. a copy or download that stopped early, or a training run killed while "
         "writing it) or was modified after it was written. Copy or download it again, or re-create it from the "
         "training folder with `allennlp train ... --recover` (or allennlp.models.archival.archive_model).")


class ArchiveError(RuntimeError):
    """A model archive that cannot be loaded safely: ``str(error)`` names the archive, what is wrong, and a hint."""

    def __init__(self, archive: str, problem: str, hint: str = _HINT) -> None:
        self.archive = str(archive)
        self.problem = problem
        self.hint = hint
        super().__init__(f"Cannot load the model archive {self.archive}: {problem}. {hint}".rstrip())

    def __reduce__(self):
        return ArchiveError, (self.archive, self.problem, self.hint)


def _torch_format(head: bytes) -> str:
    """``"zip"`` (torch >= 1.6), ``"legacy"`` (a pickle stream or the old tar layout), or ``"unknown"``."""
    if head[:4] == b"PK\x03\x04":
        return "zip"
    if head[:1] == b"\x80" or head[257:262] == b"ustar":
        return "legacy"
    return "unknown"


def is_complete_torch_file(path: os.PathLike, check_crc: bool = False) -> bool:
    """Whether ``path`` is a complete ``torch.save`` zip file (its central directory, written last, is there), and,
    with ``check_crc``, whether every record matches its CRC32. Legacy (pre-zip, torch < 1.6) files return True:
    they cannot be checked."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
        kind = _torch_format(head)
        if kind != "zip":
            return kind == "legacy"
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None if check_crc else True
    except Exception:  # noqa: BLE001 — a damaged zip makes zipfile raise many kinds (see _check_weights)
        return False


def _check_weights(archive: str, handle) -> None:
    head = handle.read(512)
    handle.seek(0)
    kind = _torch_format(head)
    if kind == "legacy":
        return  # legacy torch serialisation: no CRCs to check (and torch's safe loader refuses it, see below)
    if kind == "unknown":
        raise ArchiveError(archive, f"its {WEIGHTS_NAME} is not a file written by torch.save")
    try:
        with zipfile.ZipFile(handle) as weights:
            bad = weights.testzip()
    except Exception as error:  # noqa: BLE001 — on a damaged zip, zipfile raises BadZipFile, zlib.error, EOFError,
        # OSError, but also ValueError (negative seek), NotImplementedError (bogus version/compression), RuntimeError
        # (bogus encryption flag), …: for a file being checked each of them means "damaged"
        raise ArchiveError(archive, f"its {WEIGHTS_NAME} is not a complete torch file ({type(error).__name__}: "
                                    f"{error})") from error
    if bad is not None:
        raise ArchiveError(archive, f"its {WEIGHTS_NAME} is corrupt: record {bad!r} does not match its CRC32")


def verify_archive(path: os.PathLike, require_weights: bool = True, label: Optional[str] = None) -> Dict[str, int]:
    """Check a ``model.tar.gz`` (or a serialization folder) without loading it; return ``{member: size}``.

    Raises :class:`ArchiveError` when the file is empty, not a gzip/tar file, truncated, fails the gzip CRC, lacks
    ``config.json`` / ``weights.th`` (unless ``require_weights`` is False) / ``vocabulary/``, has a ``config.json``
    that is not JSON, or a ``weights.th`` whose records fail their CRC32. ``label`` is the name to report (default:
    ``path``).
    """
    label = str(label or path)
    path = os.fspath(path)
    if os.path.isdir(path):
        sizes = {name: 0 for name in os.listdir(path)}
        if CONFIG_NAME not in sizes:
            raise ArchiveError(label, f"the folder has no {CONFIG_NAME}", hint="")
        return sizes
    if not os.path.exists(path):
        raise ArchiveError(label, "the file does not exist", hint="")
    if os.path.getsize(path) == 0:
        raise ArchiveError(label, "the file is empty")
    sizes: Dict[str, int] = {}
    required = set(REQUIRED_MEMBERS if require_weights else (CONFIG_NAME, VOCABULARY_DIR))
    try:
        with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
            with tarfile.open(fileobj=unzipped, mode="r|") as tar:  # streaming: one pass over the archive
                for member in tar:
                    name = member.name[2:] if member.name.startswith("./") else member.name
                    sizes[name] = member.size
                    if name == CONFIG_NAME:
                        text = tar.extractfile(member).read()
                        try:
                            json.loads(text.decode("utf-8"))
                        except (UnicodeDecodeError, ValueError) as error:
                            raise ArchiveError(label, f"its {CONFIG_NAME} is not valid JSON ({error})") from error
                    elif name == WEIGHTS_NAME:
                        with tempfile.SpooledTemporaryFile(max_size=64 << 20) as spool:
                            source = tar.extractfile(member)
                            for block in iter(lambda: source.read(1 << 20), b""):
                                spool.write(block)
                            spool.seek(0)
                            _check_weights(label, spool)
            # tarfile stops at the end-of-archive blocks: read on to the gzip trailer (CRC32 and length)
            while unzipped.read(1 << 20):
                pass
    except ArchiveError:
        raise
    except gzip.BadGzipFile as error:
        raise ArchiveError(label, f"it is not a gzip file or its gzip data is corrupt ({error})") from error
    except EOFError as error:
        raise ArchiveError(label, f"it ends early ({error})") from error
    except (tarfile.TarError, zlib.error, OSError) as error:
        raise ArchiveError(label, f"it is not a readable .tar.gz ({type(error).__name__}: {error})") from error
    present = {name.split("/", 1)[0] for name in sizes}
    missing = sorted(required - present)
    if missing:
        raise ArchiveError(label, f"it lacks {', '.join(missing)} (members: {', '.join(sorted(sizes)) or 'none'})")
    return sizes


def explain_load_error(archive: str, error: BaseException) -> Optional[ArchiveError]:
    """An :class:`ArchiveError` for an exception raised while AllenNLP loads ``archive``, or None when the error is
    not about the archive's bytes (e.g. a component that is not registered: those keep their own message)."""
    import pickle

    text = f"{type(error).__name__}: {error}"
    if isinstance(error, pickle.UnpicklingError) or "Weights only load failed" in str(error):
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return ArchiveError(
            archive, f"its {WEIGHTS_NAME} holds objects that torch's safe loader (weights_only=True) refuses "
                     f"({first})",
            hint="AllenNLP archives hold only tensors: this file was not written by AllenNLP's trainer, or was "
                 "tampered with. Do not load it with weights_only=False unless you trust where it came from.")
    if isinstance(error, RuntimeError) and "legacy" in str(error) and "weights_only" in str(error):
        return ArchiveError(
            archive, f"its {WEIGHTS_NAME} is in torch's legacy (torch < 1.6) format, which torch's safe loader "
                     f"(weights_only=True) cannot read",
            hint="If you trust where the archive came from, convert it once in a separate script: extract it, run "
                 "torch.save(torch.load('weights.th', weights_only=False), 'weights.th') and re-create the "
                 "tar.gz; glyce-allennlp itself never loads with weights_only=False.")
    if isinstance(error, (EOFError, tarfile.TarError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)):
        return ArchiveError(archive, text)
    if isinstance(error, RuntimeError) and ("PytorchStreamReader" in str(error) or "zip archive" in str(error)):
        return ArchiveError(archive, f"its {WEIGHTS_NAME} cannot be read ({text.splitlines()[0]})")
    if isinstance(error, FileNotFoundError) and getattr(error, "filename", None) is None and \
            tempfile.gettempdir() in str(error):
        return ArchiveError(archive, f"a member is missing after extraction ({text})")
    return None

