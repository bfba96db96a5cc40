"""video_render's declared examples, proven by tests/muscles/test_examples.py in the example
environment (tenant "local", the clips of tests/muscles/video_render/samples.py), in this order:
the render, the same timeline's preview frames, the timeline submitted as a job, and (once that
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
JOB_ID = "job_cd70a6828c61d9958d8caa6e551cf88a"
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
    "loudness_lufs": None,
}
QUEUED: dict[str, JsonValue] = {
    "job_id": "job_cd70a6828c61d9958d8caa6e551cf88a",
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


def _png(asset_id: str, sha256: str, frame: int, size: int) -> dict[str, JsonValue]:
    return {
        "uri": f"atoms://media/{asset_id}/preview-frame{frame}.png",
        "asset_id": asset_id,
        "filename": f"preview-frame{frame}.png",
        "mime_type": "image/png",
        "size_bytes": size,
        "sha256": sha256,
        "duration_s": None,
        "width": 160,
        "height": 120,
        "fps": None,
        "sample_rate": None,
        "channels": None,
    }


# The render's frames at 0.5 s, inside the crossfade and in the second clip. A PNG's bytes
# depend on the zlib and ffmpeg builds: what the images are is compared, not their hashes.
_PREVIEWED = [
    (0.5, 12, "065c88f22877db1681bc858228287627061cdc4e25b7183b454a7ce91313371c", 23310),
    (1.75, 43, "89c546193713c2ba426d98318d0a3253add2201908cd2bc188ece5416c11e60a", 29137),
    (3.0, 75, "772bad6064365c736244c069ec681edaedccdcc3635c4147371b2fcda41c4840", 25881),
]
PREVIEW = ToolExample(
    title="Three frames of the crossfade timeline (one inside the crossfade), without the MP4",
    request={"timeline": TIMELINE, "times_s": [time for time, *_ in _PREVIEWED]},
    response={
        "frames": [
            {"time_s": time, "frame": frame, "image": _png(sha256[:32], sha256, frame, size)}
            for time, frame, sha256, size in _PREVIEWED
        ],
        "frame_count": 88,
        "fps": 25.0,
    },
    compare=(
        *(f"frames.{i}.{name}" for i in range(3) for name in ("time_s", "frame")),
        *(
            f"frames.{i}.image.{name}"
            for i in range(3)
            for name in ("filename", "mime_type", "width", "height")
        ),
        "frame_count",
        "fps",
    ),
)
