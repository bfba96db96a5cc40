"""What a batch render takes and gives back: render specs in, a render per job out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from core.jobs import JobError, JobState
from muscles.video.timeline import Timeline
from muscles.video.video_render.render import RenderedVideo

__all__ = ["BatchRender", "BatchResults", "RenderSpec"]


class RenderSpec(BaseModel):
    """One render of a batch: a timeline and the output's filename (unique within the batch)."""

    model_config = ConfigDict(extra="forbid")

    timeline: Timeline
    filename: str = Field(description="The MP4's name in media_v2; it also names the job in the batch")


class BatchRender(BaseModel):
    """One job of a batch and, once it succeeded, its MP4."""

    filename: str
    job_id: str
    state: JobState
    attempts: int = Field(description="Runs started (a retry after a lost worker counts)")
    render: RenderedVideo | None = Field(default=None, description="Set when the job succeeded")
    error: JobError | None = Field(default=None, description="Set when the job failed or was cancelled")


class BatchResults(BaseModel):
    """Every job of a batch in submission order, with the MP4 of each that succeeded."""

    batch_id: str
    renders: list[BatchRender]
