"""video_timeline's declared examples, proven by tests/muscles/test_examples.py in the example
environment (tenant "local", the clips of tests/muscles/video_render/samples.py)."""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

# The clips of tests/muscles/video_render/samples.py (picture-only x264, the same bytes on
# every machine), stored in media_v2 before the examples run.
_CLIP_A = "atoms://media/993fd61168575b552a1a015d67b198d4/intro.mp4"
_CLIP_B = "atoms://media/f9962e06252f0662444e9d4db6d5711a/main.mp4"
_GONE = "atoms://media/0123456789abcdef0123456789abcdef/gone.mp4"
EXAMPLE_TIMELINE: dict[str, JsonValue] = {
    "tracks": [
        {
            "id": "video",
            "clips": [
                {"id": "intro", "uri": _CLIP_A, "source_in_s": 0.0, "source_out_s": 4.0},
                {"id": "main", "uri": _CLIP_B, "source_in_s": 1.0, "source_out_s": 7.0, "start_s": 3.5},
            ],
        }
    ],
    "transitions": [{"from_clip": "intro", "to_clip": "main", "duration_s": 0.5}],
    "overlays": [{"id": "title", "text": "Hello", "start_s": 0.0, "end_s": 2.0}],
    "output": {"fps": 25},
}


_NO_SOUND_CHANGE: dict[str, JsonValue] = {"gain_db": 0.0, "fade_in_s": 0.0, "fade_out_s": 0.0, "curve": "tri"}


def _clip_out(
    clip_id: str, uri: str, source_in_s: float, source_out_s: float, start_s: float
) -> dict[str, JsonValue]:
    """A clip as the tools return it: every default spelled out."""
    return {
        "id": clip_id,
        "uri": uri,
        "source_in_s": source_in_s,
        "source_out_s": source_out_s,
        "start_s": start_s,
        "speed": 1.0,
        "volume": 1.0,
        "automation": {"lanes": [], "camera": []},
        "sound": _NO_SOUND_CHANGE,
        **_CLIP_PICTURE_DEFAULTS,
    }


# The picture fields every clip, track and output echoes (muscles.video.timeline.editing).
_CLIP_PICTURE_DEFAULTS: dict[str, JsonValue] = {
    "duration_s": None,
    "fade_in": None,
    "fade_out": None,
    "layout": None,
    "grade": None,
}
_OUTPUT_PICTURE_DEFAULTS: dict[str, JsonValue] = {"aspect": None, "fit": "pad", "grade": None}


SPLIT_RESPONSE: dict[str, JsonValue] = {
    "tracks": [
        {
            "id": "video",
            "kind": "video",
            "clips": [
                _clip_out("intro", _CLIP_A, 0.0, 4.0, 0.0),
                _clip_out("main", _CLIP_B, 1.0, 2.5, 3.5),
                _clip_out("main_2", _CLIP_B, 2.5, 7.0, 5.0),
            ],
            "volume": 1.0,
            "muted": False,
            "role": None,
            "hidden": False,
        }
    ],
    "transitions": [
        {
            "kind": "crossfade",
            "from_clip": "intro",
            "to_clip": "main",
            "duration_s": 0.5,
            "transition": "fade",
            "audio_curve": "tri",
        }
    ],
    "overlays": [
        {
            "id": "title",
            "text": "Hello",
            "start_s": 0.0,
            "end_s": 2.0,
            "position": "bottom",
            "font_size": 32,
            "color": "white",
            "box": True,
        }
    ],
    "captions": [],
    "audio": {"master_volume": 1.0, "sample_rate": 48000, "ducking": [], "loudness": None},
    "output": {
        "video_codec": "libx264",
        "crf": 20,
        "preset": "veryfast",
        "width": None,
        "height": None,
        "fps": 25.0,
        "audio_codec": "aac",
        "audio_bitrate": "128k",
        "proxy": False,
        "allow_stream_copy": True,
        **_OUTPUT_PICTURE_DEFAULTS,
    },
}
DESCRIBE_RESPONSE: dict[str, JsonValue] = {
    "duration_s": 9.5,
    "fps": 25.0,
    "frame_count": 238,
    "track_count": 1,
    "clip_count": 2,
    "transition_count": 1,
    "overlay_count": 1,
    "layer_count": 0,
    "output_width": 160,
    "output_height": 120,
    "tracks": [
        {
            "track_id": "video",
            "kind": "video",
            "role": "base",
            "layer": None,
            "clip_count": 2,
            "end_s": 9.5,
            "muted": False,
            "hidden": False,
        }
    ],
    "clips": [
        {"clip_id": "intro", "track_id": "video", "start_s": 0.0, "end_s": 4.0},
        {"clip_id": "main", "track_id": "video", "start_s": 3.5, "end_s": 9.5},
    ],
    "audio_tracks": [],
    "caption_track_count": 0,
    "loudness_target_lufs": None,
}


