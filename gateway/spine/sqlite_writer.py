"""One thread owns the SQLite write connection and commits appends in groups.

Why a thread of its own: sqlite3 is blocking and the event loop must never wait on the disk.
Why one: SQLite has a single writer anyway, and one thread draining a queue can put every
append that arrived meanwhile into ONE transaction (group commit), so a burst of appends pays
for one commit instead of one each. ``BEGIN IMMEDIATE`` takes the database write lock up front,
which also serialises writers in other processes sharing the file: seq assignment (read the
counter row, bump it, insert) is therefore atomic across processes, and readers (WAL
snapshots) only ever see committed, gap-free prefixes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# A job runs inside the group's transaction and returns (result, (stream, seq) to wake or None).
Job = Callable[[sqlite3.Connection], tuple[Any, tuple[str, int] | None]]
Settle = Callable[[asyncio.Future[Any], Any, tuple[str, int] | None], None]

_MAX_GROUP = 512


@dataclass(slots=True)
class _Pending:
    job: Job
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


class SqliteWriter:
    def __init__(self, connect: Callable[[], sqlite3.Connection], settle: Settle) -> None:
        self._connect = connect
        self._settle = settle
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: Exception | None = None

    def start(self, path: Path) -> None:
        """Start the thread and block until its connection is open (call from a worker thread)."""
        self._thread = threading.Thread(target=self._run, name=f"spine-writer:{path.name}", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            raise self._startup_error

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def submit(self, job: Job) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put(_Pending(job, future, loop))
        return future

    def stop(self) -> None:
        """Finish queued jobs, close the connection and join (call from a worker thread)."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        self._thread = None

    def _run(self) -> None:
        try:
            conn = self._connect()
        except Exception as exc:  # noqa: BLE001 -- handed to start()'s caller, which maps it
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                group = [first]
                stopping = False
                while len(group) < _MAX_GROUP:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stopping = True
                        break
                    group.append(more)
                self._commit_group(conn, group)
                if stopping:
                    return
        finally:
            conn.close()

    def _commit_group(self, conn: sqlite3.Connection, group: list[_Pending]) -> None:
        outcomes: list[tuple[Any, tuple[str, int] | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for pending in group:
                # A savepoint per job: one bad job fails alone, the rest of the group commits.
                conn.execute("SAVEPOINT job")
                try:
                    outcomes.append(pending.job(conn))
                    conn.execute("RELEASE job")
                except Exception as exc:  # noqa: BLE001 -- the job's caller gets it; the thread lives on
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((exc, None))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            logger.warning("spine sqlite commit failed: %s", exc)
            outcomes = [(exc, None)] * len(group)
        for pending, (result, wake) in zip(group, outcomes, strict=True):
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
                pending.loop.call_soon_threadsafe(self._settle, pending.future, result, wake)
