"""video_batch_render's declared examples, proven by tests/muscles/test_examples.py in the
example environment (tenant "local", the clips of tests/muscles/video_batch_render/samples.py),
in this order: a batch (of one render, to keep this page short) queued, waited on until done, its status, a cancel of
the finished batch (nothing to stop), the list of batches and its results. Encoded bytes depend on the encoder
build: the MP4s are compared by what they hold (duration, size, rate, frames)."""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

_INTRO = "atoms://media/993fd61168575b552a1a015d67b198d4/intro.mp4"
_OUTPUT: dict[str, JsonValue] = {"fps": 25, "preset": "ultrafast"}
REQUEST: dict[str, JsonValue] = {
    "renders": [
        {
            "timeline": {
                "tracks": [{"id": "v", "clips": [{"id": "a", "uri": _INTRO, "source_out_s": 1.0}]}],
                "output": _OUTPUT,
            },
            "filename": "intro-1s.mp4",
        },
    ],
    "priority": 10,
    "label": "dailies",
}
BATCH_ID = "batch_cd10b3ee562a471e67538d82be57e28e"
JOB_IDS = ("job_b6a690a07fca91c48086e0e4485d76ba",)


def _job(job_id: str, state: str, progress: float, message: str, attempts: int) -> dict[str, JsonValue]:
    return {
        "job_id": job_id,
        "kind": "video_render.render",
        "state": state,
        "progress": progress,
        "message": message,
        "attempts": attempts,
        "error": None,
        "created_at": 1800000000.0,
        "updated_at": 1800000000.0,
    }


def _batch(state: str, progress: float, jobs: list[dict[str, JsonValue]]) -> dict[str, JsonValue]:
    counts: dict[str, JsonValue] = {}
    for job in jobs:
        counts[str(job["state"])] = int(counts.get(str(job["state"]), 0)) + 1  # type: ignore[arg-type]
    return {
        "batch_id": BATCH_ID,
        "kind": "video_render.render",
        "label": "dailies",
        "priority": 10,
        "state": state,
        "progress": progress,
        "counts": counts,
        "jobs": [{"name": name, "status": job} for name, job in zip(("intro-1s.mp4",), jobs, strict=True)],
        "created_at": 1800000000.0,
    }


QUEUED = _batch("queued", 0.0, [_job(job_id, "queued", 0.0, "queued", 0) for job_id in JOB_IDS])
DONE = _batch("succeeded", 1.0, [_job(job_id, "succeeded", 1.0, "done", 1) for job_id in JOB_IDS])
_STABLE = (
    "batch_id",
    "kind",
    "label",
    "priority",
    "jobs.0.name",
    "jobs.0.status.job_id",
)
_FINISHED = (*_STABLE, "state", "progress", "counts", "jobs.0.status.state")


def _media(uri: str, filename: str, size: int, sha: str, duration: float) -> dict[str, JsonValue]:
    return {
        "uri": uri,
        "asset_id": uri.split("/")[3],
        "filename": filename,
        "mime_type": "video/mp4",
        "size_bytes": size,
        "sha256": sha,
        "duration_s": duration,
        "width": 160,
        "height": 120,
        "fps": 25.0,
        "sample_rate": None,
        "channels": None,
    }


_INTRO_1S = "atoms://media/8f6acbdfefbd17fc97d0a0d0314240f1/intro-1s.mp4"
_INTRO_SHA = "8f6acbdfefbd17fc97d0a0d0314240f1ab56782d3de4feffbee2a64e861e2961"
RESULTS_RESPONSE: dict[str, JsonValue] = {
    "batch_id": BATCH_ID,
    "renders": [
        {
            "filename": "intro-1s.mp4",
            "job_id": JOB_IDS[0],
            "state": "succeeded",
            "attempts": 1,
            "render": {
                "media": _media(_INTRO_1S, "intro-1s.mp4", 42267, _INTRO_SHA, 1.0),
                "frame_count": 25,
                "stream_copy": False,
            },
            "error": None,
        },
    ],
}

QUEUE = ToolExample(
    title="A render queued as a batch, at priority 10",
    request=REQUEST,
    response=QUEUED,
    compare=_STABLE,
)
WAIT = ToolExample(
    title="Following the batch until its render is done",
    request={"batch_id": BATCH_ID, "timeout_s": 50},
    response=DONE,
    compare=_FINISHED,
)
STATUS = ToolExample(
    title="A finished batch", request={"batch_id": BATCH_ID}, response=DONE, compare=_FINISHED
)
CANCEL = ToolExample(
    title="Cancelling a finished batch changes nothing",
    request={"batch_id": BATCH_ID},
    response=DONE,
    compare=_FINISHED,
)
LIST = ToolExample(
    title="The caller's batches, newest first",
    request={"limit": 10},
    response={"batches": [DONE], "next_cursor": None},
    compare=(*(f"batches.0.{path}" for path in _FINISHED), "next_cursor"),
)
_RENDER_FIELDS = ("filename", "mime_type", "duration_s", "width", "height", "fps")
RESULTS = ToolExample(
    title="Each render's MP4",
    request={"batch_id": BATCH_ID},
    response=RESULTS_RESPONSE,
    compare=(
        "batch_id",
        *(f"renders.{i}.{field}" for i in (0,) for field in ("filename", "job_id", "state", "attempts")),
        *(f"renders.{i}.render.media.{field}" for i in (0,) for field in _RENDER_FIELDS),
        *(f"renders.{i}.render.frame_count" for i in (0,)),
    ),
)
