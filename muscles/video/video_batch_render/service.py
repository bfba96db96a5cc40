"""video_batch_render ("The Factory"): many video_render renders queued as one batch."""

from __future__ import annotations

import anyio

from core import CanvasTool, Muscle, Progress, Scope, tool
from core.errors import (
    AssetNotFound,
    InvalidArguments,
    InvalidIdentifier,
    InvalidInput,
    MediaUnreadable,
    NotMedia,
)
from core.jobs import BatchPage, BatchStatus, JobEngine, JobNotFound, ToolJob, run_tool
from core.media import MediaStore, Workspace, validate_filename
from muscles.video.timeline import TimelineInvalid, check, stored_facts
from muscles.video.video_render.render import RenderedVideo
from muscles.video.video_render.service import VideoRender

from .examples import CANCEL, LIST, QUEUE, RESULTS, STATUS, WAIT
from .model import BatchRender, BatchResults, RenderSpec

_RENDER = f"{VideoRender.__module__}:{VideoRender.__qualname__}"
_KIND = "video_render.render"  # the same jobs as video_render's submit_render
_PRIORITY = (-100, 100)
_MAX_WAIT_S = 50.0
_REPORT_S = 0.5  # under the minute after which hosts such as Claude Desktop cut a call
_CHECK_ERRORS = [
    TimelineInvalid,
    AssetNotFound,
    NotMedia,
    MediaUnreadable,
    InvalidIdentifier,
    InvalidArguments,
]


