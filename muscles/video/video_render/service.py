"""video_render: burns a timeline into one MP4 with one ffmpeg process, as a job on Dask."""

from __future__ import annotations

import anyio
from pydantic import JsonValue

from core import CanvasTool, Muscle, Progress, Scope, tool
from core.errors import AssetNotFound, FfmpegFailed, InvalidIdentifier, MediaUnreadable
from core.jobs import JobCancelled, JobEngine, JobNotFinished, JobNotFound, JobStatus, job_id_for
from core.media import MediaStore, Workspace, validate_filename
from muscles.video.timeline import Timeline, TimelineInvalid, check, stored_facts

from .examples import CANCEL, RENDER, RESULT, STATUS_OF, SUBMIT
from .relay import RenderedVideo, rendered_or_raise

KIND = "video_render"
JOB_FUNCTION = "muscles.video.video_render.job:render_timeline"
# How many times in a row one render may be redone because its MP4 was deleted (each redo is
# a job of its own); past that the newest job is returned as it is.
_MAX_REDOS = 64
_RENDER_ERRORS = [TimelineInvalid, AssetNotFound, MediaUnreadable, FfmpegFailed, InvalidIdentifier]


class VideoRender(Muscle):
    """Renders a video_timeline timeline into a single MP4 and registers it in media_v2.

    One ffmpeg process and one filter graph do the whole render (trims, speed, crossfades,
    text, scaling, mix), with codec, CRF, preset, size and fps from the timeline's output
    settings; a single unchanged clip is stream-copied. Use `render` for short work (it
    reports progress and stops ffmpeg when the call is cancelled); for anything that may
    outlast the client's call timeout use `submit_render` and poll `job_status`.
    """

    version = "1.0.0"
    capabilities = ("cap.video.render",)
    canvas_tools = (
        CanvasTool(id="export_mp4", icon="film_reel", type="panel_pop", tool="render", action="Export MP4"),
    )

    async def startup(self) -> None:
        self.store = MediaStore.from_settings(self.settings, clock=self.clock)
        self.jobs = JobEngine(self.settings, clock=self.clock)
        await self.jobs.start()

    async def shutdown(self) -> None:
        await self.jobs.close()

    async def _spec(
        self, scope: Scope, workspace: Workspace, timeline: Timeline, filename: str
    ) -> dict[str, JsonValue]:
        """Refuse a bad timeline here, before any job exists (the worker checks again against
        the facts it renders with), and pick the job to run."""
        validate_filename(filename)
        facts = await anyio.to_thread.run_sync(stored_facts, workspace.blocking, timeline)
        check(timeline, facts)
        spec: dict[str, JsonValue] = {"timeline": timeline.model_dump(mode="json"), "filename": filename}
        return await self._redo_if_deleted(scope, spec)

    async def _redo_if_deleted(self, scope: Scope, spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
        """``spec``, or, when its job succeeded but its MP4 has since been deleted from media_v2,
        the spec of a fresh job that redoes it.

        The engine hands back a succeeded job for the same spec, so a redo names the job it
        replaces (a new job id; the render ignores the field). The redo writes the same bytes
        under the same uri, which makes the earlier job's result valid again too.
        """
        for _ in range(_MAX_REDOS):
            job_id = job_id_for(scope.tenant_id, KIND, spec)
            try:
                found = await self.jobs.status(scope.tenant_id, job_id)
            except JobNotFound:
                return spec
            if found.state != "succeeded" or await anyio.to_thread.run_sync(
                self._output_exists, scope, found
            ):
                return spec
            spec = {**spec, "replaces": job_id}
        return spec

    def _output_exists(self, scope: Scope, status: JobStatus) -> bool:
        result = status.result or {}
        try:
            stored = self.store.stat(scope, str(result.get("uri")))
        except (AssetNotFound, InvalidIdentifier):
            return False
        return stored.sha256 == result.get("sha256")

    @tool(examples=[RENDER], errors=[*_RENDER_ERRORS, JobCancelled])
    async def render(
        self,
        timeline: Timeline,
        scope: Scope,
        workspace: Workspace,
        progress: Progress,
        filename: str = "render.mp4",
    ) -> RenderedVideo:
        """Render the timeline to an MP4 and wait for it, reporting progress.

        Cancelling the call cancels the render: ffmpeg is stopped and nothing is stored.
        The same timeline and filename give the same job and byte-identical output; proxy
        quality (small, fast) only when `timeline.output.proxy` is set."""
        spec = await self._spec(scope, workspace, timeline, filename)
        status = await self.jobs.run(scope.tenant_id, KIND, JOB_FUNCTION, spec, progress)
        return rendered_or_raise(status)

    @tool(examples=[SUBMIT], errors=_RENDER_ERRORS)
    async def submit_render(
        self, timeline: Timeline, scope: Scope, workspace: Workspace, filename: str = "render.mp4"
    ) -> JobStatus:
        """Start rendering the timeline as a job and return its status (with `job_id`) at once.

        Submitting the same timeline and filename again returns the same job, unless its MP4
        has since been deleted: then a fresh job renders it again."""
        spec = await self._spec(scope, workspace, timeline, filename)
        return await self.jobs.submit(scope.tenant_id, KIND, JOB_FUNCTION, spec)

    @tool(examples=[STATUS_OF], errors=[JobNotFound], read_only=True)
    async def job_status(self, job_id: str, scope: Scope) -> JobStatus:
        """A render job's state (queued, running, succeeded, failed, cancelled), progress and attempts."""
        return await self.jobs.status(scope.tenant_id, job_id)

    @tool(examples=[CANCEL], errors=[JobNotFound], destructive=True)
    async def cancel_job(self, job_id: str, scope: Scope) -> JobStatus:
        """Cancel a render job: ffmpeg is stopped and no asset is stored. Returns the final status."""
        return await self.jobs.cancel(scope.tenant_id, job_id)

    @tool(
        examples=[RESULT], errors=[JobNotFound, JobNotFinished, JobCancelled, *_RENDER_ERRORS], read_only=True
    )
    async def job_result(self, job_id: str, scope: Scope) -> RenderedVideo:
        """The MP4 of a finished render job; the job's own error when it failed or was cancelled,
        and asset_not_found when its MP4 has since been deleted (rendering again redoes it)."""
        status = await self.jobs.result(scope.tenant_id, job_id)
        if status.state == "succeeded" and not await anyio.to_thread.run_sync(
            self._output_exists, scope, status
        ):
            raise AssetNotFound(
                f"the MP4 of job {job_id} has been deleted from media_v2",
                value=job_id,
                hint="Render the timeline again: render or submit_render redo a job whose MP4 is gone.",
            )
        return rendered_or_raise(status)
