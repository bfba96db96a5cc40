"""Edits that return a new timeline: the razor split and applying an automation payload."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, TypeVar

from core.media import MediaInfo
from muscles.video.timeline.automation import camera_at, value_at
from muscles.video.timeline.errors import AutomationInvalid, SplitOutOfRange, UnknownClip
from muscles.video.timeline.facts import clip_end
from muscles.video.timeline.model import (
    AutomationPayload,
    CameraKey,
    Clip,
    ClipAutomation,
    Interpolation,
    Keyframe,
    ParameterLane,
    Timeline,
)
from muscles.video.timeline.validate import EPSILON_S

__all__ = ["apply_automation", "split"]

_Key = TypeVar("_Key", Keyframe, CameraKey)


def split(
    timeline: Timeline,
    at_s: float,
    clip_id: str | None = None,
    facts: Mapping[str, MediaInfo] | None = None,
) -> Timeline:
    """Cut ``clip_id`` (or, when None, every clip under ``at_s``) in two at timeline time ``at_s``.

    The left part keeps the id; the right part is ``<id>_2`` (or the next free number), takes
    over crossfades out of the clip, and gets the automation after the cut, re-timed to its start.
    """
    facts = facts or {}
    if clip_id is not None and clip_id not in {clip.id for clip in timeline.clips()}:
        raise UnknownClip(f"no clip {clip_id!r} on the timeline", value=clip_id)
    taken = {clip.id for clip in timeline.clips()}
    tracks = []
    moved: dict[str, str] = {}
    for track in timeline.tracks:
        clips: list[Clip] = []
        for clip in track.clips:
            if (clip_id is None or clip.id == clip_id) and _inside(clip, at_s, facts):
                _refuse_inside_fade(timeline, clip, at_s, facts)
                left, right = _cut(clip, at_s, _free_id(clip.id, taken))
                taken.add(right.id)
                moved[clip.id] = right.id
                clips += [left, right]
            else:
                clips.append(clip)
        tracks.append(track.model_copy(update={"clips": clips}))
    if not moved:
        target = f"clip {clip_id}" if clip_id else "any clip"
        raise SplitOutOfRange(f"{at_s} s is not strictly inside {target}", value=at_s)
    transitions = [
        fade.model_copy(update={"from_clip": moved.get(fade.from_clip, fade.from_clip)})
        for fade in timeline.transitions
    ]
    return timeline.model_copy(update={"tracks": tracks, "transitions": transitions})


def _inside(clip: Clip, at_s: float, facts: Mapping[str, MediaInfo]) -> bool:
    end = clip_end(clip, facts)
    return at_s > clip.start_s + EPSILON_S and (end is None or at_s < end - EPSILON_S)


def _refuse_inside_fade(timeline: Timeline, clip: Clip, at_s: float, facts: Mapping[str, MediaInfo]) -> None:
    end = clip_end(clip, facts)
    for fade in timeline.transitions:
        in_head = fade.to_clip == clip.id and at_s < clip.start_s + fade.duration_s + EPSILON_S
        in_tail = fade.from_clip == clip.id and end is not None and at_s > end - fade.duration_s - EPSILON_S
        if in_head or in_tail:
            raise SplitOutOfRange(
                f"{at_s} s falls inside the crossfade from {fade.from_clip} to {fade.to_clip}", value=at_s
            )


def _free_id(base: str, taken: set[str]) -> str:
    number = 2
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


def _cut(clip: Clip, at_s: float, right_id: str) -> tuple[Clip, Clip]:
    local = at_s - clip.start_s
    source_cut = clip.source_in_s + local * clip.speed
    left_auto, right_auto = _split_automation(clip.automation, local)
    # The fade in stays at the head, the fade out at the tail.
    left: dict[str, Any] = {"automation": left_auto, "fade_out": None}
    right: dict[str, Any] = {"id": right_id, "start_s": at_s, "automation": right_auto, "fade_in": None}
    if clip.duration_s is not None:
        # A still or colour clip has no source time to cut: each part keeps the picture.
        left["duration_s"], right["duration_s"] = local, clip.duration_s - local
    else:
        left["source_out_s"], right["source_in_s"] = source_cut, source_cut
    return clip.model_copy(update=left), clip.model_copy(update=right)


def _split_automation(automation: ClipAutomation, local: float) -> tuple[ClipAutomation, ClipAutomation]:
    left_lanes, right_lanes = [], []
    for lane in automation.lanes:
        boundary = Keyframe(
            time_s=local,
            value=value_at(lane.keyframes, local),
            interpolation=_interpolation_at(lane.keyframes, local),
        )
        before, after = _split_keys(lane.keyframes, boundary, local)
        left_lanes.append(lane.model_copy(update={"keyframes": before}))
        right_lanes.append(lane.model_copy(update={"keyframes": after}))
    left_camera: list[CameraKey] = []
    right_camera: list[CameraKey] = []
    if automation.camera:
        boundary_key = camera_at(automation.camera, local)
        left_camera, right_camera = _split_keys(automation.camera, boundary_key, local)
    return (
        ClipAutomation(lanes=left_lanes, camera=left_camera),
        ClipAutomation(lanes=right_lanes, camera=right_camera),
    )


def _interpolation_at(keys: list[Keyframe], local: float) -> Interpolation:
    current = [key for key in keys if key.time_s <= local]
    return current[-1].interpolation if current else keys[0].interpolation


def _split_keys(keys: list[_Key], boundary: _Key, local: float) -> tuple[list[_Key], list[_Key]]:
    """Keys before the cut plus the boundary; the boundary plus the keys after, re-timed."""
    before = [key for key in keys if key.time_s < local - EPSILON_S] + [boundary]
    after = [boundary.model_copy(update={"time_s": 0.0})] + [
        key.model_copy(update={"time_s": key.time_s - local})
        for key in keys
        if key.time_s > local + EPSILON_S
    ]
    return before, after


def apply_automation(timeline: Timeline, payload: AutomationPayload) -> Timeline:
    """Put ``payload``'s lanes (replacing lanes of the same parameter) and camera keys on its clip."""
    if payload.clip_id not in {clip.id for clip in timeline.clips()}:
        raise UnknownClip(f"no clip {payload.clip_id!r} on the timeline", value=payload.clip_id)
    _check_payload(payload)
    tracks = []
    for track in timeline.tracks:
        clips = [
            _with_automation(clip, payload) if clip.id == payload.clip_id else clip for clip in track.clips
        ]
        tracks.append(track.model_copy(update={"clips": clips}))
    return timeline.model_copy(update={"tracks": tracks})


