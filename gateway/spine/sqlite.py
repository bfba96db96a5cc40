"""The embedded spine: one SQLite file in WAL mode, for a single gateway host.

Writes go through :class:`SqliteWriter` (one thread, group commit); reads run on a small
thread pool with their own connections, which WAL lets proceed while a write is in flight.
Wake-ups are in-process (the writer settles on the loop and feeds the hub at once); a
periodic poll of the waited streams' heads covers appends made by another process or another
spine instance on the same file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

from gateway.spine.base import CommandRecord, SpineEvent, SpineUnavailable
from gateway.spine.canvas_rows import CanvasRead, Decide, SnapshotRow, TransactOutcome
from gateway.spine.checks import (
    MAX_STREAM_CHARS,
    check_after_seq,
    check_append,
    check_epoch,
    check_floor,
    check_keep_last,
    check_name,
    encode_payload,
)
from gateway.spine.sqlite_canvas import CANVAS_SCHEMA, read_canvas, read_snapshot, transact
from gateway.spine.sqlite_writer import SqliteWriter
from gateway.spine.waiters import WakeHub

__all__ = ["SqliteSpine"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spine_streams (
    stream   TEXT PRIMARY KEY,
    head_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spine_events (
    stream     TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (stream, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spine_commands (
    tenant_id       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    body_sha256     TEXT NOT NULL,
    stream          TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    created_at      REAL NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS spine_commands_created_at ON spine_commands (created_at);
"""

_READ_THREADS = 2


def _append_row(
    conn: sqlite3.Connection, stream: str, tenant_id: str, type: str, payload_text: str
) -> tuple[int, float]:
    """Runs inside the writer's IMMEDIATE transaction, so the counter bump cannot race."""
    row = conn.execute(
        "INSERT INTO spine_streams (stream, head_seq) VALUES (?, 1) "
        "ON CONFLICT (stream) DO UPDATE SET head_seq = head_seq + 1 RETURNING head_seq",
        (stream,),
    ).fetchone()
    seq = int(row[0])
    created_at = time.time()
    conn.execute(
        "INSERT INTO spine_events (stream, seq, type, tenant_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (stream, seq, type, tenant_id, payload_text, created_at),
    )
    return seq, created_at


