"""The render as a job function: runs on a Dask worker (or any thread) from a JSON spec.

Inputs are opened in a private work folder (on local storage hard links to the stored files,
elsewhere downloads) and described by the probe media_v2 recorded when each was registered
(a fresh probe only for assets stored without one); the timeline is checked against those
facts; ONE ffmpeg renders to a temp file with ``-progress``; only a complete MP4 is
registered in media_v2 (hashed once, then renamed into local storage). Whatever happens, the
work folder (input links, text files, partial output) is removed and ffmpeg is not left running.
"""

from __future__ import annotations

import concurrent.futures
import functools
import subprocess
from pathlib import Path
from typing import Protocol

from pydantic import JsonValue

from core.errors import AssetNotFound, MediaUnreadable, StorageError
from core.ffmpeg.runner import run_ffmpeg_sync
from core.media.probe import probe_sync
from core.media.staging import adopt
from core.media.store import MediaStore
from core.media.work_folders import work_folder
from core.scope import Scope
from core.serving.housekeeping import RENDER_DIR
from core.settings import Settings
from muscles.video.timeline import MediaFacts, Timeline, check, facts_from_info
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
    scope = Scope(tenant_id=ctx.tenant_id)
    with work_folder(ctx.settings.data_dir / RENDER_DIR, "render-") as work:
        ctx.progress(0.0, "opening inputs")
        sources, facts = _open_inputs(store, scope, timeline, work)
        check(timeline, facts)
        output = work / "out.mp4"
        plan = plan_render(timeline, sources, facts, output, work_dir=work, font_file=default_font())
        for path, text in plan.text_files.items():
            path.write_text(text, encoding="utf-8")
        ctx.raise_if_cancelled()
        _run(ctx, plan)
        ctx.progress(1.0 - _FINISH_SHARE, "registering the MP4")
        ctx.raise_if_cancelled()  # a cancel that came as ffmpeg finished still stores nothing
        staged = adopt(output, max_bytes=store.max_bytes, what=filename)
        ref = store.register_staged(scope, staged, filename)
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
    store: MediaStore, scope: Scope, timeline: Timeline, work: Path
) -> tuple[dict[str, Path], dict[str, MediaFacts]]:
    """Open each distinct asset once in ``work`` and describe it; errors name the clip."""
    by_uri: dict[str, Path] = {}
    facts: dict[str, MediaFacts] = {}
    sources: dict[str, Path] = {}
    for clip in timeline.clips():
        if clip.uri not in by_uri:
            path = work / f"input-{len(by_uri)}{Path(clip.uri).suffix[:8]}"
            try:
                path, recorded = store.open_for_reading(scope, clip.uri, path)
                facts[clip.uri] = facts_from_info(recorded or probe_sync(path))
            except (AssetNotFound, StorageError):
                raise AssetNotFound(
                    f"clip {clip.id}: no such asset for this tenant",
                    value=f"{clip.id}.uri",
                    details={"clip_id": clip.id, "field": "uri", "uri": clip.uri},
                ) from None
            except MediaUnreadable as exc:
                raise MediaUnreadable(
                    f"clip {clip.id}: {exc.message}",
                    value=f"{clip.id}.uri",
                    hint=exc.hint,
                    details={"clip_id": clip.id, "field": "uri", **exc.details},
                ) from None
            by_uri[clip.uri] = path
        sources[clip.id] = by_uri[clip.uri]
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
