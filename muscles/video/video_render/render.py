"""The render: a checked timeline's inputs opened through the Workspace (hard links on local
storage, downloads elsewhere, each described by the probe recorded at registration), ONE
ffmpeg with one filter graph writing into the workspace's folder with ``-progress``, and only
a complete MP4 published to media_v2. The same body runs inline (``render``) or as a job
(``submit_render``); either way a cancelled render stops ffmpeg and stores nothing.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import anyio
from pydantic import BaseModel, Field

from core import MediaRef, Progress
from core.ffmpeg import run_ffmpeg
from core.media import BlockingWorkspace, MediaInfo, Workspace
from muscles.video.timeline import Timeline, check
from muscles.video.video_render.plan import plan_render

__all__ = ["RenderedVideo", "default_font", "render_timeline"]

# Shares of the progress bar for opening the inputs and for publishing the output.
_PREPARE_SHARE = 0.05
_FINISH_SHARE = 0.05


class RenderedVideo(BaseModel):
    """The registered MP4 and how it was made."""

    media: MediaRef = Field(description="The MP4 in media_v2 (duration, width, height, fps, sha256)")
    frame_count: int = Field(description="Video frames in the file")
    stream_copy: bool = Field(description="True when the single unchanged clip was copied, not re-encoded")


async def render_timeline(
    workspace: Workspace, progress: Progress, timeline: Timeline, filename: str
) -> RenderedVideo:
    await progress.report(0.0, "opening inputs")
    sources, facts = await anyio.to_thread.run_sync(_open_inputs, workspace.blocking, timeline)
    check(timeline, facts)
    output = workspace.path("out.mp4")
    font = await anyio.to_thread.run_sync(default_font)
    plan = plan_render(timeline, sources, facts, output, work_dir=workspace.folder, font_file=font)
    for path, text in plan.text_files.items():
        path.write_text(text, encoding="utf-8")
    span = 1.0 - _PREPARE_SHARE - _FINISH_SHARE

    async def encoding(fraction: float, message: str) -> None:
        await progress.report(_PREPARE_SHARE + span * fraction, message)

    await run_ffmpeg(plan.args, duration_s=plan.duration_s, on_progress=encoding)
    await progress.report(1.0 - _FINISH_SHARE, "registering the MP4")
    media = await workspace.publish(output, filename)
    await progress.report(1.0, "done")
    return RenderedVideo(media=media, frame_count=plan.frame_count, stream_copy=plan.stream_copy)


def _open_inputs(
    workspace: BlockingWorkspace, timeline: Timeline
) -> tuple[dict[str, Path], dict[str, MediaInfo]]:
    """Open each distinct asset once and describe it; errors name the clip."""
    opened: dict[str, Path] = {}
    facts: dict[str, MediaInfo] = {}
    sources: dict[str, Path] = {}
    for clip in timeline.clips():
        if clip.uri not in opened:
            media = workspace.open(
                clip.uri, field=f"{clip.id}.uri", subject=f"clip {clip.id}", clip_id=clip.id
            )
            opened[clip.uri], facts[clip.uri] = media.path, media.info
        sources[clip.id] = opened[clip.uri]
    return sources, facts


@functools.cache
def default_font() -> str | None:
    """A sans font file for drawtext (fontconfig's pick), or None to let ffmpeg choose."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = found.stdout.strip()
    return path if found.returncode == 0 and path and Path(path).is_file() else None
