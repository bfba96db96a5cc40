"""video_review's declared examples, proven by tests/muscles/test_examples.py in the example
environment (tenant "local", the colour shots of tests/muscles/video_review/samples.py: red
1.0 s, green of the same brightness 0.8 s, dark grey 1.2 s, blue 1.0 s, at 25 fps, 160x90).

A PNG's bytes (so its hash and asset id) depend on the zlib and ffmpeg builds: the tests
compare what the pictures are (name, type, measured size, frames and times) instead; the cuts
and the JSON report are compared whole.
"""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

SHOTS = "atoms://media/abdcb8dfc5a328923d76a8f5ef3aeaff/shots.mp4"


def _ref(
    asset_id: str, sha256: str, filename: str, mime_type: str, size: int, **picture: int
) -> dict[str, JsonValue]:
    return {
        "uri": f"atoms://media/{asset_id}/{filename}",
        "asset_id": asset_id,
        "filename": filename,
        "mime_type": mime_type,
        "size_bytes": size,
        "sha256": sha256,
        "duration_s": None,
        "width": picture.get("width"),
        "height": picture.get("height"),
        "fps": None,
        "sample_rate": None,
        "channels": None,
    }


_PICTURE = ("filename", "mime_type", "width", "height")

THUMBNAIL = ToolExample(
    title="The frame on screen at 1.5 s, 96 pixels wide",
    request={"uri": SHOTS, "time_s": 1.5, "width": 96},
    response={
        "image": _ref(
            "4ebd4dcbf42a7b11a7f4d381c2c666ea",
            "4ebd4dcbf42a7b11a7f4d381c2c666ea764fb01ba5f9801f31b9929870b8c17a",
            "shots-frame37.png",
            "image/png",
            7258,
            width=96,
            height=54,
        ),
        "frame": 37,
        "time_s": 1.48,
    },
    compare=(*(f"image.{name}" for name in _PICTURE), "frame", "time_s"),
)
CONTACT_SHEET = ToolExample(
    title="Six evenly spaced frames in a 2 x 3 grid with timecodes",
    request={"uri": SHOTS, "rows": 2, "cols": 3, "tile_width": 96},
    response={
        "image": _ref(
            "303799868b1c6ebb831302517346eb3b",
            "303799868b1c6ebb831302517346eb3bf7067143691157036fc257346a8dcef0",
            "shots-sheet-2x3.png",
            "image/png",
            64336,
            width=304,
            height=120,
        ),
        "rows": 2,
        "cols": 3,
        "tile_width": 96,
        "tile_height": 54,
        "frames": [8, 25, 41, 58, 75, 91],
        "times_s": [0.32, 1.0, 1.64, 2.32, 3.0, 3.64],
    },
    compare=(
        *(f"image.{name}" for name in _PICTURE),
        *("rows", "cols", "tile_width", "tile_height", "frames", "times_s"),
    ),
)
DETECT_SCENES = ToolExample(
    title="Three cuts, the first between shots of equal brightness",
    request={"uri": SHOTS},
    response={
        "cuts": [
            {"time_s": 1.0, "frame": 25, "score": 1.0},
            {"time_s": 1.8, "frame": 45, "score": 1.0},
            {"time_s": 3.0, "frame": 75, "score": 1.0},
        ],
        "scene_count": 4,
        "frame_count": 100,
        "fps": 25.0,
        "document": _ref(
            "31565abe625fd5d87359e9f06c497b57",
            "31565abe625fd5d87359e9f06c497b578dc6f14e747b398fbd1965cda63bd202",
            "shots-scenes.json",
            "application/json",
            667,
        ),
    },
)
