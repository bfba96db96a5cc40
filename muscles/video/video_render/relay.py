"""A finished job's outcome as the tool's result or as the job function's own coded error."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from core.errors import AtomsError
from core.jobs import JobFailed, JobNotFinished, JobStatus
from core.media import MediaRef

__all__ = ["RelayedError", "RenderedVideo", "rendered_or_raise"]


class RenderedVideo(BaseModel):
    """The registered MP4 and how it was made."""

    media: MediaRef = Field(description="The MP4 in media_v2 (duration, width, height, fps, sha256)")
    frame_count: int = Field(description="Video frames in the file")
    stream_copy: bool = Field(description="True when the single unchanged clip was copied, not re-encoded")
    job_id: str


class RelayedError(AtomsError):
    """An error raised inside the render job, sent to the client exactly as the job recorded it
    (its own code, message, value and hint), so a blocking render fails like a direct call."""

    code = JobFailed.code
    default_hint = JobFailed.default_hint

    def __init__(self, recorded: dict[str, Any]) -> None:
        super().__init__(
            str(recorded.get("message", "the render failed")),
            value=recorded.get("value"),
            hint=str(recorded.get("hint") or self.default_hint),
            details=recorded.get("details") or None,
        )
        self.recorded = recorded

    def to_dict(self) -> dict[str, Any]:
        return dict(self.recorded)

    def __str__(self) -> str:
        return f"[{self.recorded.get('code', self.code)}] {self.message}"


def rendered_or_raise(status: JobStatus) -> RenderedVideo:
    if status.state == "succeeded" and status.result is not None:
        result = dict(status.result)
        frame_count, stream_copy = result.pop("frame_count"), result.pop("stream_copy")
        return RenderedVideo(
            media=MediaRef.model_validate(result),
            frame_count=int(str(frame_count)),
            stream_copy=bool(stream_copy),
            job_id=status.job_id,
        )
    if status.error is not None:
        raise RelayedError(dict(status.error))
    raise JobNotFinished(f"job {status.job_id} is {status.state}", value=status.job_id)
