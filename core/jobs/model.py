"""What a job is on the wire: its state, its status, a page of jobs, and its idempotent id."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TERMINAL_STATES", "JobError", "JobPage", "JobState", "JobStatus", "canonical_json", "job_id_for"]

JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]
TERMINAL_STATES: Final[frozenset[str]] = frozenset({"succeeded", "failed", "cancelled"})


class JobError(BaseModel):
    """The coded error a job ended with: the job function's own code, message, value and hint."""

    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    hint: str
    value: str | int | float | bool | None = None

    @classmethod
    def of(cls, recorded: Mapping[str, Any]) -> JobError:
        value = recorded.get("value")
        return cls(
            code=str(recorded.get("code", "internal_error")),
            message=str(recorded.get("message", "")),
            hint=str(recorded.get("hint", "")),
            value=value if isinstance(value, (str, int, float, bool)) or value is None else str(value),
        )


class JobStatus(BaseModel):
    """A job as a caller sees it; also a tool return type. The result comes from job_result."""

    model_config = ConfigDict(frozen=True)

    job_id: str
    kind: str = Field(description="What the job runs, e.g. video_render.render")
    state: JobState
    progress: float = Field(default=0.0, description="0..1")
    message: str = ""
    attempts: int = Field(default=0, description="Runs started (a retry after a lost worker counts)")
    error: JobError | None = Field(default=None, description="Set when the job failed or was cancelled")
    created_at: float
    updated_at: float

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES


class JobPage(BaseModel):
    """A page of the caller's jobs, newest first."""

    jobs: list[JobStatus]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last")


def canonical_json(value: object) -> str:
    """One spelling per value: sorted keys, no spaces, so equal specs hash equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def job_id_for(tenant_id: str, kind: str, spec: Mapping[str, Any]) -> str:
    """``job_`` + 32 hex digits of sha256 over tenant, kind and the canonical spec."""
    digest = hashlib.sha256("\0".join((tenant_id, kind, canonical_json(spec))).encode()).hexdigest()
    return "job_" + digest[:32]
