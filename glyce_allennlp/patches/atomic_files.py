"""Atomic file writes for the checkpoint and archive patches, and the removal of what a killed writer leaves behind.
No AllenNLP here.

A file is written to a temporary name in the folder of its final name, ``{final}.{pid}.tmp`` (``pid``: the writing
process), and renamed with :func:`os.replace` once complete, so the final name only ever holds a complete file. A
process killed mid-write (SIGKILL, out of memory, power loss) leaves at most the temporary file, which can be as large
as a checkpoint: :func:`remove_stale_temporary_files` deletes those whose writer is no longer running.
"""
import contextlib
import logging
import os
import re
from typing import Iterator, List

import torch

logger = logging.getLogger(__name__)

# the temporary names of what the patches write: torch files (*.th) and archives (*.tar.gz)
_TEMPORARY_NAME = re.compile(r"^(?P<final>.+\.(?:th|tar\.gz))\.(?P<pid>[0-9]+)\.tmp$")


def temporary_path(final: str) -> str:
    """The temporary name this process writes ``final`` under: ``{final}.{pid}.tmp``."""
    return f"{final}.{os.getpid()}.tmp"


@contextlib.contextmanager
def replacing(final: str) -> Iterator[str]:
    """Yield a temporary path to write ``final``'s content to; on success it is renamed to ``final`` (atomic on
    POSIX: readers see the old file or the new one, never a part). On any exception, including KeyboardInterrupt, the
    temporary file is removed and ``final`` is untouched."""
    tmp = temporary_path(final)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def atomic_torch_save(obj, path) -> None:
    """``torch.save(obj, path)`` through :func:`replacing`: a process killed mid-write leaves at most a temporary
    file, never a half-written ``path``."""
    with replacing(os.fspath(path)) as tmp:
        with open(tmp, "wb") as handle:  # a file object: the records inside are named archive/..., not after tmp
            torch.save(obj, handle)


def _is_running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process is not writing while it cleans up
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a process of another account
    except OverflowError:
        return False
    return True


def remove_stale_temporary_files(folder) -> List[str]:
    """Delete the temporary files of :func:`replacing` for torch files and archives (``*.th.{pid}.tmp``,
    ``*.tar.gz.{pid}.tmp``) in ``folder`` (not below it) whose writing process is no longer running; return their
    paths. Other files, including other ``*.tmp`` files, are never touched; a temporary file of a running process
    (e.g. another run writing into the same folder) is kept."""
    removed: List[str] = []
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return removed
    for name in sorted(names):
        match = _TEMPORARY_NAME.match(name)
        path = os.path.join(folder, name)
        if match is None or not os.path.isfile(path) or _is_running(int(match["pid"])):
            continue
        try:
            os.remove(path)
        except FileNotFoundError:
            continue  # removed concurrently
        logger.warning("Removed %s: a temporary file left by a process that was killed while writing %s.",
                       path, match["final"])
        removed.append(path)
    return removed
