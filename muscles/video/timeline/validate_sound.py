"""Problems of the sound fields (clip gain and fades, ducking, the loudness target), each naming
the clip or mix field, for :mod:`.validate`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from core.media import MediaInfo
from muscles.audio.loudness import I_RANGE, LRA_RANGE, TP_RANGE
from muscles.video.timeline.facts import clip_duration
from muscles.video.timeline.issues import Issue, issue
from muscles.video.timeline.model import Clip, Timeline

__all__ = ["sound_issues"]

GAIN_DB_RANGE: Final = (-60.0, 20.0)
DEPTH_DB_RANGE: Final = (1.0, 60.0)
ATTACK_MAX_S, RELEASE_MAX_S = 5.0, 10.0


def sound_issues(timeline: Timeline, facts: Mapping[str, MediaInfo]) -> Iterator[Issue]:
    for clip in timeline.clips():
        yield from _clip_sound(clip, facts)
    yield from _ducking(timeline)
    yield from _loudness(timeline)


def _clip_sound(clip: Clip, facts: Mapping[str, MediaInfo]) -> Iterator[Issue]:
    sound = clip.sound
    low, high = GAIN_DB_RANGE
    if not low <= sound.gain_db <= high:
        yield issue(
            clip.id, "sound.gain_db", f"gain_db {sound.gain_db} is outside -60..20", "Use -60..20 dB."
        )
    for field in ("fade_in_s", "fade_out_s"):
        if getattr(sound, field) < 0:
            yield issue(clip.id, f"sound.{field}", f"{field} is negative", "Fades last 0 s or more.")
    length = clip_duration(clip, facts)
    if length is not None and sound.fade_in_s + sound.fade_out_s > length + 0.001:
        yield issue(
            clip.id,
            "sound.fade_out_s",
            f"fade_in_s + fade_out_s ({sound.fade_in_s + sound.fade_out_s:g} s) exceed the clip ({length:.3f} s)",
            "Shorten the fades so both fit in the clip.",
        )


def _ducking(timeline: Timeline) -> Iterator[Issue]:
    tracks = {track.id: track for track in timeline.tracks}
    for index, duck in enumerate(timeline.audio.ducking):
        name = f"audio.ducking[{index}]"
        music = tracks.get(duck.music_track)
        if music is None or music.kind != "audio":
            yield issue(
                None,
                f"{name}.music_track",
                f"{duck.music_track!r} is not an audio track of the timeline",
                "Name the audio track that holds the music bed.",
            )
        if duck.voice_track not in tracks:
            yield issue(
                None,
                f"{name}.voice_track",
                f"{duck.voice_track!r} is not a track of the timeline",
                "Name the track that holds the voice.",
            )
        elif duck.voice_track == duck.music_track:
            yield issue(None, f"{name}.voice_track", "a track cannot duck itself", "Name the voice track.")
        low, high = DEPTH_DB_RANGE
        if not low <= duck.depth_db <= high:
            yield issue(
                None, f"{name}.depth_db", f"depth_db {duck.depth_db} is outside 1..60", "Use 6..20 dB."
            )
        if not 0 <= duck.attack_s <= ATTACK_MAX_S:
            yield issue(
                None, f"{name}.attack_s", f"attack_s {duck.attack_s} is outside 0..5", "Use 0.1..0.5 s."
            )
        if not 0 <= duck.release_s <= RELEASE_MAX_S:
            yield issue(
                None, f"{name}.release_s", f"release_s {duck.release_s} is outside 0..10", "Use 0.2..1 s."
            )


def _loudness(timeline: Timeline) -> Iterator[Issue]:
    target = timeline.audio.loudness
    if target is None:
        return
    for field, value, (low, high) in (
        ("integrated_lufs", target.integrated_lufs, I_RANGE),
        ("true_peak_db", target.true_peak_db, TP_RANGE),
        ("lra", target.lra, LRA_RANGE),
    ):
        if not low <= value <= high:
            yield issue(
                None,
                f"audio.loudness.{field}",
                f"{field} {value} is outside {low:g}..{high:g}",
                "-16 LUFS for podcasts and streaming, -23 LUFS for broadcast; true peak -1 dBTP.",
            )
