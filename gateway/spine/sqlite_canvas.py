"""Canvas state on the SQLite spine: its tables and the queries of one canvas transaction.

A canvas transaction is a job on the spine's writer thread, so it runs inside the writer's
``BEGIN IMMEDIATE`` transaction: the database write lock serialises it against every other
writer (in this process or another sharing the file), which is the canvas lock.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from gateway.spine.canvas_rows import (
    CanvasRead,
    CanvasRow,
    CanvasWrite,
    Decide,
    Replay,
    RevisionRow,
    SnapshotRow,
    TransactOutcome,
)
from gateway.spine.checks import encode_payload

__all__ = ["CANVAS_SCHEMA", "read_canvas", "read_snapshot", "transact"]

CANVAS_SCHEMA = """
CREATE TABLE IF NOT EXISTS canvas_states (
    stream      TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    canvas_type TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    state       TEXT NOT NULL,
    commit_seq  INTEGER NOT NULL,
    updated_at  REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS canvas_revisions (
    stream      TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    paths       TEXT NOT NULL,
    patch_key   TEXT,
    body_sha256 TEXT,
    PRIMARY KEY (stream, revision)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS canvas_revisions_patch_key
    ON canvas_revisions (stream, patch_key) WHERE patch_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS canvas_snapshots (
    stream      TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    resume_seq  INTEGER NOT NULL,
    canvas_type TEXT NOT NULL,
    state       TEXT,
    document    TEXT,
    size_bytes  INTEGER NOT NULL,
    created_at  REAL NOT NULL,
    PRIMARY KEY (stream, revision)
) WITHOUT ROWID;
"""

AppendRow = Callable[[sqlite3.Connection, str, str, str, str], tuple[int, float]]


def _row(conn: sqlite3.Connection, stream: str) -> CanvasRow | None:
    found = conn.execute(
        "SELECT canvas_type, revision, state, commit_seq, "
        "(SELECT max(revision) FROM canvas_snapshots WHERE stream = ?) "
        "FROM canvas_states WHERE stream = ?",
        (stream, stream),
    ).fetchone()
    if found is None:
        return None
    snapshot = None if found[4] is None else int(found[4])
    return CanvasRow(str(found[0]), int(found[1]), str(found[2]), int(found[3]), snapshot)


def _head(conn: sqlite3.Connection, stream: str) -> int:
    found = conn.execute("SELECT head_seq FROM spine_streams WHERE stream = ?", (stream,)).fetchone()
    return 0 if found is None else int(found[0])


def transact(
    conn: sqlite3.Connection,
    append_row: AppendRow,
    stream: str,
    tenant_id: str,
    decide: Decide,
    since_revision: int | None,
    patch_key: str | None,
) -> TransactOutcome:
    """One canvas transaction, inside the writer's IMMEDIATE transaction (the canvas lock)."""
    if patch_key is not None:
        replayed = conn.execute(
            "SELECT revision, seq, body_sha256 FROM canvas_revisions WHERE stream = ? AND patch_key = ?",
            (stream, patch_key),
        ).fetchone()
        if replayed is not None:
            replay = Replay(int(replayed[0]), int(replayed[1]), replayed[2])
            return TransactOutcome(None, replay.seq, time.time(), replay=replay)
    intervening: list[RevisionRow] = []
    if since_revision is not None:
        intervening = [
            RevisionRow(int(r[0]), int(r[1]), tuple(json.loads(r[2])))
            for r in conn.execute(
                "SELECT revision, seq, paths FROM canvas_revisions WHERE stream = ? AND revision > ? "
                "ORDER BY revision",
                (stream, since_revision),
            )
        ]
    write = decide(_row(conn, stream), intervening)
    if write is None:
        return TransactOutcome(None, _head(conn, stream), time.time())
    return _apply(conn, append_row, stream, tenant_id, write)


def _apply(
    conn: sqlite3.Connection, append_row: AppendRow, stream: str, tenant_id: str, write: CanvasWrite
) -> TransactOutcome:
    if write.event_type is not None:
        seq, created_at = append_row(
            conn, stream, tenant_id, write.event_type, encode_payload(write.payload or {})
        )
    else:
        seq, created_at = _head(conn, stream), time.time()
    commit_seq = seq if write.record is not None else None
    if write.state_text is not None:
        conn.execute(
            "INSERT INTO canvas_states (stream, tenant_id, canvas_type, revision, state, commit_seq, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream) DO UPDATE SET "
            "canvas_type = excluded.canvas_type, revision = excluded.revision, state = excluded.state, "
            "commit_seq = coalesce(?, canvas_states.commit_seq), updated_at = excluded.updated_at",
            (
                stream,
                tenant_id,
                write.canvas_type,
                write.revision,
                write.state_text,
                commit_seq or 0,
                created_at,
                commit_seq,
            ),
        )
    if write.record is not None:
        conn.execute(
            "INSERT INTO canvas_revisions (stream, revision, seq, paths, patch_key, body_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                stream,
                write.revision,
                seq,
                json.dumps(list(write.record.paths)),
                write.record.patch_key,
                write.record.body_sha256,
            ),
        )
        conn.execute(
            "DELETE FROM canvas_revisions WHERE stream = ? AND revision <= ?",
            (stream, write.revision - write.rebase_window),
        )
    dropped: list[dict[str, Any]] = []
    if write.snapshot is not None:
        dropped = _snapshot(conn, stream, write, seq, created_at)
    return TransactOutcome(write, seq, created_at, dropped_documents=tuple(dropped))


def _snapshot(
    conn: sqlite3.Connection, stream: str, write: CanvasWrite, seq: int, created_at: float
) -> list[dict[str, Any]]:
    snap = write.snapshot
    assert snap is not None
    if snap.advance:
        conn.execute(
            "UPDATE canvas_snapshots SET resume_seq = max(resume_seq, ?) WHERE stream = ? AND revision = ?",
            (seq, stream, snap.revision),
        )
    else:
        conn.execute(
            "INSERT INTO canvas_snapshots (stream, revision, resume_seq, canvas_type, state, document, "
            "size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream, revision) DO UPDATE "
            "SET resume_seq = max(canvas_snapshots.resume_seq, excluded.resume_seq)",
            (
                stream,
                snap.revision,
                snap.resume_seq if snap.resume_seq is not None else seq,
                write.canvas_type,
                snap.state_text,
                None if snap.document is None else json.dumps(snap.document),
                snap.size_bytes,
                created_at,
            ),
        )
    keep = conn.execute(
        "SELECT min(revision) FROM (SELECT revision FROM canvas_snapshots WHERE stream = ? "
        "ORDER BY revision DESC LIMIT ?)",
        (stream, write.keep_snapshots),
    ).fetchone()[0]
    gone = conn.execute(
        "DELETE FROM canvas_snapshots WHERE stream = ? AND revision < ? RETURNING document",
        (stream, keep),
    ).fetchall()
    return [json.loads(r[0]) for r in gone if r[0] is not None]


def read_canvas(conn: sqlite3.Connection, stream: str) -> CanvasRead | None:
    """The canvas and the stream head from one read transaction (one WAL snapshot)."""
    conn.execute("BEGIN")
    try:
        row = _row(conn, stream)
        return None if row is None else CanvasRead(row, _head(conn, stream))
    finally:
        conn.execute("COMMIT")


def read_snapshot(conn: sqlite3.Connection, stream: str, revision: int | None) -> SnapshotRow | None:
    query = (
        "SELECT revision, resume_seq, canvas_type, state, document, size_bytes, created_at "
        "FROM canvas_snapshots WHERE stream = ? "
    )
    params: tuple[Any, ...] = (stream,)
    if revision is None:
        query += "ORDER BY revision DESC LIMIT 1"
    else:
        query += "AND revision = ?"
        params = (stream, revision)
    found = conn.execute(query, params).fetchone()
    if found is None:
        return None
    return SnapshotRow(
        stream,
        int(found[0]),
        int(found[1]),
        str(found[2]),
        found[3],
        None if found[4] is None else json.loads(found[4]),
        int(found[5]),
        float(found[6]),
    )
