"""A generic job function: one ffmpeg run, with progress and cancellation wired to the job.

Submit :func:`run_ffmpeg_job` with an :class:`FfmpegJobSpec`. The args are trusted: build them
in the muscle from validated input, never pass a client's strings through (the runner still
guards every input: see core.ffmpeg).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from core.ffmpeg import run_ffmpeg_sync
from core.jobs.context import JobContext

__all__ = ["FfmpegJobResult", "FfmpegJobSpec", "run_ffmpeg_job"]


class FfmpegJobSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    args: list[str]
    duration_s: float | None = None
    label: str | None = None  # varies the job id for otherwise equal runs


class FfmpegJobResult(BaseModel):
    elapsed_s: float


def run_ffmpeg_job(ctx: JobContext, spec: FfmpegJobSpec) -> FfmpegJobResult:
    result = run_ffmpeg_sync(
        spec.args, duration_s=spec.duration_s, on_progress=ctx.progress, should_cancel=ctx.cancelled
    )
    return FfmpegJobResult(elapsed_s=result.elapsed_s)
