"""The preview plan: the surface asset, the runner's camera automation and the focus tokens
linked on one video_timeline clip, and where it renders.

Tenant compute first: a plan is rendered on the client's device unless the request explicitly
asks for an export or an offline render; then the server renders, on a GPU (torch on CUDA)
where one is present, else on the CPU at proxy resolution. Each step's failure is raised as
``preview_step_failed`` naming the step (surface, runner, focus, render) with its own error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from pydantic import BaseModel, Field

from core.errors import AtomsError
from core.media import StoredAsset
from muscles.video.planet.errors import PreviewStepFailed
from muscles.video.planet.render import PlanetVideo, RenderPath, choose_path
from muscles.video.planet.surface import SurfaceParams, check_surface, frame_total
from muscles.video.planet.walk import to_automation, walk
from muscles.video.planet.walk_model import WalkRequest
from muscles.video.timeline import AutomationPayload, Clip, Timeline, Track, apply_automation

__all__ = [
    "PROXY_MAX_HEIGHT",
    "Compute",
    "PreviewPlan",
    "RenderMode",
    "Strategy",
    "build_plan",
    "proxy_size",
    "step",
]

PROXY_MAX_HEIGHT = 360  # lines of a CPU proxy render
RenderMode = Literal["interactive", "export", "offline"]
Compute = Literal["client", "server"]
Strategy = Literal["client_device", "gpu", "cpu_proxy"]


class PreviewPlan(BaseModel):
    """What renders the walk, where, and everything a client needs to render it on device."""

    compute: Compute = Field(description="client (default) or server (export / offline requests only)")
    strategy: Strategy = Field(description="client_device, gpu (torch on CUDA) or cpu_proxy")
    width: int = Field(description="Frame width to render at")
    height: int = Field(description="Frame height to render at")
    fps: float
    duration_s: float = Field(description="Length of the walk")
    frame_count: int = Field(description="round(duration_s x fps): the frames of the camera walk")
    surface_uri: str = Field(description="The surface asset (video_planet_surface_renderer's MP4)")
    surface: SurfaceParams = Field(description="The surface parameters to render with")
    clip: Clip = Field(
        description="A video_timeline clip of the surface asset carrying the runner's camera keys "
        "(position, normal, forward) and the focus tokens' lanes"
    )
    render: PlanetVideo | None = Field(description="The rendered walk (compute: server only)")


@contextmanager
def step(name: str) -> Iterator[None]:
    """Re-raise a coded error of one step as ``preview_step_failed`` naming the step."""
    try:
        yield
    except PreviewStepFailed:
        raise
    except AtomsError as error:
        raise PreviewStepFailed(name, error) from error


def proxy_size(width: int, height: int) -> tuple[int, int]:
    """At most PROXY_MAX_HEIGHT lines, the aspect kept, both sides even."""
    if height <= PROXY_MAX_HEIGHT:
        return width, height
    scaled = round(width * PROXY_MAX_HEIGHT / height / 2) * 2
    return max(16, scaled), PROXY_MAX_HEIGHT


def server_path(mode: RenderMode) -> tuple[Compute, Strategy, RenderPath | None]:
    if mode == "interactive":
        return "client", "client_device", None
    path = choose_path("auto")
    return "server", ("gpu" if path == "torch-cuda" else "cpu_proxy"), path


def build_plan(
    *,
    surface_uri: str,
    surface: SurfaceParams,
    asset: StoredAsset,
    walk_request: WalkRequest,
    focus: AutomationPayload | None,
    clip_id: str,
    mode: RenderMode,
) -> PreviewPlan:
    """The plan, every step checked (the asset was described by the caller, step "surface")."""
    with step("surface"):
        check_surface(surface)
    with step("runner"):
        camera = to_automation(walk(walk_request), clip_id)
    clip = Clip(
        id=clip_id, uri=str(asset.ref.uri), source_out_s=asset.info.duration_s if asset.info else None
    )
    timeline = Timeline(tracks=[Track(id="planet", clips=[clip])])
    with step("runner"):
        timeline = apply_automation(timeline, camera)
    if focus is not None:
        with step("focus"):
            # On the planet the walk owns the camera: focus adds its framing lanes, and camera
            # keys it carries (video_focus_automation's hover over a flat frame) are left out.
            timeline = apply_automation(timeline, focus.model_copy(update={"camera": None}))
    compute, strategy, _ = server_path(mode)
    width, height = (
        (surface.width, surface.height)
        if strategy != "cpu_proxy"
        else proxy_size(surface.width, surface.height)
    )
    return PreviewPlan(
        compute=compute,
        strategy=strategy,
        width=width,
        height=height,
        fps=surface.fps,
        duration_s=walk_request.duration_s,
        frame_count=frame_total(walk_request.duration_s, surface.fps),
        surface_uri=surface_uri,
        surface=surface,
        clip=timeline.tracks[0].clips[0],
        render=None,
    )
