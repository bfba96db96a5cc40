"""A usage record: one tool call or one job, as the ledger (and the bill) sees it."""

from __future__ import annotations

import itertools
import secrets
import time
import uuid
from dataclasses import dataclass, field

__all__ = ["DecisionRecord", "LedgerEntry", "UsageRecord", "new_record_id"]

# Record ids: 64 random bits drawn once per process, then a counter. Unique across processes
# (and restarts) like uuid4, without a urandom syscall per record on the call's path.
_PROCESS_BITS = secrets.randbits(64) << 64
_COUNTER = itertools.count()


def new_record_id() -> str:
    """A UUID (32 hex digits, as PostgreSQL's uuid type takes it) unique to this record."""
    return uuid.UUID(int=_PROCESS_BITS | (next(_COUNTER) & (2**64 - 1))).hex


@dataclass(frozen=True)
class UsageRecord:
    """Who called what, for how long and how much: ``outcome`` is ``ok`` or the error code
    (``quota_exceeded``, ``maturity_too_low``, ``cancelled``, a tool's own code ...)."""

    tenant_id: str
    actor: str
    muscle: str
    tool: str
    duration_s: float
    cpu_s: float
    bytes_in: int
    bytes_out: int
    outcome: str
    job_id: str | None = None
    request_id: str | None = None
    recorded_at: float = field(default_factory=time.time)
    record_id: str = field(default_factory=new_record_id)


@dataclass(frozen=True)
class DecisionRecord:
    """One governance decision: who (tenant, actor, maturity) asked for which tool (and its
    complexity), and the outcome: ``allow``, ``supervise``, ``propose`` or ``refuse``."""

    tenant_id: str
    actor: str
    maturity: str
    muscle: str
    tool: str
    complexity: int
    outcome: str
    needed: str
    proposal_id: str | None = None
    request_id: str | None = None
    recorded_at: float = field(default_factory=time.time)
    record_id: str = field(default_factory=new_record_id)


LedgerEntry = UsageRecord | DecisionRecord
