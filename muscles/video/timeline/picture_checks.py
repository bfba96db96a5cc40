"""Checks of the picture features (:mod:`.editing`), each naming the clip and the field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from core.errors import InvalidInput
from core.media import MediaInfo, parse_media_uri
from muscles.video.timeline.editing import (
    ASPECTS,
    AUDIO_CURVES,
    TRANSFORM_PARAMETERS,
    TRANSITIONS,
    ColorGrade,
    color_of,
)
from muscles.video.timeline.facts import clip_end
from muscles.video.timeline.issues import COLOR, EPSILON_S, Issue, issue
from muscles.video.timeline.model import Clip, Crossfade, Timeline, Track

__all__ = ["clip_picture_issues", "crossfade_issues", "output_picture_issues"]

_GRADE_RANGES = {
    "exposure": (-3.0, 3.0),
    "contrast": (0.0, 3.0),
    "saturation": (0.0, 3.0),
    "temperature": (1000.0, 40000.0),
}


def crossfade_issues(name: str, fade: Crossfade) -> Iterator[Issue]:
    if fade.transition not in TRANSITIONS:
        yield issue(
            name,
            "transition",
            f"{fade.transition!r} is not a transition",
            "Use one of xfade's: " + ", ".join(sorted(TRANSITIONS)) + ".",
        )
    if fade.audio_curve not in AUDIO_CURVES:
        yield issue(
            name,
            "audio_curve",
            f"{fade.audio_curve!r} is not an acrossfade curve",
            "Use one of: " + ", ".join(sorted(AUDIO_CURVES)) + ".",
        )


def clip_picture_issues(clip: Clip, track: Track, facts: Mapping[str, MediaInfo] | None) -> Iterator[Issue]:
    yield from _source(clip, track, facts)
    known = facts or {}
    end = clip_end(clip, known)
    length = None if end is None else end - clip.start_s
    yield from _fades(clip, length)
    picture_fields = [
        name
        for name, value in (
            ("layout", clip.layout),
            ("grade", clip.grade),
        )
        if value is not None
    ]
    picture_fields += [
        f"automation.{lane.parameter}"
        for lane in clip.automation.lanes
        if lane.parameter in TRANSFORM_PARAMETERS
    ]
    if track.kind == "audio":
        for field in picture_fields:
            yield issue(
                clip.id, field, "a clip on an audio track has no picture to change", "Drop the field."
            )
        return
    if clip.layout is not None:
        yield from _layout(clip)
    yield from grade_issues(clip.id, "grade", clip.grade)


def _source(clip: Clip, track: Track, facts: Mapping[str, MediaInfo] | None) -> Iterator[Issue]:
    color = color_of(clip.uri)
    if color is not None and not COLOR.match(color):
        yield issue(
            clip.id,
            "uri",
            f"{color!r} is not a colour",
            "Use color:<name> or color:#RRGGBB, e.g. color:navy.",
        )
    if color is not None and track.kind == "audio":
        yield issue(clip.id, "uri", "a colour clip has no sound", "Put colour clips on a video track.")
    if clip.duration_s is not None and clip.duration_s <= 0:
        yield issue(
            clip.id, "duration_s", f"duration_s {clip.duration_s} is not positive", "Use seconds > 0."
        )
    found = None if facts is None else facts.get(clip.uri)
    still = color is not None or (found is not None and found.is_still)
    if still and clip.duration_s is None:
        yield issue(
            clip.id,
            "duration_s",
            "a still image or colour clip needs duration_s",
            "Set duration_s to the seconds it stays on screen.",
        )
    if clip.duration_s is not None and found is not None and not still:
        yield issue(
            clip.id,
            "duration_s",
            "duration_s is for still images and colour clips",
            "End a video or audio clip with source_out_s instead.",
        )
    if clip.duration_s is not None and clip.source_out_s is not None:
        yield issue(clip.id, "source_out_s", "a clip takes duration_s or source_out_s, not both", "Drop one.")


def _fades(clip: Clip, length: float | None) -> Iterator[Issue]:
    total = 0.0
    for field, fade in (("fade_in", clip.fade_in), ("fade_out", clip.fade_out)):
        if fade is None:
            continue
        total += fade.duration_s
        if fade.duration_s <= 0:
            yield issue(
                clip.id, f"{field}.duration_s", "a fade lasts more than 0 s", "Use a positive duration."
            )
        if not COLOR.match(fade.color):
            yield issue(
                clip.id, f"{field}.color", f"{fade.color!r} is not a colour", "Use a name or #RRGGBB."
            )
    if length is not None and total > length + EPSILON_S:
        yield issue(
            clip.id,
            "fade_out.duration_s" if clip.fade_out is not None else "fade_in.duration_s",
            f"the fades ({total:g} s) are longer than the clip ({length:.3f} s)",
            "Shorten the fades.",
        )


def _layout(clip: Clip) -> Iterator[Issue]:
    layout = clip.layout
    assert layout is not None
    for field, value, low, high in (
        ("x", layout.x, -1.0, 2.0),
        ("y", layout.y, -1.0, 2.0),
        ("opacity", layout.opacity, 0.0, 1.0),
    ):
        if not low <= value <= high:
            yield issue(
                clip.id,
                f"layout.{field}",
                f"{field} {value} is outside {low:g}..{high:g}",
                "Use a fraction of the frame.",
            )
    for field, size in (("width", layout.width), ("height", layout.height)):
        if size is not None and not 0 < size <= 4:
            yield issue(
                clip.id,
                f"layout.{field}",
                f"{field} {size} is outside (0, 4]",
                "Use a fraction of the output, e.g. 0.25.",
            )


def grade_issues(item_id: str | None, field: str, grade: ColorGrade | None) -> Iterator[Issue]:
    if grade is None:
        return
    for name, (low, high) in _GRADE_RANGES.items():
        value = getattr(grade, name)
        if not low <= value <= high:
            yield issue(
                item_id,
                f"{field}.{name}",
                f"{name} {value} is outside {low:g}..{high:g}",
                f"Use {low:g}..{high:g}.",
            )
    if grade.lut is not None:
        try:
            parse_media_uri(grade.lut)
        except InvalidInput:
            yield issue(
                item_id,
                f"{field}.lut",
                f"{grade.lut!r} is not a media_v2 uri",
                "Register the .cube file with media_v2 and use its uri.",
            )
        if not grade.lut.lower().endswith(".cube"):
            yield issue(item_id, f"{field}.lut", "a LUT is a .cube file", "Register a .cube 3D LUT.")


def output_picture_issues(timeline: Timeline) -> Iterator[Issue]:
    output = timeline.output
    if output.aspect is not None and output.aspect not in ASPECTS:
        yield issue(
            None, "output.aspect", f"{output.aspect!r} is not an aspect", "Use 16:9, 9:16, 1:1 or 4:5."
        )
    if output.aspect is not None and output.width is not None and output.height is not None:
        yield issue(
            None,
            "output.aspect",
            "aspect with both width and height set",
            "Give the height (or the width) only; the aspect sets the other.",
        )
    yield from grade_issues(None, "output.grade", output.grade)
