"""Governance in the tool router: the maturity of whoever sends a command bounds the tools the
router runs for it (core.governance), every decision is recorded, INTERN proposals become
``proposal`` events on the canvas stream that a person approves or rejects with the commands
``approve_proposal`` / ``reject_proposal`` (``args.proposal_id``), and SUPERVISED calls are
mirrored as ``log_line`` events (``kind: supervision``) on the supervision stream.

Proposals are kept in the router's own store (SQLite under its data dir), whose one-winner
transition makes an approval run the call once however many times it is approved.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

from core.governance import (
    Decision,
    GovernanceStore,
    Maturity,
    Proposal,
    decide,
    parse_maturity,
    spec_complexity,
)
from core.metering import DecisionRecord
from core.spec import MuscleSpec

__all__ = ["APPROVE", "REJECT", "RouterGovernance", "complexities"]

logger = logging.getLogger(__name__)

APPROVE = "approve_proposal"
REJECT = "reject_proposal"
_UNKNOWN_COMPLEXITY = 4  # a tool the specs do not describe is treated as destructive


def complexities(specs: Sequence[MuscleSpec]) -> dict[tuple[str, str], int]:
    """(muscle, tool) -> complexity of every tool the specs describe (job tools included)."""
    return {(spec.name, tool.name): spec_complexity(tool) for spec in specs for tool in spec.tools}


@dataclass
class RouterGovernance:
    """The router's governance: its own level, the tools' complexities, its proposal store and
    where its decisions go (the usage ledger's writer, or anything taking a DecisionRecord)."""

    tenant_id: str
    maturity: Maturity = Maturity.AUTONOMOUS
    complexity: Mapping[tuple[str, str], int] = field(default_factory=dict)
    store_path: Path | None = None
    record: Callable[[DecisionRecord], None] | None = None
    clock: Callable[[], float] = time.time
    retention_s: float = 30 * 24 * 3600  # proposals older than this are forgotten when the store opens
    _store: GovernanceStore | None = None

    def level_of(self, author: Mapping[str, Any]) -> Maturity:
        """The level a command runs at: the router's own, lowered to its author's when the
        author is an agent whose token states one (people's commands run at the router's)."""
        stated = author.get("maturity") if author.get("kind") == "agent" else None
        if stated is None:
            return self.maturity
        return min(self.maturity, parse_maturity(stated))

    def check(self, author: Mapping[str, Any], muscle: str, tool: str) -> Decision:
        decision = decide(self.level_of(author), self.complexity.get((muscle, tool), _UNKNOWN_COMPLEXITY))
        if decision.outcome != "propose":  # a proposal is recorded with its id, once stored
            self._record(author, muscle, tool, decision, None)
        return decision

    async def propose(
        self, author: Mapping[str, Any], muscle: str, tool: str, arguments: dict[str, Any], decision: Decision
    ) -> Proposal:
        store = await self._opened()
        proposal = await anyio.to_thread.run_sync(
            lambda: store.propose(
                tenant_id=self.tenant_id,
                actor=str(author.get("subject", "unknown")),
                maturity=decision.maturity.name,
                muscle=muscle,
                tool=tool,
                arguments=arguments,
                complexity=decision.complexity,
                now=self.clock(),
            )
        )
        self._record(author, muscle, tool, decision, proposal.proposal_id)
        return proposal

    async def decide(self, proposal_id: str, *, approve: bool, by: str) -> tuple[Proposal | None, bool]:
        """The first decision wins: (the proposal after it, True when this approval must run it)."""
        store = await self._opened()
        return await anyio.to_thread.run_sync(
            lambda: store.decide(proposal_id, self.tenant_id, approve=approve, by=by, now=self.clock())
        )

    async def executed(self, proposal_id: str, result: dict[str, Any]) -> Proposal:
        store = await self._opened()
        return await anyio.to_thread.run_sync(store.executed, proposal_id, result)

    async def close(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            await anyio.to_thread.run_sync(store.close)

    async def _opened(self) -> GovernanceStore:
        if self._store is None:
            if self.store_path is None:
                raise RuntimeError("this router keeps no proposals (no store path)")
            store = await anyio.to_thread.run_sync(GovernanceStore, self.store_path)
            forgotten = await anyio.to_thread.run_sync(store.delete_before, self.clock() - self.retention_s)
            if forgotten:
                logger.info("forgot %d proposals past their retention", forgotten)
            self._store = store
        return self._store

    def _record(
        self, author: Mapping[str, Any], muscle: str, tool: str, decision: Decision, proposal_id: str | None
    ) -> None:
        logger.info(
            "governance: %s (%s) -> %s.%s (complexity %d): %s",
            author.get("subject"),
            decision.maturity.name,
            muscle,
            tool,
            decision.complexity,
            decision.outcome,
        )
        if self.record is not None:
            self.record(
                DecisionRecord(
                    tenant_id=self.tenant_id,
                    actor=str(author.get("subject", "unknown")),
                    maturity=decision.maturity.name,
                    muscle=muscle,
                    tool=tool,
                    complexity=decision.complexity,
                    outcome=decision.outcome,
                    needed=decision.needed.name,
                    proposal_id=proposal_id,
                    recorded_at=self.clock(),
                )
            )
