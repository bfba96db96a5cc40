"""The shared spine: PostgreSQL (the Supabase database), for several gateway replicas.

Appends are one ``SELECT gateway.spine_append_many(...)`` in autocommit: a single statement is
a single transaction, so the counter bump, the inserts and the ``pg_notify`` commit together
(or not at all) in one round trip. Appends to one stream that arrive while its previous batch
commits share the next one (:mod:`gateway.spine.stream_batcher`: group commit). Why a locked per-stream counter row rather than a sequence or an
advisory lock: see the migration's header -- it makes seq gap-free and commit-ordered, so a
reader's ``seq > last`` catch-up can never skip an event, whichever replica appended it.

Wake-ups: a dedicated LISTEN connection (psycopg's ``notifies()`` holds its connection, so it
cannot share a pooled one) feeds the hub; it reconnects with backoff when killed, then wakes
every waiter because hints may have been lost meanwhile. A poll of the waited streams' heads
every ``poll_interval_s`` covers silent losses. Neither carries data: delivery is always
``read_after``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

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
from gateway.spine.postgres_canvas import read_canvas, read_snapshot, transact
from gateway.spine.postgres_schema import ensure_schema
from gateway.spine.stream_batcher import Pending, StreamBatcher
from gateway.spine.waiters import WakeHub

__all__ = ["NOTIFY_CHANNEL", "PostgresSpine"]

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "gateway_spine"
_LISTEN_BACKOFF_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0)

Conn = psycopg.AsyncConnection[TupleRow]


class PostgresSpine:
    def __init__(
        self,
        dsn: str,
        *,
        poll_interval_s: float = 1.0,
        pool_max_size: int = 10,
        connect_timeout_s: float = 5.0,
        health_interval_s: float = 10.0,
        apply_schema: bool = True,
    ) -> None:
        self._dsn = dsn
        self.poll_interval_s = poll_interval_s
        self._pool_max_size = pool_max_size
        self._connect_timeout_s = connect_timeout_s
        self._health_interval_s = health_interval_s
        self._apply_schema = apply_schema
        self._where = _describe(dsn)
        self._hub = WakeHub()
        self._batcher = StreamBatcher(self._append_batch)
        self._pool: AsyncConnectionPool[Conn] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()
        # Exposed for health metrics and for tests that kill the LISTEN connection.
        self.listener_pid: int | None = None
        self.listener_connects = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, verify (or apply) the schema and start listening; SpineUnavailable if unreachable."""
        if self._pool is not None:
            return
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            self._dsn,
            min_size=1,
            max_size=self._pool_max_size,
            open=False,
            timeout=self._connect_timeout_s,
            kwargs={"autocommit": True, "connect_timeout": max(1, round(self._connect_timeout_s))},
            name="gateway-spine",
        )
        try:
            await pool.open(wait=True, timeout=self._connect_timeout_s)
            async with pool.connection() as conn:
                await ensure_schema(conn, apply=self._apply_schema)
        except (psycopg.Error, PoolTimeout, OSError) as exc:
            await pool.close()
            raise self._unavailable("cannot open", exc) from None
        except BaseException:
            await pool.close()
            raise
        self._pool = pool
        self._listening.clear()
        self._tasks = [
            asyncio.create_task(self._listen_forever(), name="spine-pg-listen"),
            asyncio.create_task(self._poll_heads(), name="spine-pg-poll"),
        ]
        # Best effort: waiters should get NOTIFY wake-ups from the start, but the poll covers a
        # listener that cannot connect yet.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), self._connect_timeout_s)

    async def close(self) -> None:
        await self._batcher.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
        self._hub.wake_all()

    async def ping(self) -> None:
        async with self._connection("ping") as conn:
            await conn.execute("SELECT 1")

    # -- writes ----------------------------------------------------------------------------

    async def append(self, stream: str, tenant_id: str, type: str, payload: dict[str, Any]) -> SpineEvent:
        check_append(stream, tenant_id, type)
        payload_text = encode_payload(payload)
        seq, created_at = await self._batcher.append(stream, tenant_id, type, payload_text)
        # Return what readers will get back (the stored JSON), detached from the caller's dict.
        return SpineEvent(stream, seq, type, tenant_id, json.loads(payload_text), created_at)

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
        async with self._connection("append_command") as conn:
            cur = await conn.execute(
                "SELECT out_body_sha256, out_stream, out_seq, out_created_at, out_inserted "
                "FROM gateway.spine_append_command(%s, %s, %s, %s, %s, %s::jsonb)",
                (stream, tenant_id, idempotency_key, body_sha256, type, payload_text),
            )
            row = await cur.fetchone()
        if row is None:  # pragma: no cover - the function always returns one row
            raise SpineUnavailable("spine_append_command returned no row", value=idempotency_key)
        record = CommandRecord(tenant_id, idempotency_key, row[0], row[1], int(row[2]), float(row[3]))
        inserted = bool(row[4])
        if inserted:
            self._hub.seen(record.stream, record.seq)
        return record, inserted

    async def trim(self, stream: str, keep_last: int, *, floor: int | None = None) -> int:
        check_name(stream, "stream", MAX_STREAM_CHARS)
        check_keep_last(keep_last)
        check_floor(floor)
        async with self._connection("trim") as conn:
            cur = await conn.execute(
                "DELETE FROM gateway.spine_events WHERE stream = %s AND seq <= least("
                "(SELECT head_seq - %s FROM gateway.spine_streams WHERE stream = %s), "
                "coalesce(%s::bigint, 9223372036854775807))",
                (stream, keep_last, stream, floor),
            )
            return max(cur.rowcount, 0)

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
        async with self._connection("canvas_transact") as conn:
            outcome = await transact(conn, stream, tenant_id, decide, since_revision, patch_key)
        if outcome.write is not None and outcome.write.event_type is not None:
            self._hub.seen(stream, outcome.seq)
        return outcome

    async def canvas_read(self, stream: str) -> CanvasRead | None:
        async with self._connection("canvas_read") as conn:
            return await read_canvas(conn, stream)

    async def canvas_snapshot(self, stream: str, revision: int | None = None) -> SnapshotRow | None:
        async with self._connection("canvas_snapshot") as conn:
            return await read_snapshot(conn, stream, revision)

    async def trim_commands(self, older_than: float) -> int:
        check_epoch(older_than)
        async with self._connection("trim_commands") as conn:
            cur = await conn.execute(
                "DELETE FROM gateway.spine_commands WHERE created_at < to_timestamp(%s)", (older_than,)
            )
            return max(cur.rowcount, 0)

    # -- reads -----------------------------------------------------------------------------

    async def read_after(self, stream: str, after_seq: int, limit: int = 500) -> list[SpineEvent]:
        check_after_seq(after_seq, limit)
        async with self._connection("read_after") as conn:
            cur = await conn.execute(
                "SELECT seq, type, tenant_id, payload, extract(epoch from created_at)::float8 "
                "FROM gateway.spine_events WHERE stream = %s AND seq > %s ORDER BY seq LIMIT %s",
                (stream, after_seq, limit),
            )
            rows = await cur.fetchall()
        return [SpineEvent(stream, int(r[0]), r[1], r[2], r[3], float(r[4])) for r in rows]

    async def head(self, stream: str) -> int:
        async with self._connection("head") as conn:
            cur = await conn.execute(
                "SELECT head_seq FROM gateway.spine_streams WHERE stream = %s", (stream,)
            )
            row = await cur.fetchone()
        return 0 if row is None else int(row[0])

    async def first_retained(self, stream: str) -> int:
        async with self._connection("first_retained") as conn:
            cur = await conn.execute("SELECT min(seq) FROM gateway.spine_events WHERE stream = %s", (stream,))
            row = await cur.fetchone()
        return 0 if row is None or row[0] is None else int(row[0])

    async def wait(self, stream: str, after_seq: int, timeout_s: float) -> None:
        await self._hub.wait(stream, after_seq, timeout_s)

    # -- plumbing --------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _connection(self, what: str) -> AsyncIterator[Conn]:
        pool = self._pool
        if pool is None:
            raise SpineUnavailable("the PostgreSQL spine is not open", value=self._where)
        try:
            async with pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout, OSError) as exc:
            raise self._unavailable(what, exc) from None

    async def _append_batch(self, stream: str, batch: list[Pending]) -> tuple[int, float]:
        """One statement, so one transaction: counter bump, inserts and pg_notify commit together."""
        async with self._connection("append") as conn:
            cur = await conn.execute(
                "SELECT out_first_seq, out_created_at FROM gateway.spine_append_many(%s, %s, %s, %s::text[]::jsonb[])",
                (
                    stream,
                    [p.tenant_id for p in batch],
                    [p.type for p in batch],
                    [p.payload_text for p in batch],
                ),
            )
            row = await cur.fetchone()
        if row is None:  # pragma: no cover - the function always returns one row
            raise SpineUnavailable("spine_append_many returned no row", value=stream)
        first_seq = int(row[0])
        self._hub.seen(stream, first_seq + len(batch) - 1)  # same-process waiters need not wait for NOTIFY
        return first_seq, float(row[1])

    def _unavailable(self, what: str, exc: BaseException) -> SpineUnavailable:
        """A coded error naming host/port/database, never the DSN (it may hold the password)."""
        return SpineUnavailable(
            f"PostgreSQL spine unreachable ({what}) at {self._where}: {_redact(str(exc), self._dsn)}",
            value=self._where,
        )

    async def _listen_forever(self) -> None:
        attempt = 0
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self._dsn, autocommit=True, connect_timeout=max(1, round(self._connect_timeout_s))
                )
            except (psycopg.Error, OSError) as exc:
                logger.warning(
                    "spine LISTEN connect failed at %s: %s", self._where, _redact(str(exc), self._dsn)
                )
            else:
                attempt = 0
                try:
                    async with conn:
                        await self._listen_on(conn)
                except (psycopg.Error, OSError) as exc:
                    logger.warning("spine LISTEN connection lost: %s", _redact(str(exc), self._dsn))
                finally:
                    self.listener_pid = None
            await asyncio.sleep(_LISTEN_BACKOFF_S[min(attempt, len(_LISTEN_BACKOFF_S) - 1)])
            attempt += 1

    async def _listen_on(self, conn: Conn) -> None:
        await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self.listener_pid = conn.info.backend_pid
        self.listener_connects += 1
        self._listening.set()
        # Events appended while nobody listened sent hints into the void: let every waiter re-read.
        self._hub.wake_all()
        while True:
            async for note in conn.notifies(timeout=self._health_interval_s):
                stream, _, seq_text = note.payload.rpartition(":")
                if seq_text.isdigit():
                    self._hub.seen(stream, int(seq_text))
            # A quiet channel or a silently dropped connection look alike: ask the server.
            await conn.execute("SELECT 1")

    async def _poll_heads(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval_s)
            streams = self._hub.streams()
            if not streams:
                continue
            try:
                async with self._connection("poll") as conn:
                    cur = await conn.execute(
                        "SELECT stream, head_seq FROM gateway.spine_streams WHERE stream = ANY(%s)",
                        (streams,),
                    )
                    rows = await cur.fetchall()
            except SpineUnavailable as exc:
                logger.warning("spine poll failed: %s", exc.message)
                continue
            for stream, head in rows:
                self._hub.seen(str(stream), int(head))


def _describe(dsn: str) -> str:
    """host:port/dbname for messages: enough to find the database, nothing secret."""
    try:
        info = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "<unparseable database URL>"
    host = info.get("host") or "localhost"
    port = info.get("port") or "5432"
    return f"{host}:{port}/{info.get('dbname') or ''}"


def _redact(text: str, dsn: str) -> str:
    try:
        password = conninfo_to_dict(dsn).get("password")
    except psycopg.ProgrammingError:
        password = None
    if password:
        text = text.replace(str(password), "***")
    return text.replace(dsn, "<database URL>")
