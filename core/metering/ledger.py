"""The usage ledger's backends: SQLite under the data dir (embedded default), or the
``public.usage_ledger`` table of PostgreSQL (Supabase) in staging and production.

Backends are blocking and called from the ledger writer's own thread only. A write is one
transaction for a whole batch; record ids make a retried batch harmless (``ON CONFLICT DO
NOTHING``), so a batch whose commit answer was lost can be written again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from core.metering.record import UsageRecord

__all__ = ["Ledger", "PostgresLedger", "SqliteLedger"]

_FIELDS: Final = (
    "record_id",
    "recorded_at",
    "tenant_id",
    "actor",
    "muscle",
    "tool",
    "duration_s",
    "cpu_s",
    "bytes_in",
    "bytes_out",
    "outcome",
    "job_id",
    "request_id",
)


class Ledger(Protocol):
    """Where usage records are kept."""

    name: str

    def write(self, records: Sequence[UsageRecord]) -> None:
        """Store ``records`` in one transaction (already stored ids are skipped)."""

    def records(self, tenant_id: str, *, limit: int = 1000) -> list[UsageRecord]:
        """The tenant's newest records, newest first."""

    def cpu_seconds_since(self, tenant_id: str, since: float) -> float:
        """CPU seconds the tenant's records since ``since`` (unix seconds) add up to."""

    def delete_before(self, cutoff: float) -> int:
        """Forget records older than ``cutoff`` (unix seconds); how many."""

    def close(self) -> None: ...


_SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS usage_ledger (
    record_id   TEXT PRIMARY KEY,
    recorded_at REAL NOT NULL,
    tenant_id   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    muscle      TEXT NOT NULL,
    tool        TEXT NOT NULL,
    duration_s  REAL NOT NULL,
    cpu_s       REAL NOT NULL,
    bytes_in    INTEGER NOT NULL,
    bytes_out   INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    job_id      TEXT,
    request_id  TEXT
);
CREATE INDEX IF NOT EXISTS usage_ledger_tenant_time ON usage_ledger (tenant_id, recorded_at DESC);
CREATE INDEX IF NOT EXISTS usage_ledger_time ON usage_ledger (recorded_at);
"""


class SqliteLedger:
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed batch survives a power cut (the ledger is what gets billed).
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SQLITE_SCHEMA)

    def write(self, records: Sequence[UsageRecord]) -> None:
        marks = ", ".join("?" * len(_FIELDS))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    f"INSERT OR IGNORE INTO usage_ledger ({', '.join(_FIELDS)}) VALUES ({marks})",  # noqa: S608 - constants
                    [tuple(getattr(r, name) for name in _FIELDS) for r in records],
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def records(self, tenant_id: str, *, limit: int = 1000) -> list[UsageRecord]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(_FIELDS)} FROM usage_ledger WHERE tenant_id = ? "  # noqa: S608 - constants
                "ORDER BY recorded_at DESC, record_id DESC LIMIT ?",
                (tenant_id, limit),
            ).fetchall()
        return [UsageRecord(**dict(zip(_FIELDS, row, strict=True))) for row in rows]

    def cpu_seconds_since(self, tenant_id: str, since: float) -> float:
        with self._lock:
            (total,) = self._db.execute(
                "SELECT COALESCE(SUM(cpu_s), 0) FROM usage_ledger WHERE tenant_id = ? AND recorded_at >= ?",
                (tenant_id, since),
            ).fetchone()
        return float(total)

    def delete_before(self, cutoff: float) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM usage_ledger WHERE recorded_at < ?", (cutoff,)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresLedger:
    """``public.usage_ledger`` (supabase/migrations/*_usage_ledger.sql) over one connection,
    opened on first use and again after it breaks; the DSN's role must be allowed to write
    (the service role: Row Level Security lets tenants only read their own rows)."""

    name = "postgres"

    def __init__(self, dsn: str, *, connect_timeout_s: float = 5.0) -> None:
        self._dsn = dsn
        self._connect_timeout_s = connect_timeout_s
        self._conn: Any = None
        self._lock = threading.Lock()

    def _connection(self) -> Any:
        import psycopg  # only where a PostgreSQL ledger is configured

        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(
                self._dsn, autocommit=False, connect_timeout=int(self._connect_timeout_s)
            )
        return self._conn

    def _run(
        self, query: str, params: Sequence[Any] | None = None, *, many: Sequence[Sequence[Any]] = ()
    ) -> Any:
        import psycopg

        with self._lock:
            conn = self._connection()
            try:
                with conn.cursor() as cursor:
                    if many:
                        cursor.executemany(query, many)
                        rows = None
                    else:
                        cursor.execute(query, params)
                        rows = cursor.fetchall() if cursor.description else cursor.rowcount
                conn.commit()
                return rows
            except psycopg.Error:
                # A broken connection is dropped; the caller (the writer) retries the batch.
                try:
                    conn.rollback()
                except psycopg.Error:
                    conn.close()
                raise

    def write(self, records: Sequence[UsageRecord]) -> None:
        marks = ", ".join(["%s"] * len(_FIELDS))
        self._run(
            f"insert into public.usage_ledger ({', '.join(_FIELDS)}) values ({marks}) "  # noqa: S608 - constants
            "on conflict (record_id) do nothing",
            many=[_pg_row(r) for r in records],
        )

    def records(self, tenant_id: str, *, limit: int = 1000) -> list[UsageRecord]:
        rows = self._run(
            f"select {', '.join(_FIELDS)} from public.usage_ledger where tenant_id = %s "  # noqa: S608 - constants
            "order by recorded_at desc, record_id desc limit %s",
            (tenant_id, limit),
        )
        found = []
        for row in rows:
            values = dict(zip(_FIELDS, row, strict=True))
            values["record_id"] = str(values["record_id"]).replace("-", "")
            values["recorded_at"] = values["recorded_at"].timestamp()
            found.append(UsageRecord(**values))
        return found

    def cpu_seconds_since(self, tenant_id: str, since: float) -> float:
        [(total,)] = self._run(
            "select coalesce(sum(cpu_s), 0) from public.usage_ledger where tenant_id = %s and recorded_at >= %s",
            (tenant_id, datetime.fromtimestamp(since, UTC)),
        )
        return float(total)

    def delete_before(self, cutoff: float) -> int:
        deleted: int = self._run(
            "delete from public.usage_ledger where recorded_at < %s", (datetime.fromtimestamp(cutoff, UTC),)
        )
        return deleted

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _pg_row(record: UsageRecord) -> tuple[Any, ...]:
    values = [getattr(record, name) for name in _FIELDS]
    values[1] = datetime.fromtimestamp(record.recorded_at, UTC)
    return tuple(values)
