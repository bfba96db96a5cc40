"""air_canvas's declared examples, proven by tests/muscles/test_examples.py in the example
environment (tenant "local", the synthetic drawing of tests/muscles/air_canvas/samples.py):
the trace, then the same trace as a job and the shared job tools once it finished.

The strokes are the same everywhere; the overlay MP4's bytes depend on the encoder build, so
the overlay compares what the file holds.
"""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

VIDEO = "atoms://media/bfb7ead952ab5dd6a66cb2f6f35bc5c7/air-drawing.mp4"
REQUEST: dict[str, JsonValue] = {"uri": VIDEO}
_COMPARE = (
    "strokes.sha256",
    "strokes.mime_type",
    "overlay.mime_type",
    "overlay.width",
    "overlay.height",
    "overlay.fps",
    "overlay.duration_s",
    "stroke_count",
    "point_count",
    "frames",
    "frames_with_marker",
)
DRAWN: dict[str, JsonValue] = {
    "strokes": {
        "uri": "atoms://media/6a8999bb7f41b1c426cfdf05e8885702/air-drawing-strokes.json",
        "asset_id": "6a8999bb7f41b1c426cfdf05e8885702",
        "filename": "air-drawing-strokes.json",
        "mime_type": "application/json",
        "size_bytes": 17267,
        "sha256": "6a8999bb7f41b1c426cfdf05e88857024f83805871425e2692de7a40752684ef",
        "duration_s": None,
        "width": None,
        "height": None,
        "fps": None,
        "sample_rate": None,
        "channels": None,
    },
    "overlay": {
        "uri": "atoms://media/10c17c22c0b915507e41d34fdde0994d/air-drawing-drawn.mp4",
        "asset_id": "10c17c22c0b915507e41d34fdde0994d",
        "filename": "air-drawing-drawn.mp4",
        "mime_type": "video/mp4",
        "size_bytes": 19441,
        "sha256": "10c17c22c0b915507e41d34fdde0994d291be09141c126694198f12a0c30caa9",
        "duration_s": 6.96,
        "width": 320,
        "height": 240,
        "fps": 25.0,
        "sample_rate": None,
        "channels": None,
    },
    "stroke_count": 3,
    "point_count": 164,
    "frames": 174,
    "frames_with_marker": 170,
}
TRACE = ToolExample(
    title="A circle and an L drawn in the air with an orange disc",
    request=REQUEST,
    response=DRAWN,
    compare=_COMPARE,
)

JOB_ID = "job_eac241c0fb1a5e0b8b040446dc2eb2d1"
_QUEUED: dict[str, JsonValue] = {
    "job_id": JOB_ID,
    "kind": "air_canvas.trace",
    "state": "queued",
    "progress": 0.0,
    "message": "queued",
    "attempts": 0,
    "error": None,
    "created_at": 1800000000.0,
    "updated_at": 1800000000.0,
}
_DONE: dict[str, JsonValue] = {
    **_QUEUED,
    "state": "succeeded",
    "progress": 1.0,
    "message": "done",
    "attempts": 1,
}
_STATUS = ("job_id", "kind", "state", "progress", "attempts")
JOB_EXAMPLES: dict[str, list[ToolExample]] = {
    "submit_trace": [
        ToolExample(
            title="The same trace as a job (answered at once)",
            request=REQUEST,
            response=_QUEUED,
            compare=("job_id", "kind", "state"),
        )
    ],
    "job_status": [
        ToolExample(title="A finished job", request={"job_id": JOB_ID}, response=_DONE, compare=_STATUS)
    ],
    "cancel_job": [
        ToolExample(
            title="Cancelling a finished job changes nothing",
            request={"job_id": JOB_ID},
            response=_DONE,
            compare=_STATUS,
        )
    ],
    "job_result": [
        ToolExample(
            title="The drawing a finished job made",
            request={"job_id": JOB_ID},
            response=DRAWN,
            compare=_COMPARE,
        )
    ],
    "list_jobs": [
        ToolExample(
            title="The caller's jobs, newest first",
            request={"limit": 10},
            response={"jobs": [_DONE], "next_cursor": None},
            compare=tuple(f"jobs.0.{path}" for path in _STATUS),
        )
    ],
}
