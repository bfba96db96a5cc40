"""plan / apply / status across environments, and the exit code each run ends with.

``all`` means staging first, then production only if staging succeeded. Each environment
is preflighted (vault entries, URL, key role, reachable, migrated) right before its own
read or write, so a production outage never blocks staging.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal

from core.errors import AtomsError
from registry_sync.backends.base import RegistryBackend
from registry_sync.backends.postgres import PostgresBackend
from registry_sync.backends.rest import RestBackend
from registry_sync.config import RegistrySettings
from registry_sync.errors import PreflightFailed, RegistryWriteFailed
from registry_sync.local import LocalState
from registry_sync.plan import Plan, compute_plan
from registry_sync.vault import EnvName, Vault

__all__ = [
    "BackendFactory",
    "EnvOutcome",
    "ExitCode",
    "apply_exit_code",
    "backend_factory",
    "plan_exit_code",
    "run_apply",
    "run_plan",
]

logger = logging.getLogger("registry_sync")

BackendFactory = Callable[[EnvName], RegistryBackend]
Phase = Literal["preflight", "plan", "write"]


class ExitCode(IntEnum):
    OK = 0
    USAGE = 1
    CHANGES = 2
    PREFLIGHT = 3
    PARTIAL = 4
    FAILED = 5


@dataclass
class EnvOutcome:
    env: EnvName
    target: str = ""
    status: Literal["ok", "failed", "skipped"] = "ok"
    phase: Phase | None = None
    plan: Plan = field(default_factory=Plan)
    writes: int = 0
    error: AtomsError | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "target": self.target,
            "status": self.status,
            "failed_in": self.phase,
            "writes": self.writes,
            "changes": [c.to_dict() for c in self.plan.changes],
            "error": self.error.to_dict() if self.error is not None else None,
        }


def backend_factory(settings: RegistrySettings) -> BackendFactory:
    """Vault -> backend, with the static part of the preflight (entries present, URL, key role)."""
    vault = Vault(settings)

    def open_backend(env: EnvName) -> RegistryBackend:
        if settings.registry_backend == "postgres":
            return PostgresBackend(env, vault.db_url(env), timeout_s=settings.registry_timeout_s)
        url = vault.supabase_url(env)
        key = vault.service_key(env)
        return RestBackend(env, url, key, timeout_s=settings.registry_timeout_s)

    return open_backend


def _preflight(env: EnvName, factory: BackendFactory, outcome: EnvOutcome) -> RegistryBackend | None:
    try:
        backend = factory(env)
        outcome.target = backend.label
        backend.ping()
    except PreflightFailed as exc:
        outcome.status, outcome.phase, outcome.error = "failed", "preflight", exc
        logger.info("%s: preflight failed: %s", env, exc.code)
        return None
    return backend


def _plan_one(
    env: EnvName, local: LocalState, factory: BackendFactory, prune: bool
) -> tuple[EnvOutcome, RegistryBackend | None]:
    outcome = EnvOutcome(env)
    backend = _preflight(env, factory, outcome)
    if backend is None:
        return outcome, None
    try:
        outcome.plan = compute_plan(local, backend.fetch_state(), prune=prune)
    except PreflightFailed as exc:
        outcome.status, outcome.phase, outcome.error = "failed", "preflight", exc
        backend.close()
        return outcome, None
    return outcome, backend


def run_plan(
    envs: Iterable[EnvName], local: LocalState, factory: BackendFactory, *, prune: bool
) -> list[EnvOutcome]:
    """Read-only: every environment is planned, whatever the others do."""
    outcomes = []
    for env in envs:
        outcome, backend = _plan_one(env, local, factory, prune)
        if backend is not None:
            backend.close()
        outcomes.append(outcome)
    return outcomes


def run_apply(
    envs: Iterable[EnvName], local: LocalState, factory: BackendFactory, *, prune: bool
) -> list[EnvOutcome]:
    """Plan and write each environment in turn; stop at the first that does not succeed."""
    outcomes: list[EnvOutcome] = []
    for env in envs:
        if outcomes and outcomes[-1].status != "ok":
            previous = outcomes[-1].env
            outcomes.append(
                EnvOutcome(
                    env, status="skipped", error=None, phase=None, target=f"not tried: {previous} failed"
                )
            )
            continue
        outcome, backend = _plan_one(env, local, factory, prune)
        outcomes.append(outcome)
        if backend is None:
            continue
        try:
            if outcome.plan.errors:
                outcome.status, outcome.phase = "failed", "plan"
                outcome.error = outcome.plan.errors[0].error
                continue
            backend.apply(outcome.plan.rows)
        except RegistryWriteFailed as exc:
            outcome.status, outcome.phase, outcome.error = "failed", "write", exc
        finally:
            outcome.writes = backend.writes
            backend.close()
        logger.info("%s: %s, %d write(s)", env, outcome.status, outcome.writes)
    return outcomes


def plan_exit_code(outcomes: list[EnvOutcome], *, differences: bool = False) -> ExitCode:
    """3 if a preflight failed; else 1 if a plan holds errors; else 2 for changes; else 0.
    ``differences`` (status) counts drift and unpruned extras as differences (2), not errors."""
    if any(o.phase == "preflight" for o in outcomes):
        return ExitCode.PREFLIGHT
    if differences:
        return ExitCode.CHANGES if any(o.plan.has_differences for o in outcomes) else ExitCode.OK
    if any(o.plan.errors for o in outcomes):
        return ExitCode.USAGE
    return ExitCode.CHANGES if any(o.plan.has_changes for o in outcomes) else ExitCode.OK


def apply_exit_code(outcomes: list[EnvOutcome]) -> ExitCode:
    """0 all applied (or in sync); 1 a plan held errors; 4 some applied; 3 nothing applied and
    only preflights failed; 5 nothing applied and a write failed."""
    if any(o.phase == "plan" for o in outcomes):
        return ExitCode.USAGE
    succeeded = [o for o in outcomes if o.status == "ok"]
    if len(succeeded) == len(outcomes):
        return ExitCode.OK
    if succeeded:
        return ExitCode.PARTIAL
    failed = [o for o in outcomes if o.status == "failed"]
    return ExitCode.PREFLIGHT if all(o.phase == "preflight" for o in failed) else ExitCode.FAILED
