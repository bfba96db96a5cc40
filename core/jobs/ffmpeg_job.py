"""A generic job function: one ffmpeg run, with progress and cancellation wired to the job.

Submit it as ``"core.jobs.ffmpeg_job:run_ffmpeg_job"`` with a spec of ``{"args": [...],
"duration_s": <expected output seconds or null>}``. The args are trusted: build them in the
muscle from validated input, never pass a client's strings through.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError

from core.errors import InvalidArguments
from core.ffmpeg.runner import run_ffmpeg_sync
from core.jobs.context import JobContext

__all__ = ["FfmpegJobSpec", "run_ffmpeg_job"]


class FfmpegJobSpec(BaseModel):
    model_config = ConfigDict(extra="allow")  # callers may add keys (labels, ids) to vary the job id

    args: list[str]
    duration_s: float | None = None


def run_ffmpeg_job(ctx: JobContext, spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
    try:
        checked = FfmpegJobSpec.model_validate(spec)
    except ValidationError as exc:
        raise InvalidArguments(
            "an ffmpeg job spec is {'args': [str, ...], 'duration_s': float | null}",
            value=sorted(spec),
            hint="Pass ffmpeg's arguments (without the binary) as a list of strings.",
        ) from exc
    result = run_ffmpeg_sync(
        checked.args, duration_s=checked.duration_s, on_progress=ctx.progress, should_cancel=ctx.cancelled
    )
    return {"elapsed_s": result.elapsed_s}