SPLIT = ToolExample(
    title="Cut the main clip at 5 s",
    request={"timeline": EXAMPLE_TIMELINE, "at_s": 5.0},
    response=SPLIT_RESPONSE,
)
DESCRIBE = ToolExample(
    title="Duration and frames",
    request={"timeline": EXAMPLE_TIMELINE},
    response=DESCRIBE_RESPONSE,
)


VALIDATE_OK = ToolExample(
    title="A timeline whose clips fit their stored media",
    request={"timeline": EXAMPLE_TIMELINE},
    response={"valid": True, "issues": [], "duration_s": 9.5, "frame_count": 238},
)
_TOO_LONG: dict[str, JsonValue] = {
    "tracks": [
        {
            "id": "video",
            "clips": [
                {"id": "intro", "uri": _CLIP_A, "source_in_s": 3.0, "source_out_s": 9.0},
                {"id": "gone", "uri": _GONE, "source_out_s": 2.0, "start_s": 6.0},
            ],
        }
    ]
}
VALIDATE_PROBLEMS = ToolExample(
    title="Every problem, named by clip and field",
    request={"timeline": _TOO_LONG},
    response={
        "valid": False,
        "issues": [
            {
                "code": "timeline_invalid",
                "clip_id": "intro",
                "field": "source_out_s",
                "message": "clip intro: source_out_s 9.0 is past the end of the media (4.0 s)",
                "hint": "Use an out point of at most 4.0, or leave it unset for the end of the media.",
            },
            {
                "code": "asset_not_found",
                "clip_id": "gone",
                "field": "uri",
                "message": "clip gone: no such asset for this tenant",
                "hint": "Register the file with media_v2 first (list_assets shows what is stored).",
            },
        ],
        "duration_s": None,
        "frame_count": None,
    },
)
_ONE_CLIP: dict[str, JsonValue] = {
    "tracks": [{"id": "video", "clips": [{"id": "intro", "uri": _CLIP_A, "source_out_s": 4.0}]}]
}
APPLY_AUTOMATION = ToolExample(
    title="Fade the intro's sound in over its first second",
    request={
        "timeline": _ONE_CLIP,
        "automation": {
            "clip_id": "intro",
            "lanes": [
                {
                    "parameter": "volume",
                    "keyframes": [
                        {"time_s": 0.0, "value": 0.0},
                        {"time_s": 1.0, "value": 1.0, "interpolation": "ease_in_out"},
                    ],
                }
            ],
        },
    },
    response={
        "tracks": [
            {
                "id": "video",
                "kind": "video",
                "clips": [
                    {
                        "id": "intro",
                        "uri": _CLIP_A,
                        "source_in_s": 0.0,
                        "source_out_s": 4.0,
                        "start_s": 0.0,
                        "speed": 1.0,
                        "volume": 1.0,
                        "automation": {
                            "lanes": [
                                {
                                    "parameter": "volume",
                                    "keyframes": [
                                        {"time_s": 0.0, "value": 0.0, "interpolation": "linear"},
                                        {"time_s": 1.0, "value": 1.0, "interpolation": "ease_in_out"},
                                    ],
                                }
                            ],
                            "camera": [],
                        },
                        "sound": _NO_SOUND_CHANGE,
                        **_CLIP_PICTURE_DEFAULTS,
                    }
                ],
                "volume": 1.0,
                "muted": False,
                "role": None,
                "hidden": False,
            }
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
            **_OUTPUT_PICTURE_DEFAULTS,
        },
    },
)

