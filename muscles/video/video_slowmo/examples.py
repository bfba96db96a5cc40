"""video_slowmo's declared examples, proven by tests/muscles/test_examples.py in the example
environment (tenant "local", the clips of tests/muscles/video_render/samples.py), in this order:
a slow motion, a frame-rate conversion, the slow motion submitted as a job and (once it has
finished) its status, a cancel of the finished job, its result and the list of jobs.

The encoded MP4's bytes (so its hash and asset id) depend on the encoder build: the tests
compare what the file holds instead (rate, frames, duration, size).
"""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

INTRO = "atoms://media/993fd61168575b552a1a015d67b198d4/intro.mp4"
SLOWMO_REQUEST: dict[str, JsonValue] = {"uri": INTRO, "factor": 0.5, "start_s": 1.0, "end_s": 1.4}
INTERPOLATE_REQUEST: dict[str, JsonValue] = {"uri": INTRO, "fps": 50, "preset": "mci", "end_s": 0.4}
SLOWED: dict[str, JsonValue] = {
    "media": {
        "uri": "atoms://media/eb32083ff58125e22fa450d48e45af92/intro-slowmo.mp4",
        "asset_id": "eb32083ff58125e22fa450d48e45af92",
        "filename": "intro-slowmo.mp4",
        "mime_type": "video/mp4",
        "size_bytes": 13908,
        "sha256": "eb32083ff58125e22fa450d48e45af92706706144ab065f4dac5538e6cb1c57e",
        "duration_s": 0.8,
        "width": 160,
        "height": 120,
        "fps": 25.0,
        "sample_rate": None,
        "channels": None,
    },
    "preset": "flow",
    "fps": 25.0,
    "frame_count": 20,
    "duration_s": 0.8,
    "audio": "none",
    "edit": {
        "id": "slowmo",
        "uri": INTRO,
        "source_in_s": 1.0,
        "source_out_s": 1.4,
        "start_s": 0.0,
        "speed": 0.5,
        "volume": 1.0,
        "automation": {"lanes": [], "camera": []},
        "duration_s": None,
        "fade_in": None,
        "fade_out": None,
        "layout": None,
        "grade": None,
        "sound": {"gain_db": 0.0, "fade_in_s": 0.0, "fade_out_s": 0.0, "curve": "tri"},
    },
}
CONVERTED: dict[str, JsonValue] = {
    "media": {
        "uri": "atoms://media/a46baa923e4e090cc5d23e27754f00d6/intro-50fps.mp4",
        "asset_id": "a46baa923e4e090cc5d23e27754f00d6",
        "filename": "intro-50fps.mp4",
        "mime_type": "video/mp4",
        "size_bytes": 11289,
        "sha256": "a46baa923e4e090cc5d23e27754f00d61047d4988db4796cd907952c880635fc",
        "duration_s": 0.4,
        "width": 160,
        "height": 120,
        "fps": 50.0,
        "sample_rate": None,
        "channels": None,
    },
    "preset": "mci",
    "fps": 50.0,
    "frame_count": 20,
    "duration_s": 0.4,
    "audio": "none",
    "edit": {
        "id": "retimed",
        "uri": INTRO,
        "source_in_s": 0.0,
        "source_out_s": 0.4,
        "start_s": 0.0,
        "speed": 1.0,
        "volume": 1.0,
        "automation": {"lanes": [], "camera": []},
        "duration_s": None,
        "fade_in": None,
        "fade_out": None,
        "layout": None,
        "grade": None,
        "sound": {"gain_db": 0.0, "fade_in_s": 0.0, "fade_out_s": 0.0, "curve": "tri"},
    },
}
JOB_ID = "job_28a8143f1991f1700d19e80420eaa7f1"
QUEUED: dict[str, JsonValue] = {
    "job_id": "job_28a8143f1991f1700d19e80420eaa7f1",
    "kind": "video_slowmo.slowmo",
    "state": "queued",
    "progress": 0.0,
    "message": "queued",
    "attempts": 0,
    "error": None,
    "created_at": 1800000000.0,
    "updated_at": 1800000000.0,
}
INTERPOLATE_JOB_ID = "job_dd48288b87286309f685ccf612a727c3"
DONE: dict[str, JsonValue] = {
    **QUEUED,
    "state": "succeeded",
    "progress": 1.0,
    "message": "done",
    "attempts": 1,
}
_MEDIA_FIELDS = ("filename", "mime_type", "width", "height", "fps", "duration_s")
_COMPARE = (
    *(f"media.{name}" for name in _MEDIA_FIELDS),
    "preset",
    "fps",
    "frame_count",
    "duration_s",
    "audio",
    "edit",
)
_STATUS_FIELDS = ("job_id", "kind", "state", "progress", "attempts")

SLOWMO = ToolExample(
    title="Half speed on 0.4 s of a clip", request=SLOWMO_REQUEST, response=SLOWED, compare=_COMPARE
)
INTERPOLATE = ToolExample(
    title="25 to 50 fps with ffmpeg's motion compensation",
    request=INTERPOLATE_REQUEST,
    response=CONVERTED,
    compare=_COMPARE,
)
JOB_EXAMPLES: dict[str, list[ToolExample]] = {
    "submit_slowmo": [
        ToolExample(
            title="The same slow motion as a job: queued at once",
            request=SLOWMO_REQUEST,
            response=QUEUED,
            compare=("job_id", "kind", "state"),
        )
    ],
    "submit_interpolate": [
        ToolExample(
            title="A frame-rate conversion as a job: queued at once",
            request={**INTERPOLATE_REQUEST, "end_s": 0.2},
            response={**QUEUED, "job_id": INTERPOLATE_JOB_ID, "kind": "video_slowmo.interpolate"},
            compare=("job_id", "kind", "state"),
        )
    ],
    # The examples below run once the submitted jobs have finished (both, newest first, in
    # list_jobs: same clock, so by job id).
    "job_status": [
        ToolExample(title="A finished job", request={"job_id": JOB_ID}, response=DONE, compare=_STATUS_FIELDS)
    ],
    "cancel_job": [
        ToolExample(
            title="Cancelling a finished job changes nothing",
            request={"job_id": JOB_ID},
            response=DONE,
            compare=_STATUS_FIELDS,
        )
    ],
    "job_result": [
        ToolExample(
            title="The slow motion of a finished job",
            request={"job_id": JOB_ID},
            response=SLOWED,
            compare=_COMPARE,
        )
    ],
    "list_jobs": [
        ToolExample(
            title="The caller's jobs, newest first",
            request={"limit": 10},
            response={
                "jobs": [{**DONE, "job_id": INTERPOLATE_JOB_ID, "kind": "video_slowmo.interpolate"}, DONE],
                "next_cursor": None,
            },
            compare=tuple(f"jobs.{i}.{name}" for i in (0, 1) for name in _STATUS_FIELDS),
        )
    ],
}
