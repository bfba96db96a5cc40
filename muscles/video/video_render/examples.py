"""video_render's declared examples, proven by tests/muscles/test_examples.py in the example
environment (tenant "local", the clips of tests/muscles/video_render/samples.py), in this order:
the render, a preview frame of a one-clip timeline, the timeline submitted as a job, and (once that
job has finished) its status, a cancel of the finished job (nothing to stop), its result and the
list of jobs.

The encoded MP4's bytes (so its hash and asset id) depend on the encoder build: the tests
compare what the file holds instead (duration, size, rate, frames).
"""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

_INTRO = "atoms://media/993fd61168575b552a1a015d67b198d4/intro.mp4"
_MAIN = "atoms://media/f9962e06252f0662444e9d4db6d5711a/main.mp4"
TIMELINE: dict[str, JsonValue] = {
    "tracks": [
        {
            "id": "video",
            "clips": [
                {"id": "intro", "uri": _INTRO, "source_out_s": 2.0},
                {"id": "main", "uri": _MAIN, "source_out_s": 2.0, "start_s": 1.5},
            ],
        }
    ],
    "transitions": [{"from_clip": "intro", "to_clip": "main", "duration_s": 0.5}],
    "output": {"fps": 25, "preset": "ultrafast"},
}
REQUEST: dict[str, JsonValue] = {"timeline": TIMELINE, "filename": "cut.mp4"}
JOB_ID = "job_d5cc9d6c05efd92961c277d7db6fc229"
RENDERED: dict[str, JsonValue] = {
    "media": {
        "uri": "atoms://media/2814e85f1864edef2409978b7aa61f80/cut.mp4",
        "asset_id": "2814e85f1864edef2409978b7aa61f80",
        "filename": "cut.mp4",
        "mime_type": "video/mp4",
        "size_bytes": 139817,
        "sha256": "2814e85f1864edef2409978b7aa61f807ac653472287a06b3ad2914a02fb5c37",
        "duration_s": 3.52,
        "width": 160,
        "height": 120,
        "fps": 25.0,
        "sample_rate": None,
        "channels": None,
    },
    "frame_count": 88,
    "stream_copy": False,
    "warnings": [],
}
QUEUED: dict[str, JsonValue] = {
    "job_id": "job_d5cc9d6c05efd92961c277d7db6fc229",
    "kind": "video_render.render",
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
    title="Two clips with a half-second crossfade",
    request=REQUEST,
    response=RENDERED,
    compare=(*(f"media.{name}" for name in _MEDIA_FIELDS), "frame_count", "stream_copy"),
)
# An editor's cut of the same clips: a wipe, a Ken Burns push on the main clip, a colour lower
# third fading in and out, a turning half-transparent picture-in-picture, a warmer grade, and
# the whole reframed to 9:16 over a blurred copy of itself (still one ffmpeg graph).
EDITED: dict[str, JsonValue] = {
    "tracks": [
        {
            "id": "video",
            "clips": [
                {"id": "intro", "uri": _INTRO, "source_out_s": 2.0, "fade_in": {"duration_s": 0.4}},
                {
                    "id": "main",
                    "uri": _MAIN,
                    "source_out_s": 2.0,
                    "start_s": 1.5,
                    "grade": {"temperature": 5000, "saturation": 1.2},
                    "automation": {
                        "lanes": [
                            {
                                "parameter": "scale",
                                "keyframes": [{"time_s": 0, "value": 1}, {"time_s": 2, "value": 1.4}],
                            },
                            {
                                "parameter": "position_x",
                                "keyframes": [{"time_s": 0, "value": 0.4}, {"time_s": 2, "value": 0.6}],
                            },
                        ]
                    },
                },
            ],
        },
        {
            "id": "lower_third",
            "clips": [
                {
                    "id": "bar",
                    "uri": "color:#202060",
                    "duration_s": 2.0,
                    "start_s": 0.5,
                    "layout": {"x": 0.05, "y": 0.8, "width": 0.9, "height": 0.1, "opacity": 0.8},
                    "fade_in": {"duration_s": 0.3},
                    "fade_out": {"duration_s": 0.3},
                }
            ],
        },
        {
            "id": "pip",
            "clips": [
                {
                    "id": "inset",
                    "uri": _INTRO,
                    "source_in_s": 2.0,
                    "source_out_s": 3.5,
                    "start_s": 1.0,
                    "layout": {"x": 0.55, "y": 0.05, "width": 0.4, "opacity": 0.6},
                    "automation": {
                        "lanes": [
                            {
                                "parameter": "rotation",
                                "keyframes": [{"time_s": 0, "value": 0}, {"time_s": 1.5, "value": 15}],
                            }
                        ]
                    },
                }
            ],
        },
    ],
    "transitions": [{"from_clip": "intro", "to_clip": "main", "duration_s": 0.5, "transition": "wipeleft"}],
    "output": {"fps": 25, "preset": "ultrafast", "aspect": "9:16", "fit": "blur"},
}
RENDER_EDITED = ToolExample(
    title="Transitions, layers, Ken Burns, grade and a 9:16 reframe in one graph",
    request={"timeline": EDITED, "filename": "vertical.mp4"},
    response={
        "media": {
            "uri": "atoms://media/e7eb6a875829776fac84d494e2570ae3/vertical.mp4",
            "asset_id": "e7eb6a875829776fac84d494e2570ae3",
            "filename": "vertical.mp4",
            "mime_type": "video/mp4",
            "size_bytes": 122849,
            "sha256": "e7eb6a875829776fac84d494e2570ae3eed809a65c6932ef9b9d06c33ce488aa",
            "duration_s": 3.52,
            "width": 68,
            "height": 120,
            "fps": 25.0,
            "sample_rate": None,
            "channels": None,
        },
        "warnings": [],
        "frame_count": 88,
        "stream_copy": False,
    },
    compare=(*(f"media.{name}" for name in _MEDIA_FIELDS), "frame_count", "stream_copy"),
)
SUBMIT = ToolExample(
    title="The same timeline as a job: queued at once",
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


# A thumbnail of a timeline: its frame at 1.0 s. A PNG's bytes depend on the zlib and ffmpeg
# builds: what the image is is compared, not its hash.
_PREVIEW_SHA = "6da964b05fcc4ab224335cac307c0b6c586bc6ffedee3cd65b74b14d3be870b7"
PREVIEW = ToolExample(
    title="A thumbnail of a timeline: the frame its render shows at 1.0 s, without the MP4",
    request={
        "timeline": {
            "tracks": [{"id": "video", "clips": [{"id": "intro", "uri": _INTRO, "source_out_s": 2.0}]}]
        },
        "times_s": [1.0],
    },
    response={
        "frames": [
            {
                "time_s": 1.0,
                "frame": 25,
                "image": {
                    "uri": f"atoms://media/{_PREVIEW_SHA[:32]}/preview-frame25.png",
                    "asset_id": _PREVIEW_SHA[:32],
                    "filename": "preview-frame25.png",
                    "mime_type": "image/png",
                    "size_bytes": 18511,
                    "sha256": _PREVIEW_SHA,
                    "duration_s": None,
                    "width": 160,
                    "height": 120,
                    "fps": None,
                    "sample_rate": None,
                    "channels": None,
                },
            }
        ],
        "frame_count": 50,
        "fps": 25.0,
    },
    compare=(
        *(f"frames.0.{name}" for name in ("time_s", "frame")),
        *(f"frames.0.image.{name}" for name in ("filename", "mime_type", "width", "height")),
        "frame_count",
        "fps",
    ),
)
