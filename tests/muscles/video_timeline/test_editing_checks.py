"""The picture features validated: every bad value named by its clip (or transition) and field;
describe reports the tracks, the layers in order, the output size and the final duration."""

from __future__ import annotations

from typing import Any

from core.media import MediaInfo
from muscles.video.timeline import Timeline, describe, find_issues

A = "atoms://media/0123456789abcdef0123456789abcdef/a.mp4"
PNG = "atoms://media/00112233445566778899aabbccddeeff/poster.png"
LUT = "atoms://media/ffeeddccbbaa99887766554433221100/look.cube"
FACTS = {
    A: MediaInfo("mov", duration_s=4.0, has_video=True, has_audio=True, width=320, height=180, fps=25.0),
    PNG: MediaInfo("png_pipe", duration_s=None, has_video=True, has_audio=False, width=640, height=360),
}


def _where(timeline: dict[str, Any]) -> set[tuple[str | None, str]]:
    return {(issue.clip_id, issue.field) for issue in find_issues(Timeline.model_validate(timeline), FACTS)}


def test_a_well_formed_edit_has_no_issues_and_describe_reports_its_tracks_and_layers() -> None:
    timeline = {
        "tracks": [
            {
                "id": "base",
                "clips": [
                    {
                        "id": "a",
                        "uri": A,
                        "source_out_s": 2.0,
                        "fade_in": {"duration_s": 0.5, "color": "white"},
                    },
                    {"id": "poster", "uri": PNG, "duration_s": 3.0, "start_s": 1.5, "grade": {"lut": LUT}},
                ],
            },
            {
                "id": "pip",
                "hidden": True,
                "clips": [
                    {
                        "id": "inset",
                        "uri": A,
                        "start_s": 1.0,
                        "source_out_s": 1.0,
                        "layout": {"x": 0.6, "y": 0.1, "width": 0.3, "opacity": 0.5},
                        "automation": {
                            "lanes": [{"parameter": "rotation", "keyframes": [{"time_s": 0, "value": 10}]}]
                        },
                    }
                ],
            },
            {
                "id": "bar",
                "clips": [{"id": "third", "uri": "color:#203040@0.8", "duration_s": 5.0, "start_s": 0.5}],
            },
        ],
        "transitions": [
            {
                "from_clip": "a",
                "to_clip": "poster",
                "duration_s": 0.5,
                "transition": "circleopen",
                "audio_curve": "exp",
            }
        ],
        "output": {"aspect": "4:5", "fit": "blur"},
    }
    assert _where(timeline) == set()
    described = describe(Timeline.model_validate(timeline), FACTS)
    assert described.duration_s == 5.5 and described.frame_count == 138
    assert described.layer_count == 2 and (described.output_width, described.output_height) == (144, 180)
    roles = [
        (track.track_id, track.role, track.layer, track.hidden, track.end_s) for track in described.tracks
    ]
    assert roles == [
        ("base", "base", None, False, 4.5),
        ("pip", "layer", 1, True, 2.0),
        ("bar", "layer", 2, False, 5.5),
    ]


def test_every_bad_picture_field_is_named_by_clip_and_field() -> None:
    timeline = {
        "tracks": [
            {
                "id": "base",
                "clips": [
                    {
                        "id": "a",
                        "uri": A,
                        "source_out_s": 2.0,
                        "duration_s": 2.0,
                        "fade_in": {"duration_s": 1.5, "color": "not a colour"},
                        "fade_out": {"duration_s": 1.0},
                        "grade": {"exposure": 9, "saturation": -1, "lut": "look.cube"},
                        "automation": {
                            "lanes": [{"parameter": "opacity", "keyframes": [{"time_s": 0, "value": 2}]}]
                        },
                    },
                    {"id": "poster", "uri": PNG, "start_s": 2.0},
                    {"id": "paint", "uri": "color:notacolour!", "duration_s": -1, "start_s": 2.0},
                ],
            },
            {
                "id": "pip",
                "clips": [
                    {"id": "inset", "uri": A, "source_out_s": 1.0, "layout": {"width": 0, "opacity": 3}}
                ],
            },
            {"id": "music", "kind": "audio", "clips": [{"id": "m", "uri": A, "layout": {}}]},
        ],
        "transitions": [
            {
                "from_clip": "inset",
                "to_clip": "a",
                "duration_s": 0.5,
                "transition": "spin",
                "audio_curve": "wobble",
            }
        ],
        "output": {"aspect": "3:2", "width": 640, "height": 360, "grade": {"temperature": 100}},
    }
    found = _where(timeline)
    expected = {
        ("a", "duration_s"),  # a video clip ends by source_out_s
        ("a", "source_out_s"),  # not both
        ("a", "fade_in.color"),
        ("a", "fade_out.duration_s"),  # the fades outlast the clip
        ("a", "grade.exposure"),
        ("a", "grade.saturation"),
        ("a", "grade.lut"),
        ("a", "automation.opacity"),
        ("poster", "duration_s"),  # a still needs one
        ("paint", "uri"),
        ("paint", "duration_s"),
        ("inset", "layout.width"),
        ("inset", "layout.opacity"),
        ("m", "layout"),  # no picture on an audio track
        ("transitions[0]", "transition"),
        ("transitions[0]", "audio_curve"),
        ("transitions[0]", "from_clip"),  # crossfades join base-track clips
        (None, "output.aspect"),
        (None, "output.grade.temperature"),
    }
    assert expected <= found, expected - found
    messages = {issue.field: issue.message for issue in find_issues(Timeline.model_validate(timeline), FACTS)}
    assert "spin" in messages["transition"] and "clip a:" in messages["grade.exposure"]


def test_old_single_track_timelines_stay_valid_and_unchanged() -> None:
    old = {"tracks": [{"id": "v", "clips": [{"id": "a", "uri": A, "source_out_s": 2.0}]}], "transitions": []}
    assert _where(old) == set()
    described = describe(Timeline.model_validate(old), FACTS)
    assert described.layer_count == 0 and [track.role for track in described.tracks] == ["base"]


def test_the_razor_cuts_a_still_by_duration_and_keeps_fades_at_the_ends() -> None:
    from muscles.video.timeline import split

    timeline = Timeline.model_validate(
        {
            "tracks": [
                {
                    "id": "v",
                    "clips": [
                        {
                            "id": "poster",
                            "uri": PNG,
                            "duration_s": 4.0,
                            "fade_in": {"duration_s": 0.5},
                            "fade_out": {"duration_s": 0.5, "color": "white"},
                        }
                    ],
                }
            ]
        }
    )
    cut = split(timeline, 1.5, None, FACTS)
    left, right = cut.tracks[0].clips
    assert (left.duration_s, right.duration_s, right.start_s, right.source_in_s) == (1.5, 2.5, 1.5, 0.0)
    assert left.fade_in is not None and left.fade_out is None
    assert right.fade_in is None and right.fade_out is not None and right.fade_out.color == "white"
    assert find_issues(cut, FACTS) == []
