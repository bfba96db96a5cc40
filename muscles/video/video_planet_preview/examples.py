"""video_planet_preview's declared examples, proven by tests/muscles/test_examples.py with the
planet MP4 of tests/muscles/video_planet_preview/samples.py: the default client plan, an export
rendered on the server, then the export as a job, its status, a cancel of the finished job, its
result and the list of jobs.

The rendered MP4's bytes depend on the x264 build: the export examples compare what the plan
and the file hold, not the hash.
"""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

SURFACE_URI = "atoms://media/fbe0aacbdccd721d989354ea7d62514a/planet.mp4"
SURFACE: dict[str, JsonValue] = {"width": 160, "height": 90, "duration_s": 1.0, "fps": 12, "seed": 7}
WALK: dict[str, JsonValue] = {
    "path": {"kind": "great_circle", "start": {"lat": 0.0, "lon": 0.0}, "heading_deg": 90.0},
    "duration_s": 1.0,
    "keyframe_rate_hz": 2.0,
}
PLAN_REQUEST: dict[str, JsonValue] = {"surface_uri": SURFACE_URI, "surface": SURFACE, "walk": WALK}
EXPORT_REQUEST: dict[str, JsonValue] = {**PLAN_REQUEST, "render": "export", "filename": "walk.mp4"}
JOB_ID = "job_39ea5a7ee071931c00eaa9e72ad0ec92"
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
    "timeline": {
        "tracks": [
            {
                "id": "planet",
                "kind": "video",
                "clips": [
                    {
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
                                    "time_s": 0.5,
                                    "position": {"x": 101.69750836, "y": 0.711894186, "z": 0.0},
                                    "normal": {"x": 0.9999755, "y": 0.006999943, "z": 0.0},
                                    "forward": {"x": -0.006999943, "y": 0.9999755, "z": 0.0},
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
                    }
                ],
                "volume": 1.0,
                "muted": False,
            }
        ],
        "transitions": [],
        "overlays": [],
        "audio": {"master_volume": 1.0, "sample_rate": 48000},
        "output": {
            "video_codec": "libx264",
            "crf": 20,
            "preset": "veryfast",
            "width": None,
            "height": None,
            "fps": None,
            "audio_codec": "aac",
            "audio_bitrate": "128k",
            "proxy": False,
            "allow_stream_copy": True,
        },
    },
    "camera": {
        "clip_id": "planet",
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
                "time_s": 0.5,
                "position": {"x": 101.69750836, "y": 0.711894186, "z": 0.0},
                "normal": {"x": 0.9999755, "y": 0.006999943, "z": 0.0},
                "forward": {"x": -0.006999943, "y": 0.9999755, "z": 0.0},
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
    "focus": None,
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
    "timeline": {
        "tracks": [
            {
                "id": "planet",
                "kind": "video",
                "clips": [
                    {
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
                                    "time_s": 0.5,
                                    "position": {"x": 101.69750836, "y": 0.711894186, "z": 0.0},
                                    "normal": {"x": 0.9999755, "y": 0.006999943, "z": 0.0},
                                    "forward": {"x": -0.006999943, "y": 0.9999755, "z": 0.0},
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
                    }
                ],
                "volume": 1.0,
                "muted": False,
            }
        ],
        "transitions": [],
        "overlays": [],
        "audio": {"master_volume": 1.0, "sample_rate": 48000},
        "output": {
            "video_codec": "libx264",
            "crf": 20,
            "preset": "veryfast",
            "width": None,
            "height": None,
            "fps": None,
            "audio_codec": "aac",
            "audio_bitrate": "128k",
            "proxy": False,
            "allow_stream_copy": True,
        },
    },
    "camera": {
        "clip_id": "planet",
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
                "time_s": 0.5,
                "position": {"x": 101.69750836, "y": 0.711894186, "z": 0.0},
                "normal": {"x": 0.9999755, "y": 0.006999943, "z": 0.0},
                "forward": {"x": -0.006999943, "y": 0.9999755, "z": 0.0},
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
    "focus": None,
    "render": {
        "media": {
            "uri": "atoms://media/670a61d808b5533dbdedc3b979cdba8a/walk.mp4",
            "asset_id": "670a61d808b5533dbdedc3b979cdba8a",
            "filename": "walk.mp4",
            "mime_type": "video/mp4",
            "size_bytes": 2313,
            "sha256": "670a61d808b5533dbdedc3b979cdba8a96f1b6f4ed220852215b92f631bcdd77",
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
    },
}
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
    "camera",
    "timeline",
    "render.frame_count",
    "render.fps",
    "render.media.width",
    "render.media.height",
    "render.media.mime_type",
)

PLAN = ToolExample(
    title="The default: a plan the client renders on device", request=PLAN_REQUEST, response=PLANNED
)
EXPORT = ToolExample(
    title="An export: the walk rendered on the server (CPU proxy without a GPU)",
    request=EXPORT_REQUEST,
    response=EXPORTED,
    compare=_EXPORT_FIELDS,
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
