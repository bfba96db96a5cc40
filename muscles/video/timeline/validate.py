"""Every problem of a timeline, each naming the clip (or overlay, transition) and the field.

:func:`find_issues` lists them all (the validate tool reports them together); :func:`check`
raises the first as a coded error, the way render refuses a timeline before any work starts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Final

from core.errors import AssetNotFound, AtomsError, InvalidInput, MediaUnreadable
from core.media import MediaInfo, parse_media_uri
from muscles.video.timeline.captions_check import caption_issues
from muscles.video.timeline.editing import TRANSFORM_PARAMETERS, color_facts, color_of
from muscles.video.timeline.errors import TimelineInvalid, where
from muscles.video.timeline.facts import clip_end
from muscles.video.timeline.issues import COLOR, EPSILON_S, Issue, issue
from muscles.video.timeline.model import Clip, ClipAutomation, Timeline, Track
from muscles.video.timeline.picture_checks import clip_picture_issues, crossfade_issues, output_picture_issues
from muscles.video.timeline.validate_sound import sound_issues

__all__ = ["EPSILON_S", "Issue", "check", "find_issues", "issue_error"]

# Down to 0.05 so a 0.1x slow motion (video_slowmo) is a speed the timeline accepts.
MIN_SPEED, MAX_SPEED = 0.05, 4.0
MAX_GAIN = 10.0
MAX_SCALE = 10.0
_PARAMETER_RANGE: Final = {
    "volume": (0.0, MAX_GAIN),
    "brightness": (-1.0, 1.0),
    "scale": (1.0, MAX_SCALE),
    "position_x": (0.0, 1.0),
    "position_y": (0.0, 1.0),
    **TRANSFORM_PARAMETERS,
}


_issue = issue


def issue_error(issue: Issue) -> AtomsError:
    """The coded error for ``issue`` (an unknown asset stays asset_not_found, and so on)."""
    details = {"clip_id": issue.clip_id, "field": issue.field}
    value = where(issue.clip_id, issue.field)
    if issue.code == AssetNotFound.code:
        return AssetNotFound(issue.message, value=value, hint=issue.hint, details=details)
    if issue.code == MediaUnreadable.code:
        return MediaUnreadable(issue.message, value=value, hint=issue.hint, details=details)
    return TimelineInvalid(issue.message, item_id=issue.clip_id, field=issue.field, hint=issue.hint)


def check(timeline: Timeline, facts: Mapping[str, MediaInfo] | None = None) -> None:
    """Raise the first issue of ``timeline`` as a coded error; all issues go in its details."""
    issues = find_issues(timeline, facts)
    if issues:
        error = issue_error(issues[0])
        error.details["issues"] = [issue.model_dump() for issue in issues]
        raise error


def find_issues(timeline: Timeline, facts: Mapping[str, MediaInfo] | None = None) -> list[Issue]:
    """All problems; ``facts`` (uri -> media) adds the checks against the probed media."""
    return list(_all_issues(timeline, facts))


def _all_issues(timeline: Timeline, facts: Mapping[str, MediaInfo] | None) -> Iterator[Issue]:
    yield from _structure(timeline)
    for track in timeline.tracks:
        for clip in track.clips:
            yield from _clip_fields(clip)
            if facts is not None:
                yield from _against_media(clip, track, facts)
            yield from _automation(clip, facts or {})
            yield from clip_picture_issues(clip, track, facts)
    known = facts or {}
    for track in timeline.tracks:
        yield from _placement(track, timeline, known)
    yield from _transitions(timeline, known)
    yield from _overlays(timeline)
    yield from _output(timeline)
    yield from output_picture_issues(timeline)
    yield from sound_issues(timeline, known)
    yield from caption_issues(timeline)


def _structure(timeline: Timeline) -> Iterator[Issue]:
    if not any(track.clips for track in timeline.tracks):
        yield _issue(None, "tracks", "the timeline holds no clips", "Add at least one clip to a track.")
    seen: set[str] = set()
    for track in timeline.tracks:
        if track.id in seen:
            yield _issue(track.id, "id", "track id is used twice", "Give every track its own id.")
        seen.add(track.id)
    seen_clips: set[str] = set()
    for clip in timeline.clips():
        if clip.id in seen_clips:
            yield _issue(clip.id, "id", "clip id is used twice", "Give every clip its own id.")
        seen_clips.add(clip.id)
    for track in timeline.tracks:
        if not 0 <= track.volume <= MAX_GAIN:
            yield _issue(track.id, "volume", f"track volume {track.volume} is outside 0..10", "Use 0..10.")


def _clip_fields(clip: Clip) -> Iterator[Issue]:
    try:
        if color_of(clip.uri) is None:
            parse_media_uri(clip.uri)
    except InvalidInput:
        yield _issue(
            clip.id,
            "uri",
            f"{clip.uri!r} is not a media_v2 uri",
            "Register the file with media_v2 and use the uri of the MediaRef it returns.",
        )
    if clip.source_in_s < 0:
        yield _issue(
            clip.id, "source_in_s", f"source_in_s {clip.source_in_s} is negative", "In points start at 0."
        )
    if clip.source_out_s is not None and clip.source_out_s <= clip.source_in_s + EPSILON_S:
        yield _issue(
            clip.id,
            "source_out_s",
            f"source_out_s {clip.source_out_s} is not after source_in_s {clip.source_in_s}",
            "The out point must come after the in point; swap them or leave source_out_s unset.",
        )
    if clip.start_s < 0:
        yield _issue(clip.id, "start_s", f"start_s {clip.start_s} is negative", "Timeline time starts at 0.")
    if not MIN_SPEED <= clip.speed <= MAX_SPEED:
        yield _issue(
            clip.id, "speed", f"speed {clip.speed} is outside 0.05..4", "Use a speed from 0.05 to 4."
        )
    if not 0 <= clip.volume <= MAX_GAIN:
        yield _issue(clip.id, "volume", f"volume {clip.volume} is outside 0..10", "Use a gain from 0 to 10.")


def _against_media(clip: Clip, track: Track, facts: Mapping[str, MediaInfo]) -> Iterator[Issue]:
    found = facts.get(clip.uri) or (color_facts() if color_of(clip.uri) is not None else None)
    if found is None:
        yield _issue(
            clip.id,
            "uri",
            "no such asset for this tenant",
            "Register the file with media_v2 first (list_assets shows what is stored).",
            code=AssetNotFound.code,
        )
        return
    if not found.is_media:
        yield _issue(
            clip.id,
            "uri",
            "the asset is not decodable audio or video (a text file, or a truncated or corrupt file)",
            "Re-export or re-upload the media and register it again.",
            code=MediaUnreadable.code,
        )
        return
    if track.kind == "video" and not (found.is_video or found.is_still or color_of(clip.uri)):
        yield _issue(
            clip.id,
            "uri",
            "the asset has no video stream but sits on the video track",
            "Move sound-only clips to an audio track.",
        )
    if track.kind == "audio" and not found.has_audio:
        yield _issue(clip.id, "uri", "the asset has no audio stream", "Audio tracks take clips with sound.")
    duration = found.duration_s
    if duration is None:
        return
    if clip.source_in_s >= duration - EPSILON_S:
        yield _issue(
            clip.id,
            "source_in_s",
            f"source_in_s {clip.source_in_s} is at or past the end of the media ({duration} s)",
            f"Use an in point below {duration}.",
        )
    if clip.source_out_s is not None and clip.source_out_s > duration + EPSILON_S:
        yield _issue(
            clip.id,
            "source_out_s",
            f"source_out_s {clip.source_out_s} is past the end of the media ({duration} s)",
            f"Use an out point of at most {duration}, or leave it unset for the end of the media.",
        )


def _automation(clip: Clip, facts: Mapping[str, MediaInfo]) -> Iterator[Issue]:
    automation: ClipAutomation = clip.automation
    end = clip_end(clip, facts)
    length = None if end is None else end - clip.start_s
    for lane in automation.lanes:
        field = f"automation.{lane.parameter}"
        low, high = _PARAMETER_RANGE[lane.parameter]
        times = [key.time_s for key in lane.keyframes]
        if not lane.keyframes:
            yield _issue(
                clip.id, field, "the lane has no keyframes", "Send at least one keyframe or drop the lane."
            )
        if any(b <= a for a, b in itertools.pairwise(times)):
            yield _issue(
                clip.id, field, "keyframe times are not strictly increasing", "Sort the keys by time."
            )
        if any(t < 0 or (length is not None and t > length + EPSILON_S) for t in times):
            yield _issue(
                clip.id,
                field,
                "a keyframe lies outside the clip",
                "Keyframe times are seconds from the clip's start on the timeline, 0..its duration.",
            )
        if any(not low <= key.value <= high for key in lane.keyframes):
            yield _issue(
                clip.id, field, f"a {lane.parameter} value is outside {low}..{high}", "Clamp the values."
            )
    camera_times = [key.time_s for key in automation.camera]
    if any(b <= a for a, b in itertools.pairwise(camera_times)):
        yield _issue(
            clip.id, "automation.camera", "camera key times are not strictly increasing", "Sort them."
        )


def _placement(track: Track, timeline: Timeline, facts: Mapping[str, MediaInfo]) -> Iterator[Issue]:
    """Overlaps on any track; gaps on the video track (the renderer fills none)."""
    fades = {(t.from_clip, t.to_clip): t.duration_s for t in timeline.transitions}
    ordered = sorted(track.clips, key=lambda clip: clip.start_s)
    base = track is timeline.video_track()
    if base and ordered and ordered[0].start_s > EPSILON_S:
        first = ordered[0]
        yield _issue(
            first.id,
            "start_s",
            f"the video track starts with a gap of {first.start_s} s",
            "Start the first video clip at 0.",
        )
    for previous, clip in itertools.pairwise(ordered):
        end = clip_end(previous, facts)
        if end is None:
            continue
        overlap = end - clip.start_s
        fade = fades.get((previous.id, clip.id))
        if fade is not None:
            if abs(overlap - fade) > EPSILON_S:
                yield _issue(
                    clip.id,
                    "start_s",
                    f"the crossfade from {previous.id} needs this clip to start at {end - fade:.3f} "
                    f"(overlapping it by {fade} s), not {clip.start_s}",
                    f"Set start_s to {end - fade:.3f}.",
                )
        elif overlap > EPSILON_S:
            yield _issue(
                clip.id,
                "start_s",
                f"overlaps clip {previous.id} by {overlap:.3f} s",
                f"Start it at {end:.3f} or later, or join the clips with a crossfade of {overlap:.3f} s.",
            )
        elif base and overlap < -EPSILON_S:
            yield _issue(
                clip.id,
                "start_s",
                f"leaves a gap of {-overlap:.3f} s after clip {previous.id}",
                f"Start it at {end:.3f}; the base video track must be continuous (layers may leave gaps).",
            )


def _transitions(timeline: Timeline, facts: Mapping[str, MediaInfo]) -> Iterator[Issue]:
    track_of = {clip.id: track for track in timeline.tracks for clip in track.clips}
    clips = {clip.id: clip for clip in timeline.clips()}
    for index, fade in enumerate(timeline.transitions):
        name = f"transitions[{index}]"
        yield from crossfade_issues(name, fade)
        for field in ("from_clip", "to_clip"):
            ref = getattr(fade, field)
            if ref not in clips:
                yield _issue(
                    name, field, f"refers to unknown clip {ref!r}", "Name clips that are on the timeline."
                )
        if fade.from_clip not in clips or fade.to_clip not in clips:
            continue
        base = timeline.video_track()
        if track_of[fade.from_clip] is not base or track_of[fade.to_clip] is not base:
            yield _issue(
                name,
                "from_clip",
                "crossfades join clips on the base video track (the first)",
                "Move the clips there; a layer's clip fades with fade_in / fade_out.",
            )
        elif _next_clip(track_of[fade.from_clip], fade.from_clip) != fade.to_clip:
            yield _issue(
                name,
                "to_clip",
                f"{fade.to_clip} does not directly follow {fade.from_clip} on the video track",
                "Crossfade neighbouring clips only.",
            )
        if fade.duration_s <= 0:
            yield _issue(name, "duration_s", "a crossfade lasts more than 0 s", "Use a positive duration.")
            continue
        for field in ("from_clip", "to_clip"):
            clip = clips[getattr(fade, field)]
            end = clip_end(clip, facts)
            if end is not None and end - clip.start_s < fade.duration_s - EPSILON_S:
                yield _issue(
                    name,
                    "duration_s",
                    f"the crossfade is longer than clip {clip.id}",
                    "Shorten the crossfade or lengthen the clip.",
                )


def _overlays(timeline: Timeline) -> Iterator[Issue]:
    for overlay in timeline.overlays:
        if not overlay.text.strip() or len(overlay.text) > 500:
            yield _issue(overlay.id, "text", "text must be 1..500 characters", "Send a short caption.")
        if overlay.start_s < 0 or overlay.end_s <= overlay.start_s + EPSILON_S:
            yield _issue(
                overlay.id,
                "end_s",
                f"the overlay's span {overlay.start_s}..{overlay.end_s} is empty or negative",
                "Use 0 <= start_s < end_s.",
            )
        if not 8 <= overlay.font_size <= 400:
            yield _issue(overlay.id, "font_size", "font_size must be 8..400", "Use a size in pixels, 8..400.")
        if not COLOR.match(overlay.color):
            yield _issue(
                overlay.id,
                "color",
                f"{overlay.color!r} is not a colour",
                "Use a name or #RRGGBB, e.g. white@0.8.",
            )


def _output(timeline: Timeline) -> Iterator[Issue]:
    output = timeline.output
    if not 0 <= output.crf <= 51:
        yield _issue(None, "output.crf", f"crf {output.crf} is outside 0..51", "Use 18..28 for most work.")
    for field in ("width", "height"):
        size = getattr(output, field)
        if size is not None and (size < 16 or size > 7680 or size % 2):
            yield _issue(
                None, f"output.{field}", f"{field} {size} is not an even 16..7680", "Use an even size."
            )
    if output.fps is not None and not 1 <= output.fps <= 120:
        yield _issue(None, "output.fps", f"fps {output.fps} is outside 1..120", "Use 24, 25, 30 or 60.")
    if not 8000 <= timeline.audio.sample_rate <= 96000:
        yield _issue(None, "audio.sample_rate", "sample_rate must be 8000..96000", "Use 48000.")
    if not 0 <= timeline.audio.master_volume <= MAX_GAIN:
        yield _issue(None, "audio.master_volume", "master_volume is outside 0..10", "Use 0..10.")


def _next_clip(track: Track, clip_id: str) -> str | None:
    ordered = [clip.id for clip in sorted(track.clips, key=lambda clip: clip.start_s)]
    index = ordered.index(clip_id)
    return ordered[index + 1] if index + 1 < len(ordered) else None
