"""The timeline model: validation names clip and field, razor split, automation, describe."""

from __future__ import annotations

from typing import Any

import pytest

import muscles.video.timeline
from core.media import MediaInfo
from muscles.video.timeline import (
    AutomationInvalid,
    AutomationPayload,
    SplitOutOfRange,
    Timeline,
    TimelineInvalid,
    UnknownClip,
    apply_automation,
    check,
    describe,
    find_issues,
    split,
    value_at,
)

A = "atoms://media/0123456789abcdef0123456789abcdef/a.mp4"
B = "atoms://media/fedcba9876543210fedcba9876543210/b.wav"
FACTS = {
    A: MediaInfo("mov", duration_s=4.0, has_video=True, has_audio=True, width=320, height=240, fps=25.0),
    B: MediaInfo("wav", duration_s=3.0, has_video=False, has_audio=True),
}


def _timeline(*clips: dict[str, Any], **extra: Any) -> Timeline:
    return Timeline.model_validate({"tracks": [{"id": "v", "clips": list(clips)}], **extra})


def _where(timeline: Timeline) -> list[tuple[str | None, str]]:
    return [(issue.clip_id, issue.field) for issue in find_issues(timeline, FACTS)]


def test_public_surface_is_deliberate() -> None:
    assert all(hasattr(muscles.video.timeline, name) for name in muscles.video.timeline.__all__)
    assert "Timeline" in muscles.video.timeline.__all__ and "check" in muscles.video.timeline.__all__


def test_a_crossfaded_timeline_is_valid_and_described() -> None:
    timeline = _timeline(
        {"id": "a", "uri": A, "source_out_s": 2.0},
        {"id": "b", "uri": A, "source_in_s": 1.0, "start_s": 1.5},
        transitions=[{"from_clip": "a", "to_clip": "b", "duration_s": 0.5}],
        output={"fps": 30},
    )
    assert find_issues(timeline, FACTS) == []
    description = describe(timeline, FACTS)
    assert (description.duration_s, description.frame_count, description.fps) == (4.5, 135, 30)


@pytest.mark.parametrize(
    ("clips", "where"),
    [
        ([{"id": "a", "uri": A, "source_in_s": -0.5}], ("a", "source_in_s")),
        ([{"id": "a", "uri": A, "source_in_s": 2.0, "source_out_s": 1.0}], ("a", "source_out_s")),
        ([{"id": "a", "uri": A, "source_out_s": 5.0}], ("a", "source_out_s")),
        ([{"id": "a", "uri": A, "source_in_s": 4.0}], ("a", "source_in_s")),
        ([{"id": "a", "uri": A, "speed": 9}], ("a", "speed")),
        ([{"id": "a", "uri": "clip.mp4"}], ("a", "uri")),
        ([{"id": "a", "uri": B}], ("a", "uri")),
        ([{"id": "a", "uri": A, "start_s": 1.0}], ("a", "start_s")),
        ([{"id": "a", "uri": A, "source_out_s": 2}, {"id": "b", "uri": A, "start_s": 1.0}], ("b", "start_s")),
        ([{"id": "a", "uri": A, "source_out_s": 2}, {"id": "b", "uri": A, "start_s": 2.5}], ("b", "start_s")),
        ([{"id": "a", "uri": A}, {"id": "a", "uri": A, "start_s": 4}], ("a", "id")),
    ],
    ids=[
        "negative_in",
        "reversed",
        "out_past_end",
        "in_past_end",
        "speed",
        "not_uri",
        "no_video",
        "gap_at_start",
        "overlap",
        "gap",
        "duplicate_id",
    ],
)
def test_each_problem_names_the_clip_and_field(clips: list[dict[str, Any]], where: tuple[str, str]) -> None:
    timeline = _timeline(*clips)
    assert where in _where(timeline)
    with pytest.raises(TimelineInvalid) as caught:
        check(timeline, FACTS)
    assert caught.value.code == "timeline_invalid" and caught.value.hint
    assert caught.value.details["issues"]


def test_slow_motion_speeds_down_to_a_twentieth_are_valid() -> None:
    # video_slowmo's 0.1x edit is a speed the timeline accepts; below 0.05 is refused.
    slow = _timeline({"id": "a", "uri": A, "source_out_s": 1.0, "speed": 0.1})
    assert find_issues(slow, FACTS) == []
    assert describe(slow, FACTS).duration_s == 10.0
    assert ("a", "speed") in _where(_timeline({"id": "a", "uri": A, "speed": 0.04}))


