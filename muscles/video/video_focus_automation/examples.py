"""video_focus_automation's declared examples, proven by tests/muscles/test_examples.py: tokens
with their metadata (a point, then a tracked subject on one clip; a named region on another),
and the same kind of tokens without their metadata (the no-op result and its warnings)."""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

REQUEST: dict[str, JsonValue] = {
    "tokens": [
        {"clip_id": "main", "target": {"kind": "point", "x": 0.3, "y": 0.4}, "start_s": 0.0, "end_s": 1.0},
        {
            "clip_id": "main",
            "target": {"kind": "subject", "subject_id": "runner"},
            "start_s": 1.5,
            "end_s": 2.5,
            "easing": "linear",
            "zoom": 3.0,
        },
        {"clip_id": "intro", "target": {"kind": "region", "name": "title"}, "start_s": 0.5, "end_s": 1.5},
    ],
    "metadata": {
        "regions": {"title": {"x": 0.25, "y": 0.25, "width": 0.5, "height": 0.25}},
        "subjects": {
            "runner": [
                {"time_s": 1.0, "x": 0.6, "y": 0.5},
                {"time_s": 2.0, "x": 0.7, "y": 0.5},
                {"time_s": 3.0, "x": 0.8, "y": 0.6},
            ]
        },
    },
}
RESPONSE: dict[str, JsonValue] = {
    "payloads": [
        {
            "clip_id": "main",
            "lanes": [
                {
                    "parameter": "position_x",
                    "keyframes": [
                        {"time_s": 0.0, "value": 0.5, "interpolation": "ease_in_out"},
                        {"time_s": 1.0, "value": 0.3, "interpolation": "linear"},
                        {"time_s": 1.5, "value": 0.3, "interpolation": "linear"},
                        {"time_s": 2.0, "value": 0.5, "interpolation": "linear"},
                        {"time_s": 2.5, "value": 0.75, "interpolation": "linear"},
                    ],
                },
                {
                    "parameter": "position_y",
                    "keyframes": [
                        {"time_s": 0.0, "value": 0.5, "interpolation": "ease_in_out"},
                        {"time_s": 1.0, "value": 0.4, "interpolation": "linear"},
                        {"time_s": 1.5, "value": 0.4, "interpolation": "linear"},
                        {"time_s": 2.0, "value": 0.45, "interpolation": "linear"},
                        {"time_s": 2.5, "value": 0.55, "interpolation": "linear"},
                    ],
                },
                {
                    "parameter": "scale",
                    "keyframes": [
                        {"time_s": 0.0, "value": 1.0, "interpolation": "ease_in_out"},
                        {"time_s": 1.0, "value": 2.0, "interpolation": "linear"},
                        {"time_s": 1.5, "value": 2.0, "interpolation": "linear"},
                        {"time_s": 2.0, "value": 2.5, "interpolation": "linear"},
                        {"time_s": 2.5, "value": 3.0, "interpolation": "linear"},
                    ],
                },
            ],
            "camera": [
                {
                    "time_s": 0.0,
                    "position": {"x": 0.5, "y": 0.5, "z": 1.0},
                    "normal": {"x": 0.0, "y": 0.0, "z": 1.0},
                    "forward": {"x": 0.0, "y": 0.0, "z": -1.0},
                    "interpolation": "ease_in_out",
                },
                {
                    "time_s": 1.0,
                    "position": {"x": 0.3, "y": 0.4, "z": 0.5},
                    "normal": {"x": 0.0, "y": 0.0, "z": 1.0},
                    "forward": {"x": 0.0, "y": 0.0, "z": -1.0},
                    "interpolation": "linear",
                },
                {
                    "time_s": 1.5,
                    "position": {"x": 0.3, "y": 0.4, "z": 0.5},
                    "normal": {"x": 0.0, "y": 0.0, "z": 1.0},
                    "forward": {"x": 0.0, "y": 0.0, "z": -1.0},
                    "interpolation": "linear",
                },
                {
                    "time_s": 2.0,
                    "position": {"x": 0.5, "y": 0.45, "z": 0.4},
                    "normal": {"x": 0.0, "y": 0.0, "z": 1.0},
                    "forward": {"x": 0.0, "y": 0.0, "z": -1.0},
                    "interpolation": "linear",
                },
                {
                    "time_s": 2.5,
                    "position": {"x": 0.75, "y": 0.55, "z": 0.333333},
                    "normal": {"x": 0.0, "y": 0.0, "z": 1.0},
                    "forward": {"x": 0.0, "y": 0.0, "z": -1.0},
                    "interpolation": "linear",
                },
            ],
        },
        {
            "clip_id": "intro",
            "lanes": [
                {
                    "parameter": "position_x",
                    "keyframes": [
                        {"time_s": 0.5, "value": 0.5, "interpolation": "ease_in_out"},
                        {"time_s": 1.5, "value": 0.5, "interpolation": "linear"},
                    ],
                },
                {
                    "parameter": "position_y",
                    "keyframes": [
                        {"time_s": 0.5, "value": 0.5, "interpolation": "ease_in_out"},
                        {"time_s": 1.5, "value": 0.375, "interpolation": "linear"},
                    ],
                },
                {
                    "parameter": "scale",
                    "keyframes": [
                        {"time_s": 0.5, "value": 1.0, "interpolation": "ease_in_out"},
                        {"time_s": 1.5, "value": 2.0, "interpolation": "linear"},
                    ],
                },
            ],
            "camera": [
                {
                    "time_s": 0.5,
                    "position": {"x": 0.5, "y": 0.5, "z": 1.0},
                    "normal": {"x": 0.0, "y": 0.0, "z": 1.0},
                    "forward": {"x": 0.0, "y": 0.0, "z": -1.0},
                    "interpolation": "ease_in_out",
                },
                {
                    "time_s": 1.5,
                    "position": {"x": 0.5, "y": 0.375, "z": 0.5},
                    "normal": {"x": 0.0, "y": 0.0, "z": 1.0},
                    "forward": {"x": 0.0, "y": 0.0, "z": -1.0},
                    "interpolation": "linear",
                },
            ],
        },
    ],
    "noop": False,
    "warnings": [],
    "timeline": None,
}
NOOP_REQUEST: dict[str, JsonValue] = {
    "tokens": [
        {
            "clip_id": "main",
            "target": {"kind": "subject", "subject_id": "runner"},
            "start_s": 0.0,
            "end_s": 1.0,
        },
        {"clip_id": "main", "target": {"kind": "region", "name": "face"}, "start_s": 1.0, "end_s": 2.0},
    ]
}
NOOP_RESPONSE: dict[str, JsonValue] = {
    "payloads": [],
    "noop": True,
    "warnings": [
        {
            "code": "metadata_missing",
            "token": 0,
            "missing": "subjects.runner",
            "message": "token 0 (clip main) frames subject 'runner', which the metadata does not hold",
        },
        {
            "code": "metadata_missing",
            "token": 1,
            "missing": "regions.face",
            "message": "token 1 (clip main) frames region 'face', which the metadata does not hold",
        },
    ],
    "timeline": None,
}

FOCUS_POINT_AND_SUBJECT = ToolExample(
    title="A point, then a tracked subject on one clip; a named region on another",
    request=REQUEST,
    response=RESPONSE,
)
FOCUS_NOOP = ToolExample(
    title="Tokens whose subject and region the metadata lacks: no keys, a warning for each",
    request=NOOP_REQUEST,
    response=NOOP_RESPONSE,
)
