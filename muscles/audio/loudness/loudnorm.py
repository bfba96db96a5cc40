"""ffmpeg's loudnorm filter, two passes: its arguments, and the JSON report it prints.

Both passes first bring the sound to the output's sample rate and channel layout (a 5.1 mix
down to stereo, say), so what pass 1 measures and pass 2 gains is the signal the file will
hold: a downmix after the gain would change the loudness it was gained to. Pass 1 only
measures (``print_format=json``). Pass 2 feeds the measurements back with
``linear=true``, so the whole file gets one gain and its dynamics stay intact. loudnorm falls
back to its dynamic mode, silently, when one gain cannot meet the targets (the gain would push
the true peak over its limit, or the input's loudness range exceeds the target range); the
pass-2 report's ``normalization_type`` says which mode ran, and the caller warns on dynamic.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, Field

from core.errors import FfmpegFailed, InvalidInput, MediaError

__all__ = [
    "I_RANGE",
    "LRA_RANGE",
    "TP_RANGE",
    "Loudness",
    "LoudnessTarget",
    "OutputShape",
    "Report",
    "SilentAudio",
    "gain_filter",
    "measure_args",
    "muxer_of",
    "normalize_args",
    "parse_report",
]

# loudnorm's own option ranges (ffmpeg -h filter=loudnorm).
I_RANGE: Final = (-70.0, -5.0)
TP_RANGE: Final = (-9.0, 0.0)
LRA_RANGE: Final = (1.0, 50.0)
_CODECS: Final = {"wav": ("pcm_s16le", "wav"), "flac": ("flac", "flac")}


class SilentAudio(MediaError):
    code = "silent_audio"
    default_hint = (
        "The audio is silent (no measurable loudness), so it cannot be normalised; send audio with sound."
    )


class Loudness(BaseModel):
    """EBU R128 figures of one signal, as loudnorm measured them."""

    integrated_lufs: float = Field(description="Integrated loudness (LUFS)")
    true_peak_dbtp: float = Field(description="True peak (dBTP)")
    lra_lu: float = Field(description="Loudness range (LU)")
    threshold_lufs: float = Field(description="Gating threshold (LUFS)")


@dataclass(frozen=True)
class LoudnessTarget:
    integrated_lufs: float
    true_peak_db: float
    lra: float

    def check(self) -> LoudnessTarget:
        for name, value, (low, high) in (
            ("integrated_lufs", self.integrated_lufs, I_RANGE),
            ("true_peak_db", self.true_peak_db, TP_RANGE),
            ("lra", self.lra, LRA_RANGE),
        ):
            if not (math.isfinite(value) and low <= value <= high):
                raise InvalidInput(
                    f"{name} must be between {low:g} and {high:g}",
                    value=value,
                    hint="EBU R128 broadcast is -23 LUFS, true peak -1 dBTP; podcasts often use -16 LUFS.",
                )
        return self

    def filter(self) -> str:
        """The loudnorm filter with these targets (add measured_* options for pass 2)."""
        return f"loudnorm=I={self.integrated_lufs:g}:TP={self.true_peak_db:g}:LRA={self.lra:g}"


@dataclass(frozen=True)
class OutputShape:
    """The output's sample rate, and its channel count (None: the input's layout)."""

    sample_rate: int
    channels: int | None

    def filter(self) -> str:
        """Resample (and down- or up-mix) before loudnorm sees the signal."""
        layout = {1: ":channel_layouts=mono", 2: ":channel_layouts=stereo"}.get(self.channels or 0, "")
        return f"aformat=sample_rates={self.sample_rate}{layout}"


def measure_args(source: list[str], target: LoudnessTarget, shape: OutputShape) -> list[str]:
    """Pass 1: decode the first audio stream of the input ``source`` (its ``-i`` and input
    options), shaped as the output will be, through loudnorm; keep nothing but its report."""
    return [
        *(*source, "-map", "0:a:0", "-vn", "-sn", "-dn"),
        *("-af", f"{shape.filter()},{target.filter()}:print_format=json", "-f", "null", "-"),
    ]


def normalize_args(
    source: list[str],
    dest: Path,
    target: LoudnessTarget,
    measured: Loudness,
    *,
    offset: float,
    shape: OutputShape,
    file_format: Literal["wav", "flac"],
) -> list[str]:
    """Pass 2: one linear gain from the measurements (loudnorm may still fall back to dynamic)."""
    codec, muxer = _CODECS[file_format]
    # loudnorm works at 192 kHz internally; -ar always brings the output back down.
    return [
        *("-y", *source, "-map", "0:a:0", "-vn", "-sn", "-dn"),
        *(
            "-af",
            f"{shape.filter()},{gain_filter(target, measured, offset=offset)}",
            "-ar",
            str(shape.sample_rate),
        ),
        *("-c:a", codec, "-f", muxer, str(dest)),
    ]


def gain_filter(target: LoudnessTarget, measured: Loudness, *, offset: float) -> str:
    """Pass 2's loudnorm: the pass-1 measurements fed back, one linear gain (its report as JSON)."""
    return (
        f"{target.filter()}:measured_I={measured.integrated_lufs:g}:measured_TP={measured.true_peak_dbtp:g}"
        f":measured_LRA={measured.lra_lu:g}:measured_thresh={measured.threshold_lufs:g}"
        f":offset={offset:g}:linear=true:print_format=json"
    )


@dataclass(frozen=True)
class Report:
    input: Loudness
    output: Loudness
    normalization_type: str
    target_offset: float


def muxer_of(file_format: Literal["wav", "flac"]) -> str:
    return _CODECS[file_format][1]


def parse_report(stderr_tail: str, *, uri: str) -> Report:
    """The last JSON block loudnorm printed on stderr (``uri`` names the input in errors)."""
    text = stderr_tail[stderr_tail.rfind("{") : stderr_tail.rfind("}") + 1]
    try:
        raw = json.loads(text)
        values = {key: float(value) for key, value in raw.items() if key != "normalization_type"}
        report = Report(
            input=_loudness(values, "input"),
            output=_loudness(values, "output"),
            normalization_type=str(raw["normalization_type"]),
            target_offset=values["target_offset"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise FfmpegFailed(
            "ffmpeg's loudnorm printed no readable report",
            value=uri,
            details={"stderr_tail": stderr_tail[-2000:]},
        ) from exc
    if not math.isfinite(report.input.integrated_lufs):
        raise SilentAudio("the audio has no measurable loudness", value=uri)
    return report


def _loudness(values: dict[str, float], prefix: str) -> Loudness:
    return Loudness(
        integrated_lufs=values[f"{prefix}_i"],
        true_peak_dbtp=values[f"{prefix}_tp"],
        lra_lu=values[f"{prefix}_lra"],
        threshold_lufs=values[f"{prefix}_thresh"],
    )
