"""Registry records: what a muscle's row says, derived only from its MuscleSpec and its
generated SKILL.md. The content is canonical JSON (sorted keys, no spaces) and hashed."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from core.spec import MuscleSpec, ToolSpec
from registry_sync.errors import InvalidVersion

__all__ = [
    "CONTENT_FIELDS",
    "MuscleRecord",
    "RemoteRow",
    "canonical_json",
    "content_hash",
    "parse_version",
    "record_from_spec",
]

# The hashed content of a record. Status, synced_by and source_commit are bookkeeping: a
# re-sync from another machine must not look like a content change.
CONTENT_FIELDS = (
    "name",
    "version",
    "category",
    "description",
    "tools",
    "capabilities",
    "canvas_tools",
    "transports",
    "skill_md",
)
_SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(content).encode()).hexdigest()


def parse_version(version: str) -> tuple[int, int, int, int, str]:
    """A sortable key for an exact semantic version; a prerelease sorts before its release."""
    match = _SEMVER.fullmatch(version)
    if match is None:
        raise InvalidVersion(f"version {version!r} is not an exact semantic version", value=version)
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


class _Content(BaseModel):
    name: str
    version: str
    category: str
    description: str
    tools: list[dict[str, Any]]
    capabilities: list[str]
    canvas_tools: list[dict[str, Any]]
    transports: list[str]
    skill_md: str

    def content(self) -> dict[str, Any]:
        return self.model_dump(include=set(CONTENT_FIELDS), mode="json")


class MuscleRecord(_Content):
    """A muscle as this checkout would register it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_sha256: str
    content_hash: str

    def row(self, *, status: str, source_commit: str | None, synced_by: str | None) -> dict[str, Any]:
        """The registry row to upsert (every column but the timestamps the database keeps)."""
        return {
            **self.content(),
            "content_hash": self.content_hash,
            "source_sha256": self.source_sha256,
            "status": status,
            "source_commit": source_commit,
            "synced_by": synced_by,
        }


class RemoteRow(_Content):
    """A row as an environment holds it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    content_hash: str
    source_sha256: str | None = None
    status: str
    source_commit: str | None = None
    synced_by: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def matches_its_hash(self) -> bool:
        """False when the content was changed under its hash (by hand, outside registry-sync)."""
        return content_hash(self.content()) == self.content_hash

    def row(self, *, status: str, source_commit: str | None, synced_by: str | None) -> dict[str, Any]:
        return {
            **self.content(),
            "content_hash": self.content_hash,
            "source_sha256": self.source_sha256,
            "status": status,
            "source_commit": source_commit,
            "synced_by": synced_by,
        }


def _tool_entry(tool: ToolSpec) -> dict[str, Any]:
    return {
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "input_schema": tool.input_schema,
        "output_schema": tool.output_schema,
        "annotations": {
            "read_only": tool.read_only,
            "destructive": tool.destructive,
            "idempotent": tool.idempotent,
            "open_world": tool.open_world,
        },
    }


def record_from_spec(spec: MuscleSpec, skill_md: str) -> MuscleRecord:
    """The record of one muscle: its spec's public parts plus the SKILL.md the sentinel wrote."""
    parse_version(spec.version)
    content = _Content(
        name=spec.name,
        version=spec.version,
        category=spec.category,
        description=spec.description,
        tools=[_tool_entry(tool) for tool in sorted(spec.tools, key=lambda t: t.name)],
        capabilities=sorted(spec.capabilities),
        canvas_tools=[ct.model_dump(mode="json") for ct in sorted(spec.canvas_tools, key=lambda c: c.id)],
        transports=sorted(spec.transports),
        skill_md=skill_md,
    ).content()
    # One JSON round trip, so the hash is over exactly what a database will hand back.
    content = json.loads(canonical_json(content))
    return MuscleRecord(**content, source_sha256=spec.source_sha256, content_hash=content_hash(content))