class SqliteSpine:
    def __init__(
        self,
        path: Path,
        *,
        poll_interval_s: float = 1.0,
        synchronous: Literal["NORMAL", "FULL"] = "FULL",
        busy_timeout_s: float = 30.0,
    ) -> None:
        self.path = Path(path)
        self.poll_interval_s = poll_interval_s
        self._synchronous = synchronous
        self._busy_timeout_s = busy_timeout_s
        self._hub = WakeHub()
        self._writer = SqliteWriter(self._connect_writer, self._settle)
        self._readers: ThreadPoolExecutor | None = None
        self._reader_local = threading.local()
        self._reader_conns: list[sqlite3.Connection] = []
        self._reader_lock = threading.Lock()
        self._poller: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        if self._readers is not None:
            return
        try:
            await asyncio.to_thread(self._writer.start, self.path)
        except (sqlite3.Error, OSError) as exc:
            raise SpineUnavailable(
                f"cannot open the SQLite spine: {exc}",
                value=str(self.path),
                hint="Check that the gateway's data_dir exists, is writable and has free space.",
            ) from None
        self._readers = ThreadPoolExecutor(_READ_THREADS, thread_name_prefix="spine-read")
        self._poller = asyncio.create_task(self._poll_heads(), name="spine-sqlite-poll")

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        await asyncio.to_thread(self._writer.stop)
        readers, self._readers = self._readers, None
        if readers is not None:
            await asyncio.to_thread(readers.shutdown, True)
        with self._reader_lock:
            for conn in self._reader_conns:
                conn.close()
            self._reader_conns.clear()
        self._hub.wake_all()

    async def ping(self) -> None:
        if not self._writer.alive:
            raise SpineUnavailable("the SQLite spine is not open", value=str(self.path))
        await self._read(lambda conn: conn.execute("SELECT 1").fetchone())

    # -- writes ----------------------------------------------------------------------------

    async def append(self, stream: str, tenant_id: str, type: str, payload: dict[str, Any]) -> SpineEvent:
        check_append(stream, tenant_id, type)
        payload_text = encode_payload(payload)
        event_payload = json.loads(payload_text)  # the stored form, detached from the caller's dict

        def job(conn: sqlite3.Connection) -> tuple[Any, tuple[str, int] | None]:
            seq, created_at = _append_row(conn, stream, tenant_id, type, payload_text)
            return SpineEvent(stream, seq, type, tenant_id, event_payload, created_at), (stream, seq)

        event: SpineEvent = await self._write(job)
        return event

    async def append_command(
        self,
        stream: str,
        tenant_id: str,
        idempotency_key: str,
        body_sha256: str,
        type: str,
        payload: dict[str, Any],
    ) -> tuple[CommandRecord, bool]:
        check_append(stream, tenant_id, type)
        check_name(idempotency_key, "idempotency_key")
        check_name(body_sha256, "body_sha256")
        payload_text = encode_payload(payload)

        def job(conn: sqlite3.Connection) -> tuple[Any, tuple[str, int] | None]:
            # The writer's IMMEDIATE transaction makes look-up-then-insert atomic, even
            # against another process: nobody else can write between the two.
            row = conn.execute(
                "SELECT body_sha256, stream, seq, created_at FROM spine_commands "
                "WHERE tenant_id = ? AND idempotency_key = ?",
                (tenant_id, idempotency_key),
            ).fetchone()
            if row is not None:
                stored = CommandRecord(tenant_id, idempotency_key, row[0], row[1], int(row[2]), float(row[3]))
                return (stored, False), None
            seq, created_at = _append_row(conn, stream, tenant_id, type, payload_text)
            conn.execute(
                "INSERT INTO spine_commands (tenant_id, idempotency_key, body_sha256, stream, seq, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (tenant_id, idempotency_key, body_sha256, stream, seq, created_at),
            )
            record = CommandRecord(tenant_id, idempotency_key, body_sha256, stream, seq, created_at)
            return (record, True), (stream, seq)

        outcome: tuple[CommandRecord, bool] = await self._write(job)
        return outcome

    async def trim(self, stream: str, keep_last: int, *, floor: int | None = None) -> int:
        check_name(stream, "stream", MAX_STREAM_CHARS)
        check_keep_last(keep_last)
        check_floor(floor)

        def job(conn: sqlite3.Connection) -> tuple[Any, tuple[str, int] | None]:
            row = conn.execute("SELECT head_seq FROM spine_streams WHERE stream = ?", (stream,)).fetchone()
            if row is None:
                return 0, None
            last = int(row[0]) - keep_last if floor is None else min(int(row[0]) - keep_last, floor)
            cursor = conn.execute("DELETE FROM spine_events WHERE stream = ? AND seq <= ?", (stream, last))
            return cursor.rowcount, None

        removed: int = await self._write(job)
        return removed

    async def trim_commands(self, older_than: float) -> int:
        check_epoch(older_than)

        def job(conn: sqlite3.Connection) -> tuple[Any, tuple[str, int] | None]:
            cursor = conn.execute("DELETE FROM spine_commands WHERE created_at < ?", (older_than,))
            return cursor.rowcount, None

        removed: int = await self._write(job)
        return removed

    # -- canvas state ----------------------------------------------------------------------

    async def canvas_transact(
        self,
        stream: str,
        tenant_id: str,
        decide: Decide,
        *,
        since_revision: int | None = None,
        patch_key: str | None = None,
    ) -> TransactOutcome:
        check_append(stream, tenant_id, "canvas")

        def job(conn: sqlite3.Connection) -> tuple[Any, tuple[str, int] | None]:
            outcome = transact(conn, _append_row, stream, tenant_id, decide, since_revision, patch_key)
            appended = outcome.write is not None and outcome.write.event_type is not None
            return outcome, ((stream, outcome.seq) if appended else None)

        outcome: TransactOutcome = await self._write(job)
        return outcome

    async def canvas_read(self, stream: str) -> CanvasRead | None:
        return await self._read(partial(read_canvas, stream=stream))

    async def canvas_snapshot(self, stream: str, revision: int | None = None) -> SnapshotRow | None:
        return await self._read(partial(read_snapshot, stream=stream, revision=revision))

    # -- reads -----------------------------------------------------------------------------

    async def read_after(self, stream: str, after_seq: int, limit: int = 500) -> list[SpineEvent]:
        check_after_seq(after_seq, limit)

        def query(conn: sqlite3.Connection) -> list[SpineEvent]:
            rows = conn.execute(
                "SELECT seq, type, tenant_id, payload, created_at FROM spine_events "
                "WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?",
                (stream, after_seq, limit),
            ).fetchall()
            return [SpineEvent(stream, int(r[0]), r[1], r[2], json.loads(r[3]), float(r[4])) for r in rows]

        return await self._read(query)

    async def head(self, stream: str) -> int:
        def query(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT head_seq FROM spine_streams WHERE stream = ?", (stream,)).fetchone()
            return 0 if row is None else int(row[0])

        return await self._read(query)

    async def first_retained(self, stream: str) -> int:
        def query(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT min(seq) FROM spine_events WHERE stream = ?", (stream,)).fetchone()
            return 0 if row is None or row[0] is None else int(row[0])

        return await self._read(query)

    async def wait(self, stream: str, after_seq: int, timeout_s: float) -> None:
        await self._hub.wait(stream, after_seq, timeout_s)

    # -- plumbing --------------------------------------------------------------------------

    def _connect_writer(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout_s, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL (the default) fsyncs the WAL once per commit group, so an acknowledged append
        # survives power loss; group commit keeps that cheap. NORMAL survives a killed process
        # but may lose the last commits on power loss.
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.executescript(_SCHEMA + CANVAS_SCHEMA)
        return conn

    def _reader_conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._reader_local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA query_only=1")
            self._reader_local.conn = conn
            with self._reader_lock:
                self._reader_conns.append(conn)
        return conn

    async def _read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        readers = self._readers
        if readers is None:
            raise SpineUnavailable("the SQLite spine is not open", value=str(self.path))
        try:
            return await asyncio.get_running_loop().run_in_executor(
                readers, lambda: query(self._reader_conn())
            )
        except sqlite3.Error as exc:
            raise SpineUnavailable(f"SQLite spine read failed: {exc}", value=str(self.path)) from None

    async def _write(self, job: Callable[[sqlite3.Connection], tuple[Any, tuple[str, int] | None]]) -> Any:
        if not self._writer.alive:
            raise SpineUnavailable("the SQLite spine is not open", value=str(self.path))
        result = await self._writer.submit(job)
        return result

    def _settle(self, future: asyncio.Future[Any], result: Any, wake: tuple[str, int] | None) -> None:
        """On the loop: publish the wake-up first (it is true even if the caller left), then answer."""
        if wake is not None:
            self._hub.seen(*wake)
        if future.done():
            return
        if isinstance(result, sqlite3.Error):
            future.set_exception(
                SpineUnavailable(f"SQLite spine write failed: {result}", value=str(self.path))
            )
        elif isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)

    async def _poll_heads(self) -> None:
        """Every poll interval, look up the heads of waited streams: catches other writers."""
        while True:
            await asyncio.sleep(self.poll_interval_s)
            streams = self._hub.streams()
            if not streams:
                continue
            try:
                heads = await self._read(partial(_heads, streams=streams))
            except SpineUnavailable as exc:
                logger.warning("spine poll failed: %s", exc.message)
                continue
            for stream, seq in heads:
                self._hub.seen(stream, seq)


def _heads(conn: sqlite3.Connection, streams: list[str]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for start in range(0, len(streams), 500):
        chunk = streams[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.extend(
            (str(r[0]), int(r[1]))
            for r in conn.execute(
                f"SELECT stream, head_seq FROM spine_streams WHERE stream IN ({marks})",  # noqa: S608
                chunk,
            )
        )
    return found
