"""video_360's declared examples, proven by tests/muscles/test_examples.py in the example
environment (tenant "local", the samples of tests/muscles/video_360/samples.py), in order:
a flat view of the 360 picture, its cubemap, the cubemap back to equirect, a reframed video,
then the same view submitted as a job and (once it finished) the shared job tools.

PNG bytes are the same everywhere; an MP4's depend on the encoder build and which path ran
(OpenCV here, torch on a GPU machine), so videos compare what the file holds instead.
"""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

SPHERE = "atoms://media/8e0f6d298ef63de903e0954340593f33/sphere.png"
CUBE = "atoms://media/1c92a4f98ec504cbddc0b27e9b351b29/sphere-cube.png"
VIDEO = "atoms://media/5b40f553783b4502b742be402d855043/sphere.mp4"
_PICTURE = ("media.filename", "media.mime_type", "media.width", "media.height", "frame_count")
_VIDEO = (*_PICTURE, "media.fps", "media.duration_s")


def _ref(
    asset_id: str, filename: str, mime: str, size: int, sha: str, **facts: JsonValue
) -> dict[str, JsonValue]:
    return {
        "uri": f"atoms://media/{asset_id}/{filename}",
        "asset_id": asset_id,
        "filename": filename,
        "mime_type": mime,
        "size_bytes": size,
        "sha256": sha,
        "duration_s": None,
        "width": None,
        "height": None,
        "fps": None,
        "sample_rate": None,
        "channels": None,
        **facts,
    }


PERSPECTIVE_REQUEST: dict[str, JsonValue] = {
    "uri": SPHERE,
    "view": {"yaw": 30, "pitch": 15, "roll": 0, "h_fov": 100, "v_fov": 60},
    "width": 320,
    "height": 180,
}
PERSPECTIVE_RESPONSE: dict[str, JsonValue] = {
    "media": _ref(
        "9a4238414a62c7be295b279d8fc4c0f7",
        "sphere-360.png",
        "image/png",
        50765,
        "9a4238414a62c7be295b279d8fc4c0f749c427bdf9071dbeafd5154a3c4fb711",
        width=320,
        height=180,
    ),
    "frame_count": 1,
    "path": "opencv-cpu",
}
PERSPECTIVE = ToolExample(
    title="A 100x60 degree view, 30 degrees right and 15 up, of a 360 picture",
    request=PERSPECTIVE_REQUEST,
    response=PERSPECTIVE_RESPONSE,
    compare=_PICTURE,
)
CUBEMAP = ToolExample(
    title="The six cube faces of a 360 picture, as a cross",
    request={"uri": SPHERE, "face_size": 128, "layout": "dice", "filename": "cube.png"},
    response={
        "media": _ref(
            "74842d5c5a166dde63bab19b02057808",
            "cube.png",
            "image/png",
            125767,
            "74842d5c5a166dde63bab19b020578081b91dd65140eeb539b4daf402caac2d5",
            width=512,
            height=384,
        ),
        "frame_count": 1,
        "path": "opencv-cpu",
    },
    compare=_PICTURE,
)
TO_EQUIRECT = ToolExample(
    title="A cross cubemap back to a 2:1 equirect picture",
    request={"uri": CUBE, "source": "cubemap", "layout": "dice", "width": 512, "height": 256},
    response={
        "media": _ref(
            "f0190c9fd72e3f12c19472a0ea4d46e5",
            "sphere-cube-360.png",
            "image/png",
            141413,
            "f0190c9fd72e3f12c19472a0ea4d46e5a7bc6caffaadcf626299762cffefc907",
            width=512,
            height=256,
        ),
        "frame_count": 1,
        "path": "opencv-cpu",
    },
    compare=_PICTURE,
)
REFRAME = ToolExample(
    title="A camera panning 90 degrees right through a 1 s 360 video",
    request={
        "uri": VIDEO,
        "camera": {"yaw": [{"time_s": 0, "value": 0}, {"time_s": 1, "value": 90, "interpolation": "linear"}]},
        "width": 160,
        "height": 90,
        "filename": "pan.mp4",
    },
    response={
        "media": _ref(
            "3a59c8daf82cd5c58b4b5223b5a9d9f6",
            "pan.mp4",
            "video/mp4",
            15025,
            "3a59c8daf82cd5c58b4b5223b5a9d9f6335c53467b559badc4ac16d29418cea3",
            width=160,
            height=90,
            fps=25.0,
            duration_s=1.0,
        ),
        "frame_count": 25,
        "path": "opencv-cpu",
    },
    compare=_VIDEO,
)

JOB_ID = "job_07442f0117babb4888c3a5d3ff8adf2a"
_QUEUED: dict[str, JsonValue] = {
    "job_id": JOB_ID,
    "kind": "video_360.perspective",
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


def _submitted(tool: str, example: ToolExample) -> ToolExample:
    return ToolExample(
        title=f"{example.title}, as a job (answered at once)",
        request=example.request,
        response={**_QUEUED, "kind": f"video_360.{tool}"},
        compare=("kind", "state"),
    )


JOB_EXAMPLES: dict[str, list[ToolExample]] = {
    "submit_perspective": [
        ToolExample(
            title="The flat view as a job (answered at once)",
            request=PERSPECTIVE_REQUEST,
            response=_QUEUED,
            compare=("job_id", "kind", "state"),
        )
    ],
    "submit_reframe": [_submitted("reframe", REFRAME)],
    "submit_cubemap": [_submitted("cubemap", CUBEMAP)],
    "submit_to_equirect": [_submitted("to_equirect", TO_EQUIRECT)],
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
            title="The flat view a finished job made",
            request={"job_id": JOB_ID},
            response=PERSPECTIVE_RESPONSE,
            compare=_PICTURE,
        )
    ],
    "list_jobs": [
        ToolExample(
            title="The caller's jobs, newest first",
            request={"limit": 1},
            response={"jobs": [_DONE], "next_cursor": None},
            compare=("jobs.0.state",),
        )
    ],
}
