"""video_planet_preview: the surface, the runner's walk and the focus tokens as one preview."""

from __future__ import annotations

from core import Muscle, Progress, tool
from core.errors import InvalidIdentifier, NoVideoStream
from core.jobs import JobCancelled
from core.media import Workspace, validate_filename
from muscles.video.planet.camera import walker_view
from muscles.video.planet.errors import PreviewStepFailed
from muscles.video.planet.render import render_and_publish
from muscles.video.planet.surface import SurfaceParams
from muscles.video.planet.walk import poses
from muscles.video.planet.walk_model import WalkRequest
from muscles.video.timeline import AutomationPayload
from muscles.video.video_planet_preview.plan import PreviewPlan, RenderMode, build_plan, server_path, step

from .examples import CANCEL, LIST, PLAN, RESULT, STATUS_OF, SUBMIT


class VideoPlanetPreview(Muscle):
    """Previews a camera walk on the HAZE planet: the surface asset, the runner's camera automation
    and focus tokens linked on one video_timeline clip. Tenant compute first: by default the plan
    is `compute: client` (the client renders it; nothing renders here); only `render: "export"` or
    `"offline"` renders the walk into an MP4 on the server (a GPU, else the CPU at proxy size).
    A failing step (surface, runner, focus, render) is named in the error.
    """

    version = "1.0.0"
    capabilities = ("cap.video.planet_preview",)
    job_examples = {
        "submit_preview": [SUBMIT],
        "job_status": [STATUS_OF],
        "cancel_job": [CANCEL],
        "job_result": [RESULT],
        "list_jobs": [LIST],
    }

    async def check_preview(
        self,
        surface_uri: str,
        surface: SurfaceParams,
        workspace: Workspace,
        progress: Progress,
        walk: WalkRequest | None = None,
        focus: AutomationPayload | None = None,
        clip_id: str = "planet",
        render: RenderMode = "interactive",
        filename: str = "walk.mp4",
    ) -> PreviewPlan:
        """The plan, every step checked; refuses a bad request before any job starts."""
        validate_filename(filename)
        with step("surface"):
            asset = await workspace.describe(surface_uri, field="surface_uri")
            if asset.info is None or not asset.info.is_video:
                raise NoVideoStream("the surface asset has no video stream", value="surface_uri")
        return build_plan(
            surface_uri=surface_uri,
            surface=surface,
            asset=asset,
            walk_request=walk or WalkRequest(),
            focus=focus,
            clip_id=clip_id,
            mode=render,
        )

    @tool(
        examples=[PLAN],
        errors=[PreviewStepFailed, InvalidIdentifier, JobCancelled],
        job=True,
        check=check_preview,
    )
    async def preview(
        self,
        surface_uri: str,
        surface: SurfaceParams,
        workspace: Workspace,
        progress: Progress,
        walk: WalkRequest | None = None,
        focus: AutomationPayload | None = None,
        clip_id: str = "planet",
        render: RenderMode = "interactive",
        filename: str = "walk.mp4",
    ) -> PreviewPlan:
        """The plan of walking `walk` (video_planet_runner's request; default 60 s at walking speed)
        on the surface `surface_uri` rendered with `surface`, with optional `focus` automation
        (video_focus_automation's payload: its framing lanes join the clip; the walk owns the
        camera, so camera keys in `focus` are not used).

        `render`: interactive (default: compute client, nothing rendered here), export or offline
        (compute server: an MP4 of round(duration x fps) frames of the walk, in `render`)."""
        plan = await self.check_preview(
            surface_uri, surface, workspace, progress, walk, focus, clip_id, render, filename
        )
        _, _, path = server_path(render)
        if path is None:
            return plan
        walk_request = walk or WalkRequest()
        params = plan.surface.model_copy(update={"width": plan.width, "height": plan.height})
        frame_times = [index / params.fps for index in range(plan.frame_count)]
        views = [
            walker_view(
                pose.normal * (walk_request.radius_m + walk_request.eye_height_m),
                pose.normal,
                pose.forward,
                walk_request.radius_m,
            )
            for pose in poses(walk_request, frame_times)
        ]
        with step("render"):
            rendered = await render_and_publish(
                workspace,
                progress,
                params=params,
                path=path,
                frame_count=plan.frame_count,
                view_at=views.__getitem__,
                filename=filename,
            )
        return plan.model_copy(update={"render": rendered})
