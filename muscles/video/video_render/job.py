"""The render as a job function: runs on a Dask worker (or any thread) from a JSON spec.

Inputs are opened through a Workspace (hard links on local storage, downloads elsewhere, each
described by the probe recorded at registration); the timeline is checked against those facts;
ONE ffmpeg renders into the workspace's folder with ``-progress``; only a complete MP4 is
published to media_v2. Whatever happens, the folder (input links, text files, partial output)
is removed and ffmpeg is not left running.
"""

from __future__ import annotations

import concurrent.futures
import functools
import subprocess
from pathlib import Path
from typing import Protocol

from pydantic import JsonValue

from core import Scope, Settings
from core.ffmpeg import run_ffmpeg_sync
from core.media import WORK_DIR, BlockingWorkspace, MediaInfo, MediaStore
from muscles.video.timeline import Timeline, check
from muscles.video.video_render.plan import RenderPlan, plan_render

__all__ = ["RenderContext", "render_timeline"]

# Share of the progress bar for fetching and probing inputs, and for registering the output.
_PREPARE_SHARE = 0.05
_FINISH_SHARE = 0.05


class RenderContext(Protocol):
    """What the render needs from its runner; core.jobs' JobContext provides exactly this."""

    @property
    def tenant_id(self) -> str: ...

    @property
    def settings(self) -> Settings: ...

    def progress(self, fraction: float, message: str = "") -> None: ...

    def cancelled(self) -> bool: ...

    def raise_if_cancelled(self) -> None: ...


def render_timeline(ctx: RenderContext, spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """Job function ``muscles.video.video_render.job:render_timeline``.

    ``spec`` = {"timeline": Timeline JSON, "filename": "render.mp4"} (plus, for a re-run, the
    id of the job it replaces, which changes only the job id); returns the MediaRef of the
    registered MP4 plus the plan's frame_count and whether streams were copied.
    """
    timeline = Timeline.model_validate(spec["timeline"])
    filename = str(spec.get("filename") or "render.mp4")
    store = MediaStore.from_settings(ctx.settings)
    workspace = BlockingWorkspace(
        store,
        Scope(tenant_id=ctx.tenant_id),
        ctx.settings.data_dir / WORK_DIR,
        check_cancelled=ctx.raise_if_cancelled,
    )
    with workspace:
        ctx.progress(0.0, "opening inputs")
        sources, facts = _open_inputs(workspace, timeline)
        check(timeline, facts)
        output = workspace.path("out.mp4")
        plan = plan_render(
            timeline, sources, facts, output, work_dir=workspace.folder, font_file=default_font()
        )
        for path, text in plan.text_files.items():
            path.write_text(text, encoding="utf-8")
        ctx.raise_if_cancelled()
        _run(ctx, plan)
        ctx.progress(1.0 - _FINISH_SHARE, "registering the MP4")
        ref = workspace.publish(output, filename)  # a cancel that came as ffmpeg finished stores nothing
        result: dict[str, JsonValue] = ref.model_dump(mode="json")
        result["frame_count"] = plan.frame_count
        result["stream_copy"] = plan.stream_copy
        return result


def _run(ctx: RenderContext, plan: RenderPlan) -> None:
    span = 1.0 - _PREPARE_SHARE - _FINISH_SHARE

    def report(fraction: float, message: str) -> None:
        ctx.progress(_PREPARE_SHARE + span * fraction, message)

    try:
        run_ffmpeg_sync(
            plan.args, duration_s=plan.duration_s, on_progress=report, should_cancel=ctx.cancelled
        )
    except concurrent.futures.CancelledError:
        ctx.raise_if_cancelled()  # the runner's own cancellation error, when it has one
        raise


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
