"""Private work folders, and the sweep that removes the ones a dead process left behind.

A call or a job works in a folder of its own (inputs linked in, intermediate files, outputs
before they are stored), made by :func:`work_folder` and removed when the work ends, whatever
the outcome. A process killed outright (SIGKILL, out of memory, a lost machine) cannot clean
up, and its folder would keep a partial output and hard links that hold deleted assets' bytes
on disk. So while a folder is in use its owner holds an exclusive ``flock`` on the folder's
``.owner`` file: the kernel drops that lock with the dead process's file descriptors, and
:func:`sweep_work_folders` removes exactly the folders nobody holds, with no timers or pids.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

__all__ = ["OWNER_FILE", "sweep_work_folders", "work_folder"]

OWNER_FILE: Final = ".owner"
# A folder with no owner file yet is being made right now (between mkdtemp and the lock), or
# was left by a release that predates the lock: it is swept only once it is this old.
_UNLOCKED_GRACE_S: Final = 60.0


@contextlib.contextmanager
def work_folder(root: Path, prefix: str) -> Iterator[Path]:
    """A fresh private folder under ``root``, held while in use and removed at exit."""
    root.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(dir=root, prefix=prefix))
    # O_CLOEXEC: ffmpeg and other children must not inherit (and so prolong) the lock.
    owner = os.open(path / OWNER_FILE, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(owner, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(owner)


def sweep_work_folders(
    root: Path, *, prefixes: tuple[str, ...], clock: Callable[[], float] = time.time
) -> list[Path]:
    """Remove the folders under ``root`` (named with one of ``prefixes``) that no live process
    holds; return what was removed."""
    if not root.is_dir():
        return []
    removed = []
    for entry in sorted(root.iterdir()):
        if not entry.name.startswith(prefixes) or entry.is_symlink() or not entry.is_dir():
            continue
        if _abandoned(entry, clock):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _abandoned(folder: Path, clock: Callable[[], float]) -> bool:
    try:
        owner = os.open(folder / OWNER_FILE, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except FileNotFoundError:
        with contextlib.suppress(FileNotFoundError):
            return clock() - folder.stat().st_mtime > _UNLOCKED_GRACE_S
        return False
    except OSError:
        return False  # a symlink or something stranger: leave it to a person
    try:
        fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its owner is alive
    finally:
        os.close(owner)
    return True
