"""video_render: burns a timeline into one MP4 with one ffmpeg process; long renders as jobs."""

from __future__ import annotations

import anyio

from core import CanvasTool, Muscle, Progress, tool
from core.errors import (
    AssetNotFound,
    FfmpegFailed,
    InvalidIdentifier,
    InvalidInput,
    MediaUnreadable,
    NotMedia,
)
from core.jobs import JobCancelled
from core.media import Workspace, validate_filename
from muscles.video.timeline import Timeline, TimelineInvalid, TimeOutOfRange, check, stored_facts

from .checks import SourceEndedEarly
from .examples import CANCEL, LIST, PREVIEW, RENDER, RENDER_EDITED, RESULT, STATUS_OF, SUBMIT
from .images import ImageNotAccepted, refuse_images
from .preview import MAX_PREVIEW_FRAMES, PreviewFrames, preview_timeline
from .render import RenderedVideo, render_timeline

_RENDER_ERRORS = [
    TimelineInvalid,
    AssetNotFound,
    NotMedia,
    ImageNotAccepted,
    MediaUnreadable,
    SourceEndedEarly,
    FfmpegFailed,
    InvalidIdentifier,
]


class VideoRender(Muscle):
    """Renders a video_timeline timeline into a single MP4 and registers it in media_v2.

    One ffmpeg process and one filter graph do the whole render (trims, speed, every named
    xfade transition, fades, layers composited in order for picture-in-picture and lower
    thirds, stills and colour clips, keyframed position/size/rotation/opacity and Ken Burns
    moves, LUTs and colour grades, 16:9/9:16/1:1/4:5 reframes by pad, crop or blur, text, mix),
    with codec, CRF, preset, size and fps from the timeline's output settings; a single
    unchanged clip is stream-copied. Use `render` for short work (it
    reports progress and stops ffmpeg when the call is cancelled); for anything that may
    outlast the client's call timeout use `submit_render` and poll `job_status`.
    """

    version = "1.3.0"
    capabilities = ("cap.video.render",)
    canvas_tools = (
        CanvasTool(id="export_mp4", icon="film_reel", type="panel_pop", tool="render", action="Export MP4"),
    )
    job_examples = {
        "submit_render": [SUBMIT],
        "job_status": [STATUS_OF],
        "cancel_job": [CANCEL],
        "job_result": [RESULT],
        "list_jobs": [LIST],
    }

    async def check_render(
        self,
        timeline: Timeline,
        workspace: Workspace,
        progress: Progress,
        filename: str = "render.mp4",
        pad_short_sources: bool = False,
    ) -> None:
        """Refuse a bad timeline before any work (or job) starts: every problem validate names."""
        validate_filename(filename)
        await anyio.to_thread.run_sync(refuse_images, workspace.blocking, timeline)
        check(timeline, await anyio.to_thread.run_sync(stored_facts, workspace.blocking, timeline))

    @tool(
        examples=[RENDER, RENDER_EDITED], errors=[*_RENDER_ERRORS, JobCancelled], job=True, check=check_render
    )
    async def render(
        self,
        timeline: Timeline,
        workspace: Workspace,
        progress: Progress,
        filename: str = "render.mp4",
        pad_short_sources: bool = False,
    ) -> RenderedVideo:
        """Render the timeline to an MP4, reporting progress.

        The stored MP4 is measured before it is registered: its frame count must match what
        `describe` says (within one frame) and its sound and picture must last equally long.
        A source that decodes to less than its registration said (damaged or truncated) fails
        the render with `source_ended_early` naming the clip; with `pad_short_sources` the
        clip holds its last good frame instead and the result carries a warning. Overlay text is
        drawn with a font per character (Latin, CJK, colour emoji); a character no installed font
        has is named in `warnings`. A still image is a clip with `duration_s`; without one it is
        refused (`image_not_accepted`). Cancelling the call stops ffmpeg and stores nothing. The same timeline and filename give
        byte-identical output; proxy quality (small, fast) only when `timeline.output.proxy` is set.
        Also offered as `submit_render`, a job: same timeline, same job; a job whose MP4 has since
        been deleted renders again."""
        await self.check_render(timeline, workspace, progress, filename, pad_short_sources)
        return await render_timeline(
            workspace, progress, timeline, filename, pad_short_sources=pad_short_sources
        )

    @tool(
        examples=[PREVIEW],
        errors=[*(e for e in _RENDER_ERRORS if e is not SourceEndedEarly), TimeOutOfRange, InvalidInput],
        idempotent=True,
    )
    async def preview_frames(
        self, timeline: Timeline, times_s: list[float], workspace: Workspace, progress: Progress
    ) -> PreviewFrames:
        """The frames the render of `timeline` shows at `times_s` (seconds, 0 up to its duration;
        1-100 times), as PNGs, without rendering the MP4.

        The render's own filter graph runs up to the last asked frame; only the asked frames are
        stored. Each equals the render's frame at that time (but for the render's lossy encode).
        One time gives a thumbnail of the timeline. Frame n is on screen from n / fps."""
        if not 1 <= len(times_s) <= MAX_PREVIEW_FRAMES:
            raise InvalidInput(f"times_s must hold 1 to {MAX_PREVIEW_FRAMES} times", value=len(times_s))
        await anyio.to_thread.run_sync(refuse_images, workspace.blocking, timeline)
        return await preview_timeline(workspace, progress, timeline, times_s)
