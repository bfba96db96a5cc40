"""video_timeline's examples of the sound and caption fields (ducking, fades, a loudness target,
a caption track with word timings), proven like the others by tests/muscles/test_examples.py."""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

_CLIP_A = "atoms://media/993fd61168575b552a1a015d67b198d4/intro.mp4"
_TONE = "atoms://media/1dd29ffa8bafa67bac25fac193eeb912/tone.wav"
# The transcriber's srt MediaRef (describe and validate do not read it; render does).
_SRT = "atoms://media/5b1d0f3c2a4e6f708192a3b4c5d6e7f8/intro.srt"
MIX_TIMELINE: dict[str, JsonValue] = {
    "tracks": [
        {"id": "voice", "role": "voice", "clips": [{"id": "talk", "uri": _CLIP_A, "source_out_s": 4.0}]},
        {
            "id": "bed",
            "kind": "audio",
            "role": "music",
            "clips": [
                {
                    "id": "song",
                    "uri": _TONE,
                    "start_s": 0.5,
                    "sound": {"gain_db": -6.0, "fade_in_s": 0.2, "fade_out_s": 0.3},
                }
            ],
        },
    ],
    "captions": [
        {
            "id": "subs",
            "uri": _SRT,
            "words": [
                {"word": " Hello", "start": 0.2, "end": 0.6},
                {"word": " there", "start": 0.7, "end": 1.1},
            ],
            "style": {"size_px": 28, "highlight_color": "#FFD400", "position": "bottom", "max_lines": 2},
        }
    ],
    "audio": {
        "ducking": [{"music_track": "bed", "voice_track": "voice", "depth_db": 12.0}],
        "loudness": {"integrated_lufs": -16.0, "true_peak_db": -1.0},
    },
    "output": {"fps": 25},
}
DESCRIBE_MIX = ToolExample(
    title="A music bed ducked 12 dB under the voice, captions, a -16 LUFS target",
    request={"timeline": MIX_TIMELINE},
    response={
        "duration_s": 4.0,
        "fps": 25.0,
        "frame_count": 100,
        "track_count": 2,
        "clip_count": 2,
        "transition_count": 0,
        "overlay_count": 0,
        "layer_count": 0,
        "output_width": 160,
        "output_height": 120,
        "tracks": [
            {
                "track_id": "voice",
                "kind": "video",
                "role": "base",
                "layer": None,
                "clip_count": 1,
                "end_s": 4.0,
                "muted": False,
                "hidden": False,
            },
            {
                "track_id": "bed",
                "kind": "audio",
                "role": "audio",
                "layer": None,
                "clip_count": 1,
                "end_s": 1.5,
                "muted": False,
                "hidden": False,
            },
        ],
        "clips": [
            {"clip_id": "talk", "track_id": "voice", "start_s": 0.0, "end_s": 4.0},
            {"clip_id": "song", "track_id": "bed", "start_s": 0.5, "end_s": 1.5},
        ],
        "audio_tracks": [
            {
                "track_id": "bed",
                "role": "music",
                "clip_count": 1,
                "start_s": 0.5,
                "end_s": 1.5,
                "muted": False,
                "ducked_under": ["voice -12 dB"],
            }
        ],
        "caption_track_count": 1,
        "loudness_target_lufs": -16.0,
    },
)
_BAD_MIX: dict[str, JsonValue] = {
    "tracks": [
        {"id": "voice", "clips": [{"id": "talk", "uri": _CLIP_A, "source_out_s": 4.0}]},
        {
            "id": "bed",
            "kind": "audio",
            "clips": [{"id": "song", "uri": _TONE, "sound": {"fade_in_s": 0.8, "fade_out_s": 0.5}}],
        },
    ],
    "captions": [{"id": "subs", "uri": _SRT, "style": {"color": "bright", "max_lines": 6}}],
    "audio": {"ducking": [{"music_track": "bed", "voice_track": "narration", "depth_db": 12.0}]},
}
VALIDATE_MIX_PROBLEMS = ToolExample(
    title="Sound and caption fields, each problem named by clip or track and field",
    request={"timeline": _BAD_MIX},
    response={
        "valid": False,
        "issues": [
            {
                "code": "timeline_invalid",
                "clip_id": "song",
                "field": "sound.fade_out_s",
                "message": "clip song: fade_in_s + fade_out_s (1.3 s) exceed the clip (1.000 s)",
                "hint": "Shorten the fades so both fit in the clip.",
            },
            {
                "code": "timeline_invalid",
                "clip_id": None,
                "field": "audio.ducking[0].voice_track",
                "message": "'narration' is not a track of the timeline",
                "hint": "Name the track that holds the voice.",
            },
            {
                "code": "timeline_invalid",
                "clip_id": "subs",
                "field": "style.color",
                "message": "caption track subs: 'bright' is not a colour",
                "hint": "Use #RRGGBB, optionally @alpha: #000000@0.5.",
            },
            {
                "code": "timeline_invalid",
                "clip_id": "subs",
                "field": "style.max_lines",
                "message": "caption track subs: max_lines 6 is outside 1..4",
                "hint": "Use 1..4.",
            },
        ],
        "duration_s": None,
        "frame_count": None,
    },
)
