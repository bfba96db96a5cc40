"""video_render: burns a timeline into one MP4 with one ffmpeg process; long renders as jobs."""

from __future__ import annotations

import anyio

from core import CanvasTool, Muscle, Progress, tool
from core.errors import AssetNotFound, FfmpegFailed, InvalidIdentifier, MediaUnreadable, NotMedia
from core.jobs import JobCancelled
from core.media import Workspace, validate_filename
from muscles.video.timeline import Timeline, TimelineInvalid, check, stored_facts

from .checks import SourceEndedEarly
from .examples import CANCEL, LIST, RENDER, RESULT, STATUS_OF, SUBMIT
from .images import ImageNotAccepted, refuse_images
from .render import RenderedVideo, render_timeline
from .subtitles import find_caption_files

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

    One ffmpeg process and one filter graph do the whole render (trims, speed, crossfades,
    text, captions, scaling, the mix with fades and ducking), with codec, CRF, preset, size and
    fps from the timeline's output settings; a single unchanged clip is stream-copied. A
    loudness target for the mix adds one analysis run before the render (two-pass loudnorm). Use `render` for short work (it
    reports progress and stops ffmpeg when the call is cancelled); for anything that may
    outlast the client's call timeout use `submit_render` and poll `job_status`.
    """

    version = "1.2.0"
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
        await anyio.to_thread.run_sync(find_caption_files, workspace.blocking, timeline)

    @tool(examples=[RENDER], errors=[*_RENDER_ERRORS, JobCancelled], job=True, check=check_render)
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
        clip holds its last good frame instead and the result carries a warning. Images are not
        accepted as clips. Caption tracks (SRT or WebVTT uris) are burnt in with their style, the
        spoken word lit when word timestamps are given; a character no installed font draws is a
        warning. With `timeline.audio.loudness` the mix is measured first (an analysis run), then
        gained to the target; `loudness_lufs` is measured on the stored MP4. Cancelling the call stops ffmpeg and stores nothing. The same timeline and filename give
        byte-identical output; proxy quality (small, fast) only when `timeline.output.proxy` is set.
        Also offered as `submit_render`, a job: same timeline, same job; a job whose MP4 has since
        been deleted renders again."""
        await self.check_render(timeline, workspace, progress, filename, pad_short_sources)
        return await render_timeline(
            workspace, progress, timeline, filename, pad_short_sources=pad_short_sources
        )