class VideoBatchRender(Muscle):
    """Queues many timeline renders at once on the job engine ("The Factory"), like a render farm.

    One `queue_batch` call submits every render (one round trip however many), each a
    video_render job (the same job `submit_render` would make), with one priority: higher
    batches start first. `batch_status` shows each job's state and the batch's progress,
    `wait_batch` follows it for up to 50 s, `cancel_batch` stops one job or all (their ffmpeg
    stopped, nothing stored), `list_batches` pages through the caller's batches and
    `batch_results` gives each render's MP4. A batch, like a job,
    survives a server restart; a worker lost mid-render has its job retried.
    """

    version = "1.0.0"
    capabilities = ("cap.video.render.batch",)
    canvas_tools = (
        CanvasTool(
            id="render_queue", icon="queue", type="panel_pop", tool="batch_status", action="Render queue"
        ),
    )

    async def startup(self) -> None:
        self._jobs = JobEngine(self.settings, clock=self.clock)
        self._store = MediaStore.from_settings(self.settings, clock=self.clock)
        await self._jobs.start()

    async def shutdown(self) -> None:
        await self._jobs.close()  # the data dir's daemon goes on: the batch outlives the server

    @tool(examples=[QUEUE], errors=_CHECK_ERRORS)
    async def queue_batch(
        self,
        renders: list[RenderSpec],
        workspace: Workspace,
        scope: Scope,
        priority: int = 0,
        label: str = "",
    ) -> BatchStatus:
        """Queue every render as a job of one batch and return at once (all queued, or none).

        Each render is checked first (its timeline against the stored clips, its filename);
        a bad one refuses the whole batch with the error of the first problem, naming it as
        `renders[i]`. `priority` (-100..100, default 0): higher batches start first. The same
        renders again give the same batch (a finished render is not done twice)."""
        if not renders:
            raise InvalidArguments(
                "a batch needs at least one render", value=0, hint="Pass one or more renders."
            )
        if not _PRIORITY[0] <= priority <= _PRIORITY[1]:
            raise InvalidArguments(
                f"priority must be between {_PRIORITY[0]} and {_PRIORITY[1]}",
                value=priority,
                hint="Use 0 for normal work, higher for urgent batches.",
            )
        if len(label) > 200:
            raise InvalidArguments("a label holds at most 200 characters", value=label[:40] + "...")
        await anyio.to_thread.run_sync(self._check, workspace, renders)
        specs = [
            (spec.filename, ToolJob(muscle=_RENDER, tool="render", arguments=_arguments(spec)))
            for spec in renders
        ]
        return await self._jobs.batches.submit(
            scope,
            run_tool,
            specs,
            kind=_KIND,
            priority=priority,
            label=label,
            still_valid=lambda result: self._media_kept(scope, result),
        )

    @tool(examples=[WAIT], errors=[JobNotFound, InvalidArguments], read_only=True)
    async def wait_batch(
        self, batch_id: str, scope: Scope, progress: Progress, timeout_s: float = 30.0
    ) -> BatchStatus:
        """Follow the batch until every job has ended or `timeout_s` (0..50) has passed,
        reporting its progress; returns its status either way (call again to wait more)."""
        if not 0 <= timeout_s <= _MAX_WAIT_S:
            raise InvalidArguments(
                f"timeout_s must be between 0 and {_MAX_WAIT_S:.0f}",
                value=timeout_s,
                hint="Clients cut calls after about a minute: wait again instead.",
            )
        batches = self._jobs.batches
        await batches.status(scope, batch_id)  # an unknown batch fails here, before any wait

        async def report() -> None:
            while True:
                status = await batches.status(scope, batch_id)
                done = status.counts.get("succeeded", 0)
                await progress.report(status.progress, f"{done} of {len(status.jobs)} renders done")
                await anyio.sleep(_REPORT_S)

        async with anyio.create_task_group() as group:
            group.start_soon(report)
            status = await batches.wait(scope, batch_id, timeout_s=timeout_s)
            group.cancel_scope.cancel()
        return status

    @tool(examples=[STATUS], errors=[JobNotFound], read_only=True)
    async def batch_status(self, batch_id: str, scope: Scope) -> BatchStatus:
        """Each job's state and progress, counts by state and the batch's overall progress."""
        return await self._jobs.batches.status(scope, batch_id)

    @tool(examples=[CANCEL], errors=[JobNotFound], destructive=True)
    async def cancel_batch(self, batch_id: str, scope: Scope, job_id: str | None = None) -> BatchStatus:
        """Stop every unfinished job of the batch, or only `job_id` (one of its jobs): their
        ffmpeg stops and nothing is stored. Returns once they have stopped; finished jobs keep
        their results."""
        return await self._jobs.batches.cancel(scope, batch_id, job_id)

    @tool(examples=[LIST], errors=[InvalidArguments], read_only=True)
    async def list_batches(self, scope: Scope, cursor: str | None = None, limit: int = 20) -> BatchPage:
        """The caller's batches, newest first, each with its jobs' states; `limit` (1-100) a
        page, `cursor` from the previous page's `next_cursor`."""
        return await self._jobs.batches.list(scope, cursor=cursor, limit=limit)

    @tool(examples=[RESULTS], errors=[JobNotFound], read_only=True)
    async def batch_results(self, batch_id: str, scope: Scope) -> BatchResults:
        """Every job in submission order with its state, and the MP4 (a MediaRef) of each that
        succeeded; an unfinished job has neither render nor error yet."""
        found = await self._jobs.batches.results(scope, batch_id)
        return BatchResults(
            batch_id=batch_id,
            renders=[
                BatchRender(
                    filename=name,
                    job_id=status.job_id,
                    state=status.state,
                    attempts=status.attempts,
                    render=RenderedVideo.model_validate(result) if result is not None else None,
                    error=status.error,
                )
                for name, status, result in found
            ],
        )

    def _check(self, workspace: Workspace, renders: list[RenderSpec]) -> None:
        seen: set[str] = set()
        for index, spec in enumerate(renders):
            try:
                validate_filename(spec.filename)
                if spec.filename in seen:
                    raise InvalidArguments(
                        "two renders of a batch write the same filename",
                        value=spec.filename,
                        hint="Give every render its own filename.",
                    )
                seen.add(spec.filename)
                check(spec.timeline, stored_facts(workspace.blocking, spec.timeline))
            except (InvalidInput, TimelineInvalid, AssetNotFound, MediaUnreadable) as error:
                error.message = f"renders[{index}] ({spec.filename}): {error.message}"
                raise

    def _media_kept(self, scope: Scope, result: dict[str, object]) -> bool:
        """False when a finished render's MP4 has since been deleted (then it renders again)."""
        media = result.get("media")
        if not isinstance(media, dict):
            return False
        try:
            return self._store.stat(scope, str(media["uri"])).sha256 == media.get("sha256")
        except (AssetNotFound, InvalidInput):
            return False


def _arguments(spec: RenderSpec) -> dict[str, object]:
    return {"timeline": spec.timeline.model_dump(mode="json"), "filename": spec.filename}