# An editor's timeline: a wipe, a still-free Ken Burns push on the main clip, a colour
# lower third and a picture-in-picture layer (half opacity), graded, reframed to 9:16.
EDITED_TIMELINE: dict[str, JsonValue] = {
    "tracks": [
        {
            "id": "video",
            "clips": [
                {
                    "id": "intro",
                    "uri": _CLIP_A,
                    "source_out_s": 4.0,
                    "fade_in": {"duration_s": 0.5, "color": "black"},
                },
                {
                    "id": "main",
                    "uri": _CLIP_B,
                    "source_in_s": 1.0,
                    "source_out_s": 7.0,
                    "start_s": 3.5,
                    "automation": {
                        "lanes": [
                            {
                                "parameter": "scale",
                                "keyframes": [{"time_s": 0.0, "value": 1.0}, {"time_s": 6.0, "value": 1.5}],
                            },
                            {
                                "parameter": "position_x",
                                "keyframes": [{"time_s": 0.0, "value": 0.3}, {"time_s": 6.0, "value": 0.7}],
                            },
                        ]
                    },
                    "grade": {"saturation": 1.2, "temperature": 5600},
                },
            ],
        },
        {
            "id": "lower_third",
            "clips": [
                {
                    "id": "bar",
                    "uri": "color:#202060",
                    "duration_s": 3.0,
                    "start_s": 1.0,
                    "layout": {"x": 0.05, "y": 0.8, "width": 0.9, "height": 0.12, "opacity": 0.8},
                    "fade_in": {"duration_s": 0.3},
                    "fade_out": {"duration_s": 0.3},
                }
            ],
        },
        {
            "id": "pip",
            "muted": True,
            "clips": [
                {
                    "id": "inset",
                    "uri": _CLIP_A,
                    "source_out_s": 3.0,
                    "start_s": 5.0,
                    "layout": {"x": 0.6, "y": 0.05, "width": 0.35, "opacity": 0.5},
                }
            ],
        },
    ],
    "transitions": [
        {
            "from_clip": "intro",
            "to_clip": "main",
            "duration_s": 0.5,
            "transition": "wipeleft",
            "audio_curve": "qsin",
        }
    ],
    "output": {"fps": 25, "aspect": "9:16", "fit": "blur"},
}
DESCRIBE_EDITED = ToolExample(
    title="Layers, transitions, Ken Burns, grade and a 9:16 reframe",
    request={"timeline": EDITED_TIMELINE},
    response={
        "duration_s": 9.5,
        "fps": 25.0,
        "frame_count": 238,
        "track_count": 3,
        "clip_count": 4,
        "transition_count": 1,
        "overlay_count": 0,
        "layer_count": 2,
        "output_width": 68,
        "output_height": 120,
        "tracks": [
            {
                "track_id": "video",
                "kind": "video",
                "role": "base",
                "layer": None,
                "clip_count": 2,
                "end_s": 9.5,
                "muted": False,
                "hidden": False,
            },
            {
                "track_id": "lower_third",
                "kind": "video",
                "role": "layer",
                "layer": 1,
                "clip_count": 1,
                "end_s": 4.0,
                "muted": False,
                "hidden": False,
            },
            {
                "track_id": "pip",
                "kind": "video",
                "role": "layer",
                "layer": 2,
                "clip_count": 1,
                "end_s": 8.0,
                "muted": True,
                "hidden": False,
            },
        ],
        "clips": [
            {"clip_id": "intro", "track_id": "video", "start_s": 0.0, "end_s": 4.0},
            {"clip_id": "main", "track_id": "video", "start_s": 3.5, "end_s": 9.5},
            {"clip_id": "bar", "track_id": "lower_third", "start_s": 1.0, "end_s": 4.0},
            {"clip_id": "inset", "track_id": "pip", "start_s": 5.0, "end_s": 8.0},
        ],
        "audio_tracks": [],
        "caption_track_count": 0,
        "loudness_target_lufs": None,
    },
)
