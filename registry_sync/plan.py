"""The plan for one environment: what this checkout holds against what the registry holds.

+  create      the muscle is not registered yet
~  update      a higher version (or a soft-deleted muscle coming back)
=  unchanged   same content hash
-  prune       registered but gone from the repo (--prune soft-deletes it)
?  extra       registered but gone from the repo, kept (no --prune)
!  error       content changed without a version bump, or drift (refused; nothing is written)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.errors import AtomsError
from registry_sync.errors import RegistryDrift, VersionNotBumped
from registry_sync.local import LocalState
from registry_sync.records import MuscleRecord, RemoteRow, parse_version

__all__ = ["Change", "Op", "Plan", "compute_plan"]


class Op(StrEnum):
    CREATE = "+"
    UPDATE = "~"
    UNCHANGED = "="
    PRUNE = "-"
    EXTRA = "?"
    ERROR = "!"


@dataclass(frozen=True)
class Change:
    op: Op
    name: str
    local_version: str | None
    remote_version: str | None
    reason: str
    row: dict[str, Any] | None = None
    error: AtomsError | None = None
    drift: bool = False

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "op": self.op.name.lower(),
            "symbol": self.op.value,
            "name": self.name,
            "local_version": self.local_version,
            "remote_version": self.remote_version,
            "reason": self.reason,
            "drift": self.drift,
        }
        if self.error is not None:
            body["error"] = self.error.to_dict()
        return body


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """What one write sends: every create, update and prune."""
        return [c.row for c in self.changes if c.row is not None]

    @property
    def errors(self) -> list[Change]:
        return [c for c in self.changes if c.op is Op.ERROR]

    @property
    def has_changes(self) -> bool:
        return any(c.op in (Op.CREATE, Op.UPDATE, Op.PRUNE) for c in self.changes)

    @property
    def has_differences(self) -> bool:
        """For status: anything that is not in sync, drift and unpruned extras included."""
        return any(c.op is not Op.UNCHANGED for c in self.changes)

    def count(self, op: Op) -> int:
        return sum(1 for c in self.changes if c.op is op)


def _compare(local: MuscleRecord, remote: RemoteRow, write: dict[str, Any]) -> Change:
    versions = (local.version, remote.version)
    if not remote.matches_its_hash:
        error = RegistryDrift(
            f"{local.name}: the registered content no longer matches its hash (edited outside registry-sync)",
            value=local.name,
        )
        return Change(
            Op.ERROR, local.name, *versions, "drift: remote edited by hand", error=error, drift=True
        )
    if local.content_hash == remote.content_hash:
        if remote.status != "active":
            return Change(Op.UPDATE, local.name, *versions, f"status {remote.status} -> active", row=write)
        return Change(Op.UNCHANGED, local.name, *versions, "in sync")
    local_key, remote_key = parse_version(local.version), parse_version(remote.version)
    if local_key > remote_key:
        return Change(Op.UPDATE, local.name, *versions, f"{remote.version} -> {local.version}", row=write)
    if local_key < remote_key:
        error = RegistryDrift(
            f"{local.name}: the registry holds {remote.version}, newer than this checkout's {local.version}",
            value=remote.version,
        )
        return Change(Op.ERROR, local.name, *versions, "drift: remote is ahead", error=error, drift=True)
    if remote.source_sha256 == local.source_sha256:
        error = RegistryDrift(
            f"{local.name}: the registered hash changed while service.py did not "
            f"(written by {remote.synced_by or 'unknown'} from {remote.source_commit or 'unknown commit'})",
            value=local.name,
        )
        return Change(Op.ERROR, local.name, *versions, "drift: remote hash changed", error=error, drift=True)
    bump = VersionNotBumped(
        f"{local.name}: content changed but version is still {local.version}", value=local.version
    )
    return Change(Op.ERROR, local.name, *versions, "content changed without a version bump", error=bump)


def compute_plan(local: LocalState, remote: dict[str, RemoteRow], *, prune: bool) -> Plan:
    meta = {"source_commit": local.source_commit, "synced_by": local.synced_by}
    plan = Plan()
    for name in sorted(local.records.keys() | remote.keys()):
        record, row = local.records.get(name), remote.get(name)
        if record is not None and row is None:
            write = record.row(status="active", **meta)
            plan.changes.append(Change(Op.CREATE, name, record.version, None, "new", row=write))
        elif record is not None and row is not None:
            plan.changes.append(_compare(record, row, record.row(status="active", **meta)))
        elif row is not None and row.status != "deleted":
            if prune:
                write = row.row(status="deleted", **meta)
                plan.changes.append(
                    Change(Op.PRUNE, name, None, row.version, "gone from the repo", row=write)
                )
            else:
                reason = "gone from the repo; --prune soft-deletes it"
                plan.changes.append(Change(Op.EXTRA, name, None, row.version, reason))
    return plan
