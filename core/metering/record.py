"""A usage record: one tool call or one job, as the ledger (and the bill) sees it."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

__all__ = ["DecisionRecord", "LedgerEntry", "UsageRecord"]


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
    record_id: str = field(default_factory=lambda: uuid.uuid4().hex)


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
    record_id: str = field(default_factory=lambda: uuid.uuid4().hex)


LedgerEntry = UsageRecord | DecisionRecord
