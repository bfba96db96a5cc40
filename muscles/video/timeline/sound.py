"""The sound side of an edit: per-clip gain and fades, a music bed ducked under a voice, and a
loudness target for the final mix. Kept apart from the picture models (transitions, layers,
colour) so each vocabulary reads on its own.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AudioRole", "ClipSound", "Ducking", "FadeCurve", "MixLoudness"]

AudioRole = Literal["voice", "music", "effects"]
# afade / acrossfade curve names (ffmpeg -h filter=afade).
FadeCurve = Literal["tri", "qsin", "hsin", "esin", "log", "ipar", "qua", "cub", "squ", "cbr", "par", "exp"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClipSound(_Strict):
    """A clip's sound: a gain in dB on top of its volume, and fades at its ends."""

    gain_db: float = Field(default=0.0, description="Gain in dB, -60..+20, applied with the clip's volume")
    fade_in_s: float = Field(
        default=0.0, description="Seconds the sound fades in from silence at the clip's start"
    )
    fade_out_s: float = Field(
        default=0.0, description="Seconds the sound fades out to silence at the clip's end"
    )
    curve: FadeCurve = Field(default="tri", description="Fade shape: tri (linear), qsin, esin, log, exp, ...")


class Ducking(_Strict):
    """Lower ``music_track`` by ``depth_db`` while ``voice_track`` has a clip playing.

    The gain is keyframed from the voice track's clips: it ramps down over ``attack_s`` before
    a voice clip starts, holds ``-depth_db`` while it plays, and ramps back over ``release_s``
    after it ends; voice clips closer than ``attack_s + release_s`` share one dip.
    """

    music_track: str = Field(description="Id of the audio track to lower (the music bed)")
    voice_track: str = Field(description="Id of the track whose clips lower it (video or audio track)")
    depth_db: float = Field(default=12.0, description="How far the music goes down, 1..60 dB")
    attack_s: float = Field(default=0.2, description="Ramp down before the voice, 0..5 s")
    release_s: float = Field(default=0.5, description="Ramp back up after the voice, 0..10 s")


class MixLoudness(_Strict):
    """The final mix's loudness, reached in two passes: an analysis run measures the mix, the
    render gains it linearly (ffmpeg loudnorm, as audio_capture_normalize does)."""

    integrated_lufs: float = Field(default=-16.0, description="Target integrated loudness, -70..-5 LUFS")
    true_peak_db: float = Field(default=-1.0, description="True peak ceiling, -9..0 dBTP")
    lra: float = Field(default=11.0, description="Loudness range allowed, 1..50 LU")
