"""The sound filters of a render beyond the plain mix: a clip's gain in dB and fades, a music
track ducked under a voice track, and the final mix's loudness target.

Ducking is keyframed gain computed from the voice track's clips (not a compressor): the depth
asked for is the depth the music gets while the voice plays, exactly, whatever the levels.
The loudness target takes two passes, as audio_capture_normalize does, with its code
(:mod:`muscles.audio.loudness`): an analysis run of the same graph measures the mix (its
picture goes to a null sink), then the render's graph gains the mix linearly with loudnorm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from core.media import MediaInfo
from muscles.audio.loudness import Loudness, LoudnessTarget, gain_filter
from muscles.video.timeline import Clip, ClipSound, Ducking, MixLoudness, Timeline, clip_end
from muscles.video.video_render.curves import number

__all__ = ["MixPass", "clip_sound_steps", "duck_steps", "master_steps"]

# A ramp of 0 s would divide by zero in the gain expression: a millisecond is a step.
_MIN_RAMP_S: Final = 0.001


@dataclass(frozen=True)
class MixPass:
    """Which pass of a loudness target a graph is for: ``measured`` None is the analysis run."""

    target: MixLoudness
    measured: Loudness | None = None

    def loudnorm(self) -> LoudnessTarget:
        return LoudnessTarget(self.target.integrated_lufs, self.target.true_peak_db, self.target.lra)


def clip_sound_steps(sound: ClipSound, samples: int, sample_rate: int) -> list[str]:
    """Gain in dB, then fades counted in samples of the clip's sound (which starts at 0)."""
    steps = [] if sound.gain_db == 0 else [f"volume={number(sound.gain_db)}dB"]
    if sound.fade_in_s > 0:
        steps.append(f"afade=t=in:ss=0:ns={round(sound.fade_in_s * sample_rate)}:curve={sound.curve}")
    if sound.fade_out_s > 0:
        length = round(sound.fade_out_s * sample_rate)
        steps.append(f"afade=t=out:ss={max(0, samples - length)}:ns={length}:curve={sound.curve}")
    return steps


def duck_steps(
    timeline: Timeline, track_id: str, offset_s: float, facts: Mapping[str, MediaInfo]
) -> list[str]:
    """The gain that ducks a clip of ``track_id`` starting ``offset_s`` into the timeline (the
    clip's own clock starts at 0, so its ``t`` is shifted into timeline time)."""
    tracks = {track.id: track for track in timeline.tracks}
    factors = []
    for duck in timeline.audio.ducking:
        voice = tracks.get(duck.voice_track)
        if duck.music_track != track_id or voice is None or voice.muted:
            continue
        spans = _voice_spans(voice.clips, duck, facts)
        if spans:
            factors.append(_dip_expression(spans, duck, f"(t+{number(offset_s)})"))
    if not factors:
        return []
    expression = factors[0]
    for factor in factors[1:]:
        expression = f"min({expression},{factor})"
    return [f"volume=volume='{expression}':eval=frame"]


def master_steps(mix: MixPass | None, sample_rate: int, samples: int) -> list[str]:
    """After the mix is cut to length: loudnorm measuring (analysis) or gaining (render)."""
    if mix is None:
        return []
    if mix.measured is None:
        return [f"{mix.loudnorm().filter()}:print_format=json"]
    # loudnorm works at 192 kHz; back to the output rate and exactly the render's length.
    gain = gain_filter(mix.loudnorm(), mix.measured, offset=0.0)
    return [gain, f"aresample={sample_rate}", f"apad=whole_len={samples}", f"atrim=end_sample={samples}"]


def _voice_spans(
    clips: list[Clip], duck: Ducking, facts: Mapping[str, MediaInfo]
) -> list[tuple[float, float]]:
    """The voice clips' spans on the timeline, merged where one dip would not recover between."""
    spans: list[tuple[float, float]] = []
    for clip in sorted(clips, key=lambda clip: clip.start_s):
        end = clip_end(clip, facts)
        if end is None:
            continue
        if spans and clip.start_s - spans[-1][1] < duck.attack_s + duck.release_s:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((clip.start_s, end))
    return spans


def _dip_expression(spans: list[tuple[float, float]], duck: Ducking, t: str) -> str:
    """min over spans of: full gain far from the span, ``depth_db`` down inside it, linear ramps
    of ``attack_s`` before and ``release_s`` after."""
    floor = 10 ** (-duck.depth_db / 20)
    attack, release = max(duck.attack_s, _MIN_RAMP_S), max(duck.release_s, _MIN_RAMP_S)
    dips = [
        f"{number(floor)}+{number(1 - floor)}*clip(max(({number(start)}-{t})/{number(attack)},"
        f"({t}-{number(end)})/{number(release)}),0,1)"
        for start, end in spans
    ]
    expression = dips[0]
    for dip in dips[1:]:
        expression = f"min({expression},{dip})"
    return expression
