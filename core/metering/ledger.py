"""The usage ledger's backends: SQLite under the data dir (embedded default), or the
``public.usage_ledger`` (and ``public.governance_decisions``) tables of PostgreSQL (Supabase) in
staging and production.

Backends are blocking and thread-safe: the ledger writer's thread writes, quota checks read. A write is one
transaction for a whole batch; record ids make a retried batch harmless (``ON CONFLICT DO
NOTHING``), so a batch whose commit answer was lost can be written again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from core.metering.record import DecisionRecord, LedgerEntry, UsageRecord

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
_DECISION_FIELDS: Final = (
    "record_id",
    "recorded_at",
    "tenant_id",
    "actor",
    "maturity",
    "muscle",
    "tool",
    "complexity",
    "outcome",
    "needed",
    "proposal_id",
    "request_id",
)
_TABLES: Final = (("usage_ledger", _FIELDS), ("governance_decisions", _DECISION_FIELDS))


def _split(entries: Sequence[LedgerEntry]) -> list[tuple[str, tuple[str, ...], list[LedgerEntry]]]:
    """(table, fields, its entries) for each kind of entry present."""
    usage: list[LedgerEntry] = [e for e in entries if isinstance(e, UsageRecord)]
    decisions: list[LedgerEntry] = [e for e in entries if isinstance(e, DecisionRecord)]
    return [
        (table, fields, rows)
        for (table, fields), rows in zip(_TABLES, (usage, decisions), strict=True)
        if rows
    ]


class Ledger(Protocol):
    """Where usage records (and governance decisions) are kept."""

    name: str

    def write(self, records: Sequence[LedgerEntry]) -> None:
        """Store ``records`` in one transaction (already stored ids are skipped)."""

    def records(self, tenant_id: str, *, limit: int = 1000) -> list[UsageRecord]:
        """The tenant's newest usage records, newest first."""

    def decisions(self, tenant_id: str, *, limit: int = 1000) -> list[DecisionRecord]:
        """The tenant's newest governance decisions, newest first."""

    def cpu_seconds_since(self, tenant_id: str, since: float) -> float:
        """CPU seconds the tenant's records since ``since`` (unix seconds) add up to."""

    def delete_before(self, cutoff: float) -> int:
        """Forget records and decisions older than ``cutoff`` (unix seconds); how many."""

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
CREATE TABLE IF NOT EXISTS governance_decisions (
    record_id   TEXT PRIMARY KEY,
    recorded_at REAL NOT NULL,
    tenant_id   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    maturity    TEXT NOT NULL,
    muscle      TEXT NOT NULL,
    tool        TEXT NOT NULL,
    complexity  INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    needed      TEXT NOT NULL,
    proposal_id TEXT,
    request_id  TEXT
);
CREATE INDEX IF NOT EXISTS governance_decisions_tenant_time ON governance_decisions (tenant_id, recorded_at DESC);
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

    def write(self, records: Sequence[LedgerEntry]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for table, fields, rows in _split(records):
                    self._db.executemany(
                        f"INSERT OR IGNORE INTO {table} ({', '.join(fields)}) "  # noqa: S608 - constants
                        f"VALUES ({', '.join('?' * len(fields))})",
                        [tuple(getattr(r, name) for name in fields) for r in rows],
                    )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def records(self, tenant_id: str, *, limit: int = 1000) -> list[UsageRecord]:
        return [UsageRecord(**row) for row in self._newest("usage_ledger", _FIELDS, tenant_id, limit)]

    def decisions(self, tenant_id: str, *, limit: int = 1000) -> list[DecisionRecord]:
        return [
            DecisionRecord(**row)
            for row in self._newest("governance_decisions", _DECISION_FIELDS, tenant_id, limit)
        ]

    def _newest(
        self, table: str, fields: tuple[str, ...], tenant_id: str, limit: int
    ) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(fields)} FROM {table} WHERE tenant_id = ? "  # noqa: S608 - constants
                "ORDER BY recorded_at DESC, record_id DESC LIMIT ?",
                (tenant_id, limit),
            ).fetchall()
        return [dict(zip(fields, row, strict=True)) for row in rows]

    def cpu_seconds_since(self, tenant_id: str, since: float) -> float:
        with self._lock:
            (total,) = self._db.execute(
                "SELECT COALESCE(SUM(cpu_s), 0) FROM usage_ledger WHERE tenant_id = ? AND recorded_at >= ?",
                (tenant_id, since),
            ).fetchone()
        return float(total)

    def delete_before(self, cutoff: float) -> int:
        with self._lock:
            return sum(
                self._db.execute(f"DELETE FROM {table} WHERE recorded_at < ?", (cutoff,)).rowcount  # noqa: S608
                for table, _ in _TABLES
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresLedger:
    """``public.usage_ledger`` and ``public.governance_decisions`` (supabase/migrations) over one
    connection, opened on first use and again after it breaks; the DSN's role must be allowed to
    write (the service role: Row Level Security lets tenants only read their own rows)."""

    name = "postgres"

    def __init__(self, dsn: str, *, connect_timeout_s: float = 5.0) -> None:
        self._dsn = dsn
        self._connect_timeout_s = connect_timeout_s
        self._conn: Any = None
        self._lock = threading.Lock()

    def write(self, records: Sequence[LedgerEntry]) -> None:
        def run(cursor: Any) -> None:
            for table, fields, rows in _split(records):
                cursor.executemany(
                    f"insert into public.{table} ({', '.join(fields)}) "  # noqa: S608 - constants
                    f"values ({', '.join(['%s'] * len(fields))}) on conflict (record_id) do nothing",
                    [_pg_row(r, fields) for r in rows],
                )

        self._transaction(run)

    def records(self, tenant_id: str, *, limit: int = 1000) -> list[UsageRecord]:
        return [UsageRecord(**row) for row in self._newest("usage_ledger", _FIELDS, tenant_id, limit)]

    def decisions(self, tenant_id: str, *, limit: int = 1000) -> list[DecisionRecord]:
        return [
            DecisionRecord(**row)
            for row in self._newest("governance_decisions", _DECISION_FIELDS, tenant_id, limit)
        ]

    def _newest(
        self, table: str, fields: tuple[str, ...], tenant_id: str, limit: int
    ) -> list[dict[str, Any]]:
        rows = self._query(
            f"select {', '.join(fields)} from public.{table} where tenant_id = %s "  # noqa: S608 - constants
            "order by recorded_at desc, record_id desc limit %s",
            (tenant_id, limit),
        )
        found = []
        for row in rows:
            values = dict(zip(fields, row, strict=True))
            values["record_id"] = str(values["record_id"]).replace("-", "")
            values["recorded_at"] = values["recorded_at"].timestamp()
            found.append(values)
        return found

    def cpu_seconds_since(self, tenant_id: str, since: float) -> float:
        [(total,)] = self._query(
            "select coalesce(sum(cpu_s), 0) from public.usage_ledger where tenant_id = %s and recorded_at >= %s",
            (tenant_id, datetime.fromtimestamp(since, UTC)),
        )
        return float(total)

    def delete_before(self, cutoff: float) -> int:
        deleted: list[int] = []

        def run(cursor: Any) -> None:
            for table, _ in _TABLES:
                cursor.execute(
                    f"delete from public.{table} where recorded_at < %s",  # noqa: S608 - constants
                    (datetime.fromtimestamp(cutoff, UTC),),
                )
                deleted.append(cursor.rowcount)

        self._transaction(run)
        return sum(deleted)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _query(self, query: str, params: Sequence[Any]) -> list[Any]:
        found: list[Any] = []

        def run(cursor: Any) -> None:
            cursor.execute(query, params)
            found.extend(cursor.fetchall())

        self._transaction(run)
        return found

    def _transaction(self, run: Callable[[Any], None]) -> None:
        import psycopg  # only where a PostgreSQL ledger is configured

        with self._lock:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(
                    self._dsn, autocommit=False, connect_timeout=max(1, int(self._connect_timeout_s))
                )
            conn = self._conn
            try:
                with conn.cursor() as cursor:
                    run(cursor)
                conn.commit()
            except psycopg.Error:
                # A broken connection is dropped; the caller (the writer) retries the batch.
                try:
                    conn.rollback()
                except psycopg.Error:
                    conn.close()
                raise


def _pg_row(record: LedgerEntry, fields: Sequence[str]) -> tuple[Any, ...]:
    values = [getattr(record, name) for name in fields]
    values[1] = datetime.fromtimestamp(record.recorded_at, UTC)  # recorded_at is second in both tables
    return tuple(values)
