"""What video_planet_preview's declared examples read: a one-second planet MP4 (the surface
renderer's own frames and deterministic encoding), stored in media_v2."""

from __future__ import annotations

from pathlib import Path

from muscles.video.planet.camera import orbit_view
from muscles.video.planet.render import write_video
from muscles.video.planet.surface import SurfaceParams, frame_total, material

REGISTERED = ("samples/planet.mp4",)
SURFACE = SurfaceParams(width=160, height=90, duration_s=1.0, fps=12, seed=7)


def write_samples(import_root: Path) -> None:
    out = import_root / "samples" / "planet.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    view = orbit_view(SURFACE.camera_distance)
    write_video(
        out,
        m=material(SURFACE),
        path="numpy",
        width=SURFACE.width,
        height=SURFACE.height,
        fps=SURFACE.fps,
        fov_deg=SURFACE.fov_deg,
        frame_count=frame_total(SURFACE.duration_s, SURFACE.fps),
        view_at=lambda index: view,
    )
