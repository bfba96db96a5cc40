"""video_planet_surface_renderer's declared examples, proven by tests/muscles/test_examples.py:
a one-second render, then the same request as a job, its status, a cancel of the finished job,
its result and the list of jobs.

The encoded MP4's bytes (so its hash and asset id) depend on the x264 build: the examples
compare what the file holds (size, rate, frames) and the render path.
"""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

SURFACE: dict[str, JsonValue] = {
    "base_color": "#3a6ea5",
    "glow_color": "#9fd8ff",
    "width": 160,
    "height": 90,
    "duration_s": 1.0,
    "fps": 12,
    "seed": 7,
}
REQUEST: dict[str, JsonValue] = {"surface": SURFACE, "engine": "numpy", "filename": "planet.mp4"}
JOB_ID = "job_0243c0ed2743da407f49226f6e60609d"
RENDERED: dict[str, JsonValue] = {
    "media": {
        "uri": "atoms://media/fbe0aacbdccd721d989354ea7d62514a/planet.mp4",
        "asset_id": "fbe0aacbdccd721d989354ea7d62514a",
        "filename": "planet.mp4",
        "mime_type": "video/mp4",
        "size_bytes": 3565,
        "sha256": "fbe0aacbdccd721d989354ea7d62514aba75dc7775bcaa64a5ef7793b271d6f5",
        "duration_s": 1.0,
        "width": 160,
        "height": 90,
        "fps": 12.0,
        "sample_rate": None,
        "channels": None,
    },
    "frame_count": 12,
    "fps": 12.0,
    "render_path": "numpy",
    "parameters": {
        **SURFACE,
        "glow_intensity": 1.0,
        "light_direction": {"x": -0.6, "y": -1.0, "z": 0.5},
        "camera_distance": 3.5,
        "fov_deg": 40.0,
        "fps": 12.0,
        "rotation_deg_per_s": 12.0,
        "noise": "bands",
        "noise_amplitude": 0.06,
        "overlay": None,
    },
}
QUEUED: dict[str, JsonValue] = {
    "job_id": JOB_ID,
    "kind": "video_planet_surface_renderer.render",
    "state": "queued",
    "progress": 0.0,
    "message": "queued",
    "attempts": 0,
    "error": None,
    "created_at": 1800000000.0,
    "updated_at": 1800000000.0,
}
DONE: dict[str, JsonValue] = {
    **QUEUED,
    "state": "succeeded",
    "progress": 1.0,
    "message": "done",
    "attempts": 1,
}
_MEDIA_FIELDS = ("filename", "mime_type", "duration_s", "width", "height", "fps")
_STATUS_FIELDS = ("job_id", "kind", "state", "progress", "attempts")

RENDER = ToolExample(
    title="One second of a banded planet at 160x90",
    request=REQUEST,
    response=RENDERED,
    compare=(*(f"media.{name}" for name in _MEDIA_FIELDS), "frame_count", "fps", "render_path", "parameters"),
)
SUBMIT = ToolExample(
    title="The same render as a job: queued at once",
    request=REQUEST,
    response=QUEUED,
    compare=("job_id", "kind", "state"),
)
# The examples below run once the submitted job has finished.
STATUS_OF = ToolExample(
    title="A finished job", request={"job_id": JOB_ID}, response=DONE, compare=_STATUS_FIELDS
)
CANCEL = ToolExample(
    title="Cancelling a finished job changes nothing",
    request={"job_id": JOB_ID},
    response=DONE,
    compare=_STATUS_FIELDS,
)
RESULT = ToolExample(
    title="The MP4 of a finished job",
    request={"job_id": JOB_ID},
    response=RENDERED,
    compare=RENDER.compare,
)
LIST = ToolExample(
    title="The caller's jobs, newest first",
    request={"limit": 10},
    response={"jobs": [DONE], "next_cursor": None},
    compare=tuple(f"jobs.0.{path}" for path in _STATUS_FIELDS),
)
