"""What a job is on the wire: its state, its status, and its idempotent id."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, JsonValue

__all__ = ["TERMINAL_STATES", "JobState", "JobStatus", "canonical_json", "job_id_for"]

JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]
TERMINAL_STATES: Final[frozenset[str]] = frozenset({"succeeded", "failed", "cancelled"})


class JobStatus(BaseModel):
    """A job as a caller sees it; also a tool return type."""

    model_config = ConfigDict(frozen=True)

    job_id: str
    kind: str
    state: JobState
    progress: float = 0.0
    message: str = ""
    attempts: int = 0
    result: dict[str, JsonValue] | None = None
    error: dict[str, JsonValue] | None = None
    created_at: float
    updated_at: float

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES


def canonical_json(value: object) -> str:
    """One spelling per value: sorted keys, no spaces, so equal specs hash equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def job_id_for(tenant_id: str, kind: str, spec: Mapping[str, JsonValue]) -> str:
    """``job_`` + 32 hex digits of sha256 over tenant, kind and the canonical spec."""
    digest = hashlib.sha256("\0".join((tenant_id, kind, canonical_json(spec))).encode()).hexdigest()
    return "job_" + digest[:32]
