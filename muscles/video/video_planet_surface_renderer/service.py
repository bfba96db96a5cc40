"""video_planet_surface_renderer: a glowing sphere rendered frame by frame into an MP4."""

from __future__ import annotations

from core import CanvasTool, Muscle, Progress, tool
from core.errors import FfmpegFailed, InvalidIdentifier
from core.jobs import JobCancelled
from core.media import Workspace, validate_filename
from muscles.video.planet.camera import orbit_view
from muscles.video.planet.errors import PlanetInvalid
from muscles.video.planet.render import RenderedPlanet, choose_path, render_and_publish
from muscles.video.planet.surface import Engine, SurfaceParams, check_surface, frame_total

from .examples import CANCEL, LIST, RENDER, RESULT, STATUS_OF, SUBMIT


class VideoPlanetSurfaceRenderer(Muscle):
    """Renders the HAZE planet: a smooth sphere lit by a directional light, with a fresnel rim
    glow and a soft halo, spinning about its north pole, with optional seeded low-amplitude
    surface bands or speckle and optional lines drawn on it (video_planet_contours' overlay).

    Frames are rendered with NumPy (one vectorised ray-sphere intersection per pixel), or with
    torch on CUDA where the gpu extra and a device are present, and encoded deterministically:
    the same parameters on the same render path give the same sha256. Use `render` for short
    clips; for long or large ones use `submit_render` and poll `job_status`.
    """

    version = "1.0.0"
    capabilities = ("cap.video.planet_render",)
    canvas_tools = (
        CanvasTool(id="render_planet", icon="globe", type="trigger", tool="render", action="Render planet"),
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
        surface: SurfaceParams,
        workspace: Workspace,
        progress: Progress,
        engine: Engine = "auto",
        filename: str = "planet.mp4",
    ) -> None:
        """Refuse bad parameters before any work (or job) starts."""
        validate_filename(filename)
        check_surface(surface)
        choose_path(engine)

    @tool(
        examples=[RENDER],
        errors=[PlanetInvalid, InvalidIdentifier, FfmpegFailed, JobCancelled],
        job=True,
        check=check_render,
    )
    async def render(
        self,
        surface: SurfaceParams,
        workspace: Workspace,
        progress: Progress,
        engine: Engine = "auto",
        filename: str = "planet.mp4",
    ) -> RenderedPlanet:
        """Render `surface` (colours, glow, light, camera, size, duration, fps, spin, seed, noise,
        overlay) to an MP4 of round(duration_s x fps) frames and register it in media_v2.

        `engine`: auto (torch on CUDA when present, else NumPy), numpy, or torch (its CPU build
        where no device is present). The result names the render path and is measured on the
        stored file; cancelling stops the encoder and stores nothing."""
        await self.check_render(surface, workspace, progress, engine, filename)
        view = orbit_view(surface.camera_distance)
        video = await render_and_publish(
            workspace,
            progress,
            params=surface,
            path=choose_path(engine),
            frame_count=frame_total(surface.duration_s, surface.fps),
            view_at=lambda index: view,
            filename=filename,
        )
        return RenderedPlanet(**dict(video), parameters=surface)