def test_unknown_assets_and_transition_refs_are_reported() -> None:
    missing = _timeline({"id": "a", "uri": "atoms://media/00000000000000000000000000000000/x.mp4"})
    assert [i.code for i in find_issues(missing, FACTS)] == ["asset_not_found"]
    bad_ref = _timeline(
        {"id": "a", "uri": A}, transitions=[{"from_clip": "a", "to_clip": "zz", "duration_s": 1}]
    )
    assert ("transitions[0]", "to_clip") in _where(bad_ref)
    wrong_overlap = _timeline(
        {"id": "a", "uri": A, "source_out_s": 2.0},
        {"id": "b", "uri": A, "start_s": 1.0},
        transitions=[{"from_clip": "a", "to_clip": "b", "duration_s": 0.5}],
    )
    assert ("b", "start_s") in _where(wrong_overlap)


def test_razor_splits_every_clip_under_the_time_and_keeps_automation_continuous() -> None:
    timeline = Timeline.model_validate(
        {
            "tracks": [
                {
                    "id": "v",
                    "clips": [
                        {
                            "id": "a",
                            "uri": A,
                            "source_in_s": 1.0,
                            "speed": 2.0,
                            "automation": {
                                "lanes": [
                                    {
                                        "parameter": "volume",
                                        "keyframes": [{"time_s": 0, "value": 0}, {"time_s": 1, "value": 1}],
                                    }
                                ]
                            },
                        }
                    ],
                },
                {"id": "m", "kind": "audio", "clips": [{"id": "m", "uri": B}]},
            ]
        }
    )
    result = split(timeline, 0.5, facts=FACTS)
    left, right = result.tracks[0].clips
    assert (left.source_out_s, right.source_in_s, right.start_s, right.id) == (2.0, 2.0, 0.5, "a_2")
    assert value_at(left.automation.lanes[0].keyframes, 0.5) == 0.5
    assert [k.time_s for k in right.automation.lanes[0].keyframes] == [0.0, 0.5]
    assert right.automation.lanes[0].keyframes[0].value == 0.5
    assert [c.id for c in result.tracks[1].clips] == ["m", "m_2"]
    assert find_issues(result, FACTS) == []
    assert describe(result, FACTS).duration_s == describe(timeline, FACTS).duration_s


def test_split_refuses_times_outside_clips_unknown_clips_and_crossfades() -> None:
    timeline = _timeline(
        {"id": "a", "uri": A, "source_out_s": 2.0},
        {"id": "b", "uri": A, "start_s": 1.5},
        transitions=[{"from_clip": "a", "to_clip": "b", "duration_s": 0.5}],
    )
    with pytest.raises(SplitOutOfRange):
        split(timeline, 9.0, facts=FACTS)
    with pytest.raises(SplitOutOfRange):
        split(timeline, 1.7, "a", facts=FACTS)
    with pytest.raises(UnknownClip):
        split(timeline, 1.0, "nope", facts=FACTS)
    moved = split(timeline, 1.0, "a", facts=FACTS)
    assert moved.transitions[0].from_clip == "a_2"


def test_apply_automation_replaces_lanes_and_checks_keys() -> None:
    timeline = _timeline({"id": "a", "uri": A})
    camera = {
        "time_s": 0,
        "position": {"x": 0, "y": 0, "z": 0},
        "normal": {"x": 0, "y": 0, "z": 1},
        "forward": {"x": 1, "y": 0, "z": 0},
    }
    payload = AutomationPayload.model_validate(
        {
            "clip_id": "a",
            "lanes": [{"parameter": "volume", "keyframes": [{"time_s": 0, "value": 0.5}]}],
            "camera": [camera],
        }
    )
    applied = apply_automation(timeline, payload)
    automation = applied.tracks[0].clips[0].automation
    assert automation.lanes[0].keyframes[0].value == 0.5 and automation.camera[0].normal.z == 1
    unsorted = {
        "clip_id": "a",
        "lanes": [
            {"parameter": "volume", "keyframes": [{"time_s": 1, "value": 1}, {"time_s": 0, "value": 0}]}
        ],
    }
    with pytest.raises(AutomationInvalid):
        apply_automation(timeline, AutomationPayload.model_validate(unsorted))
    zero = dict(camera, normal={"x": 0, "y": 0, "z": 0})
    with pytest.raises(AutomationInvalid):
        apply_automation(timeline, AutomationPayload.model_validate({"clip_id": "a", "camera": [zero]}))
    with pytest.raises(UnknownClip):
        apply_automation(timeline, AutomationPayload(clip_id="zz"))
