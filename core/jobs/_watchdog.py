"""Kills what a Dask worker process started once that worker dies, even by SIGKILL.

A worker killed with SIGKILL runs no cleanup, and the ffmpeg it started (in a process group
of its own, so that cancellation can kill the whole group) would live on as an orphan. This
script runs beside each worker as its own process: it holds the read end of a pipe whose
write end only the worker holds, so end-of-file means the worker is gone. The worker writes
``+`` when a job starts and ``-`` when it ends; while a job runs the watchdog remembers the
worker's children every 0.2 s (an idle worker costs it nothing). At end-of-file it kills
them, each whole process group where the child leads one, and exits.

Started by path, with the standard library only, so it costs one small interpreter and none
of the worker's imports. Linux only (it reads /proc); elsewhere it just waits and exits.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
from pathlib import Path

_SCAN_PERIOD_S = 0.2
_PROC = Path("/proc")

# (pid, start time): the start time tells a remembered child from a later process that
# happens to reuse its pid.
Child = tuple[int, bytes]


def _stat_fields(pid: int | str) -> list[bytes] | None:
    try:
        fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
    except OSError:
        return None
    try:
        line = os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)
    # Field 2 (the command) may hold spaces and ')'; everything after the last ')' does not.
    return line.rsplit(b")", 1)[1].split()


def _children(parent: int) -> dict[Child, int]:
    """Each child of ``parent`` -> its process group id."""
    found: dict[Child, int] = {}
    pids = _listed_children(parent)
    if pids is None:
        pids = _scanned_children(parent)
    me = os.getpid()
    for pid in pids:
        fields = _stat_fields(pid)
        # After ')': state(0) ppid(1) pgrp(2) ... starttime(19)
        # This watchdog is a child of the worker too: leave it out, or it kills itself first.
        if fields is not None and int(fields[1]) == parent and pid != me:
            found[(pid, fields[19])] = int(fields[2])
    return found


def _listed_children(parent: int) -> list[int] | None:
    """The kernel's own list (``/proc/PID/task/TID/children``): a few small reads, where a scan
    of all /proc costs ~1 ms of CPU per job taken from ffmpeg. None where the kernel lacks it.
    It may miss a child forked during the read; the next scan (0.2 s on) sees it."""
    pids: list[int] = []
    try:
        threads = os.listdir(f"/proc/{parent}/task")
    except OSError:
        return None
    for thread in threads:
        try:
            fd = os.open(f"/proc/{parent}/task/{thread}/children", os.O_RDONLY)
        except FileNotFoundError:
            if not os.path.exists(f"/proc/{parent}/task/{thread}"):
                continue  # the thread ended meanwhile
            return None  # a kernel without CONFIG_PROC_CHILDREN
        except OSError:
            continue
        try:
            pids.extend(int(pid) for pid in os.read(fd, 65536).split())
        except OSError:
            pass
        finally:
            os.close(fd)
    return pids


def _scanned_children(parent: int) -> list[int]:
    """Every pid in /proc (the fallback): the caller keeps those whose parent is ``parent``."""
    if not _PROC.is_dir():
        return []
    with os.scandir(_PROC) as entries:
        return [int(entry.name) for entry in entries if entry.name.isdigit()]


def _kill(children: dict[Child, int]) -> None:
    for (pid, started), group in children.items():
        fields = _stat_fields(pid)
        if fields is None or fields[19] != started:
            continue  # gone already, or the pid now names another process
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group == pid:
                os.killpg(group, signal.SIGKILL)
            else:
                # Shares the worker's (or the nanny's) group: kill only the child itself.
                os.kill(pid, signal.SIGKILL)


def main() -> None:
    worker_pid = int(sys.argv[1])
    pipe = sys.stdin.fileno()
    remembered: dict[Child, int] = {}
    running_jobs = 0
    while True:
        readable, _, _ = select.select([pipe], [], [], _SCAN_PERIOD_S if running_jobs else None)
        if readable:
            news = os.read(pipe, 4096)
            if not news:
                _kill(remembered)
                return
            running_jobs += news.count(b"+") - news.count(b"-")
        # Also right after a job ends, so its children (gone by now) are forgotten.
        remembered = _children(worker_pid)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C for the server must not skip the cleanup
    main()