def _with_automation(clip: Clip, payload: AutomationPayload) -> Clip:
    replaced = {lane.parameter for lane in payload.lanes}
    lanes = [lane for lane in clip.automation.lanes if lane.parameter not in replaced] + list(payload.lanes)
    camera = clip.automation.camera if payload.camera is None else list(payload.camera)
    automation = ClipAutomation(lanes=sorted(lanes, key=lambda lane: lane.parameter), camera=camera)
    return clip.model_copy(update={"automation": automation})


def _check_payload(payload: AutomationPayload) -> None:
    parameters = [lane.parameter for lane in payload.lanes]
    if len(parameters) != len(set(parameters)):
        raise AutomationInvalid("a parameter has more than one lane", value=",".join(parameters))
    for lane in payload.lanes:
        _check_times(lane, f"{payload.clip_id}.automation.{lane.parameter}")
    for key in payload.camera or []:
        for name in ("normal", "forward"):
            vector = getattr(key, name)
            if vector.x == vector.y == vector.z == 0:
                raise AutomationInvalid(
                    f"camera {name} at {key.time_s} s is the zero vector",
                    value=f"{payload.clip_id}.automation.camera.{name}",
                )
    times = [key.time_s for key in payload.camera or []]
    if any(t < 0 for t in times) or any(b <= a for a, b in itertools.pairwise(times)):
        raise AutomationInvalid(
            "camera key times must be >= 0 and strictly increasing",
            value=f"{payload.clip_id}.automation.camera",
        )


def _check_times(lane: ParameterLane, where: str) -> None:
    times = [key.time_s for key in lane.keyframes]
    if not times:
        raise AutomationInvalid("a lane needs at least one keyframe", value=where)
    if times[0] < 0 or any(b <= a for a, b in itertools.pairwise(times)):
        raise AutomationInvalid("keyframe times must be >= 0 and strictly increasing", value=where)
