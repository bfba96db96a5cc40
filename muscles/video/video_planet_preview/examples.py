"""video_planet_preview's declared examples, proven by tests/muscles/test_examples.py with the
planet MP4 of tests/muscles/video_planet_preview/samples.py: the default client plan, an export
rendered on the server as a job (inline `preview` with the same request renders the same
way), its status, a cancel of the finished job, its result and the list of jobs.

The rendered MP4's bytes depend on the x264 build: the export examples compare what the plan
and the file hold, not the hash.
"""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample
from muscles.video.timeline import Clip

SURFACE_URI = "atoms://media/fbe0aacbdccd721d989354ea7d62514a/planet.mp4"
SURFACE: dict[str, JsonValue] = {"width": 160, "height": 90, "duration_s": 1.0, "fps": 12, "seed": 7}
WALK: dict[str, JsonValue] = {
    "path": {"kind": "great_circle", "start": {"lat": 0.0, "lon": 0.0}, "heading_deg": 90.0},
    "duration_s": 1.0,
    "keyframe_rate_hz": 1.0,
}
PLAN_REQUEST: dict[str, JsonValue] = {"surface_uri": SURFACE_URI, "surface": SURFACE, "walk": WALK}
EXPORT_REQUEST: dict[str, JsonValue] = {**PLAN_REQUEST, "render": "export", "filename": "walk.mp4"}
JOB_ID = "job_698eedd137957805a1ba08f7e485a481"
PLANNED: dict[str, JsonValue] = {
    "compute": "client",
    "strategy": "client_device",
    "width": 160,
    "height": 90,
    "fps": 12.0,
    "duration_s": 1.0,
    "frame_count": 12,
    "surface_uri": "atoms://media/fbe0aacbdccd721d989354ea7d62514a/planet.mp4",
    "surface": {
        "base_color": "#3a6ea5",
        "glow_color": "#9fd8ff",
        "glow_intensity": 1.0,
        "light_direction": {"x": -0.6, "y": -1.0, "z": 0.5},
        "camera_distance": 3.5,
        "fov_deg": 40.0,
        "width": 160,
        "height": 90,
        "duration_s": 1.0,
        "fps": 12.0,
        "rotation_deg_per_s": 12.0,
        "seed": 7,
        "noise": "bands",
        "noise_amplitude": 0.06,
        "overlay": None,
    },
    "clip": {
        "id": "planet",
        "uri": "atoms://media/fbe0aacbdccd721d989354ea7d62514a/planet.mp4",
        "source_in_s": 0.0,
        "source_out_s": 1.0,
        "start_s": 0.0,
        "speed": 1.0,
        "volume": 1.0,
        "automation": {
            "lanes": [],
            "camera": [
                {
                    "time_s": 0.0,
                    "position": {"x": 101.7, "y": 0.0, "z": 0.0},
                    "normal": {"x": 1.0, "y": 0.0, "z": 0.0},
                    "forward": {"x": 0.0, "y": 1.0, "z": 0.0},
                    "interpolation": "linear",
                },
                {
                    "time_s": 1.0,
                    "position": {"x": 101.690033563, "y": 1.42375349, "z": 0.0},
                    "normal": {"x": 0.999902002, "y": 0.013999543, "z": 0.0},
                    "forward": {"x": -0.013999543, "y": 0.999902002, "z": 0.0},
                    "interpolation": "linear",
                },
            ],
        },
    },
    "render": None,
}
EXPORTED: dict[str, JsonValue] = {
    "compute": "server",
    "strategy": "cpu_proxy",
    "width": 160,
    "height": 90,
    "fps": 12.0,
    "duration_s": 1.0,
    "frame_count": 12,
    "surface_uri": "atoms://media/fbe0aacbdccd721d989354ea7d62514a/planet.mp4",
    "surface": {
        "base_color": "#3a6ea5",
        "glow_color": "#9fd8ff",
        "glow_intensity": 1.0,
        "light_direction": {"x": -0.6, "y": -1.0, "z": 0.5},
        "camera_distance": 3.5,
        "fov_deg": 40.0,
        "width": 160,
        "height": 90,
        "duration_s": 1.0,
        "fps": 12.0,
        "rotation_deg_per_s": 12.0,
        "seed": 7,
        "noise": "bands",
        "noise_amplitude": 0.06,
        "overlay": None,
    },
    "clip": {
        "id": "planet",
        "uri": "atoms://media/fbe0aacbdccd721d989354ea7d62514a/planet.mp4",
        "source_in_s": 0.0,
        "source_out_s": 1.0,
        "start_s": 0.0,
        "speed": 1.0,
        "volume": 1.0,
        "automation": {
            "lanes": [],
            "camera": [
                {
                    "time_s": 0.0,
                    "position": {"x": 101.7, "y": 0.0, "z": 0.0},
                    "normal": {"x": 1.0, "y": 0.0, "z": 0.0},
                    "forward": {"x": 0.0, "y": 1.0, "z": 0.0},
                    "interpolation": "linear",
                },
                {
                    "time_s": 1.0,
                    "position": {"x": 101.690033563, "y": 1.42375349, "z": 0.0},
                    "normal": {"x": 0.999902002, "y": 0.013999543, "z": 0.0},
                    "forward": {"x": -0.013999543, "y": 0.999902002, "z": 0.0},
                    "interpolation": "linear",
                },
            ],
        },
    },
    "render": {
        "media": {
            "uri": "atoms://media/2fb2d3c1ee138ad804282a6fb49301c8/walk.mp4",
            "asset_id": "2fb2d3c1ee138ad804282a6fb49301c8",
            "filename": "walk.mp4",
            "mime_type": "video/mp4",
            "size_bytes": 2535,
            "sha256": "2fb2d3c1ee138ad804282a6fb49301c89f19ee084aa35eb4862a838e9770b42d",
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
    },
}
# The plan's clip as the Timeline model writes it (every field, defaults included), so the
# examples follow the model as it grows.
for _plan in (PLANNED, EXPORTED):
    _plan["clip"] = Clip.model_validate(_plan["clip"]).model_dump(mode="json")

QUEUED: dict[str, JsonValue] = {
    "job_id": JOB_ID,
    "kind": "video_planet_preview.preview",
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
_STATUS_FIELDS = ("job_id", "kind", "state", "progress", "attempts")
_EXPORT_FIELDS = (
    "compute",
    "strategy",
    "width",
    "height",
    "frame_count",
    "clip",
    "render.frame_count",
    "render.fps",
    "render.media.width",
    "render.media.height",
    "render.media.mime_type",
)

PLAN = ToolExample(
    title="The default: a plan the client renders on device", request=PLAN_REQUEST, response=PLANNED
)
SUBMIT = ToolExample(
    title="The export as a job: queued at once",
    request=EXPORT_REQUEST,
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
    title="The plan and MP4 of a finished job",
    request={"job_id": JOB_ID},
    response=EXPORTED,
    compare=_EXPORT_FIELDS,
)
LIST = ToolExample(
    title="The caller's jobs, newest first",
    request={"limit": 10},
    response={"jobs": [DONE], "next_cursor": None},
    compare=tuple(f"jobs.0.{path}" for path in _STATUS_FIELDS),
)
