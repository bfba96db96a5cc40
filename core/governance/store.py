"""Proposals and the supervision stream, in SQLite (shared by every process on a data dir).

A *proposal* is a call an INTERN agent may not run itself: it waits ``pending`` until a person
approves (``running``, then ``executed`` with the call's result) or rejects it (``rejected``).
The move out of ``pending`` is one transaction that only one decision can win, so approving
twice (or from two processes at once) runs the call once; every later decision reads the
first one's outcome. A proposal whose run was cut short by a crash stays ``running``: it is
never run again by itself (at most once; a person proposes it anew).

The *supervision stream* is an append-only log (a per-data-dir sequence number) of every call a
SUPERVISED agent made, with its arguments and outcome; readers follow it with ``after``.

Both are forgotten after ``ATOMS_GOVERNANCE_RETENTION_S`` (:meth:`GovernanceStore.delete_before`).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

__all__ = ["GovernanceStore", "Proposal", "ProposalState", "SupervisedCall"]

ProposalState = Literal["pending", "running", "executed", "rejected"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS proposals (
    proposal_id TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    maturity    TEXT NOT NULL,
    muscle      TEXT NOT NULL,
    tool        TEXT NOT NULL,
    arguments   TEXT NOT NULL,
    complexity  INTEGER NOT NULL,
    state       TEXT NOT NULL,
    created_at  REAL NOT NULL,
    decided_at  REAL,
    decided_by  TEXT,
    result      TEXT
);
CREATE INDEX IF NOT EXISTS proposals_tenant_state ON proposals (tenant_id, state, created_at);
CREATE TABLE IF NOT EXISTS supervision (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          REAL NOT NULL,
    tenant_id   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    muscle      TEXT NOT NULL,
    tool        TEXT NOT NULL,
    arguments   TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    request_id  TEXT
);
CREATE INDEX IF NOT EXISTS supervision_tenant_seq ON supervision (tenant_id, seq);
"""
_PROPOSAL: Final = (
    "proposal_id, tenant_id, actor, maturity, muscle, tool, arguments, complexity, state, created_at, "
    "decided_at, decided_by, result"
)


@dataclass(frozen=True)
class Proposal:
    proposal_id: str
    tenant_id: str
    actor: str
    maturity: str
    muscle: str
    tool: str
    arguments: dict[str, Any]
    complexity: int
    state: ProposalState
    created_at: float
    decided_at: float | None = None
    decided_by: str | None = None
    result: dict[str, Any] | None = None

    def public(self) -> dict[str, Any]:
        """The proposal as a person deciding on it sees it (an event, an API answer)."""
        return {
            "proposal_id": self.proposal_id,
            "state": self.state,
            "actor": self.actor,
            "maturity": self.maturity,
            "muscle": self.muscle,
            "tool": self.tool,
            "arguments": self.arguments,
            "complexity": self.complexity,
            "decided_by": self.decided_by,
        }


@dataclass(frozen=True)
class SupervisedCall:
    seq: int
    at: float
    tenant_id: str
    actor: str
    muscle: str
    tool: str
    arguments: dict[str, Any]
    outcome: str
    request_id: str | None = None


