"""video_multicam's declared example, proven by tests/muscles/test_examples.py in the example
environment (tenant "local", the files of tests/muscles/video_multicam/samples.py): a camera
clip and a sound recorder that started 1.25 s after it.

The peak z-score depends on the last bits of floating-point arithmetic: the test compares
everything else.
"""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

CAMERA = "atoms://media/6a1f863a17e66287cecd5241ce67247b/cam_a.mov"
RECORDER = "atoms://media/91df16b7a0eebc9a03263aca8438f6f1/recorder.wav"

_STABLE = ("uri", "offset_s", "residual_ms", "drift_ppm", "speed_correction", "duration_s")
SYNCED: dict[str, JsonValue] = {
    "reference": CAMERA,
    "sample_rate": 8000,
    "recordings": [
        {
            "uri": CAMERA,
            "offset_s": 0.0,
            "confidence": 231.0,
            "residual_ms": None,
            "drift_ppm": None,
            "speed_correction": None,
            "duration_s": 6.0,
        },
        {
            "uri": RECORDER,
            "offset_s": 1.25,
            "confidence": 231.0,
            "residual_ms": None,
            "drift_ppm": None,
            "speed_correction": None,
            "duration_s": 5.0,
        },
    ],
    "timeline": {
        "tracks": [
            {
                "id": "video",
                "kind": "video",
                "clips": [
                    {
                        "id": "r0",
                        "uri": CAMERA,
                        "source_in_s": 0.0,
                        "source_out_s": None,
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
                    }
                ],
                "volume": 1.0,
                "muted": False,
                "role": None,
                "hidden": False,
            },
            {
                "id": "sound1",
                "kind": "audio",
                "clips": [
                    {
                        "id": "r1",
                        "uri": RECORDER,
                        "source_in_s": 0.0,
                        "source_out_s": None,
                        "start_s": 1.25,
                        "speed": 1.0,
                        "volume": 1.0,
                        "automation": {"lanes": [], "camera": []},
                        "duration_s": None,
                        "fade_in": None,
                        "fade_out": None,
                        "layout": None,
                        "grade": None,
                        "sound": {"gain_db": 0.0, "fade_in_s": 0.0, "fade_out_s": 0.0, "curve": "tri"},
                    }
                ],
                "volume": 1.0,
                "muted": False,
                "role": None,
                "hidden": False,
            },
        ],
        "transitions": [],
        "overlays": [],
        "captions": [],
        "audio": {"master_volume": 1.0, "sample_rate": 48000, "ducking": [], "loudness": None},
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
            "aspect": None,
            "fit": "pad",
            "grade": None,
        },
    },
}

ALIGN = ToolExample(
    title="A camera clip and a sound recorder that started 1.25 s later",
    request={"uris": [CAMERA, RECORDER]},
    response=SYNCED,
    compare=(
        "reference",
        "sample_rate",
        *(f"recordings.{i}.{name}" for i in (0, 1) for name in _STABLE),
        "timeline",
    ),
)