class GovernanceStore:
    """Blocking and thread-safe; call it off the event loop."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    # --- proposals -------------------------------------------------------------------------

    def propose(
        self,
        *,
        tenant_id: str,
        actor: str,
        maturity: str,
        muscle: str,
        tool: str,
        arguments: dict[str, Any],
        complexity: int,
        now: float,
    ) -> Proposal:
        proposal = Proposal(
            proposal_id="prop_" + secrets.token_urlsafe(16),
            tenant_id=tenant_id,
            actor=actor,
            maturity=maturity,
            muscle=muscle,
            tool=tool,
            arguments=arguments,
            complexity=complexity,
            state="pending",
            created_at=now,
        )
        with self._lock:
            self._db.execute(
                f"INSERT INTO proposals ({_PROPOSAL}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",  # noqa: S608 - constants
                (
                    proposal.proposal_id,
                    tenant_id,
                    actor,
                    maturity,
                    muscle,
                    tool,
                    json.dumps(arguments, sort_keys=True),
                    complexity,
                    "pending",
                    now,
                ),
            )
        return proposal

    def get(self, proposal_id: str, tenant_id: str) -> Proposal | None:
        """The tenant's proposal (another tenant's reads as missing)."""
        with self._lock:
            found = self._db.execute(
                f"SELECT {_PROPOSAL} FROM proposals WHERE proposal_id = ? AND tenant_id = ?",  # noqa: S608 - constants
                (proposal_id, tenant_id),
            ).fetchone()
        return _proposal(found) if found is not None else None

    def pending(self, tenant_id: str, *, limit: int = 100) -> list[Proposal]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_PROPOSAL} FROM proposals WHERE tenant_id = ? AND state = 'pending' "  # noqa: S608 - constants
                "ORDER BY created_at LIMIT ?",
                (tenant_id, limit),
            ).fetchall()
        return [_proposal(row) for row in rows]

    def decide(
        self, proposal_id: str, tenant_id: str, *, approve: bool, by: str, now: float
    ) -> tuple[Proposal | None, bool]:
        """Approve or reject a pending proposal: (the proposal after it, True when this call
        won it for an approval and must run it). A decided proposal is returned as it is."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                changed = self._db.execute(
                    "UPDATE proposals SET state = ?, decided_at = ?, decided_by = ? "
                    "WHERE proposal_id = ? AND tenant_id = ? AND state = 'pending'",
                    ("running" if approve else "rejected", now, by, proposal_id, tenant_id),
                ).rowcount
                found = self._db.execute(
                    f"SELECT {_PROPOSAL} FROM proposals WHERE proposal_id = ? AND tenant_id = ?",  # noqa: S608 - constants
                    (proposal_id, tenant_id),
                ).fetchone()
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        proposal = _proposal(found) if found is not None else None
        return proposal, bool(changed) and approve

    def executed(self, proposal_id: str, result: dict[str, Any]) -> Proposal:
        """Record the approved call's result."""
        with self._lock:
            self._db.execute(
                "UPDATE proposals SET state = 'executed', result = ? WHERE proposal_id = ?",
                (json.dumps(result), proposal_id),
            )
            found = self._db.execute(
                f"SELECT {_PROPOSAL} FROM proposals WHERE proposal_id = ?",  # noqa: S608 - constants
                (proposal_id,),
            ).fetchone()
        return _proposal(found)

    # --- the supervision stream --------------------------------------------------------------

    def supervise(
        self,
        *,
        tenant_id: str,
        actor: str,
        muscle: str,
        tool: str,
        arguments: dict[str, Any],
        outcome: str,
        request_id: str | None,
        now: float,
    ) -> SupervisedCall:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO supervision (at, tenant_id, actor, muscle, tool, arguments, outcome, request_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    tenant_id,
                    actor,
                    muscle,
                    tool,
                    json.dumps(arguments, sort_keys=True),
                    outcome,
                    request_id,
                ),
            )
        assert cursor.lastrowid is not None
        return SupervisedCall(
            cursor.lastrowid, now, tenant_id, actor, muscle, tool, arguments, outcome, request_id
        )

    def supervised(self, tenant_id: str, *, after: int = 0, limit: int = 100) -> list[SupervisedCall]:
        """The tenant's supervised calls after sequence number ``after``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, at, tenant_id, actor, muscle, tool, arguments, outcome, request_id FROM supervision "
                "WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (tenant_id, after, limit),
            ).fetchall()
        return [
            SupervisedCall(seq, at, tenant, actor, muscle, tool, json.loads(arguments), outcome, request_id)
            for seq, at, tenant, actor, muscle, tool, arguments, outcome, request_id in rows
        ]

    # --- retention ---------------------------------------------------------------------------

    def delete_before(self, cutoff: float) -> int:
        """Forget proposals (decided or not: a stale one is proposed anew) and supervised calls
        older than ``cutoff``; how many."""
        with self._lock:
            proposals = self._db.execute("DELETE FROM proposals WHERE created_at < ?", (cutoff,)).rowcount
            supervised = self._db.execute("DELETE FROM supervision WHERE at < ?", (cutoff,)).rowcount
        return proposals + supervised

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _proposal(found: tuple[Any, ...]) -> Proposal:
    (
        pid,
        tenant,
        actor,
        maturity,
        muscle,
        tool,
        arguments,
        complexity,
        state,
        created,
        decided_at,
        by,
        result,
    ) = found
    return Proposal(
        proposal_id=pid,
        tenant_id=tenant,
        actor=actor,
        maturity=maturity,
        muscle=muscle,
        tool=tool,
        arguments=json.loads(arguments),
        complexity=complexity,
        state=state,
        created_at=created,
        decided_at=decided_at,
        decided_by=by,
        result=None if result is None else json.loads(result),
    )
