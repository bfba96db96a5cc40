"""audio_capture_normalize: EBU R128 loudness normalisation (two-pass loudnorm) into media_v2."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, Field

from core import CanvasTool, MediaRef, Muscle, Progress, tool
from core.errors import (
    AssetNotFound,
    FfmpegFailed,
    InvalidIdentifier,
    InvalidInput,
    MediaUnreadable,
    NoAudioStream,
    NotMedia,
)
from core.ffmpeg import run_ffmpeg
from core.media import Workspace
from muscles.audio.loudness import (
    Loudness,
    LoudnessTarget,
    OutputShape,
    SilentAudio,
    measure_args,
    measure_file,
    muxer_of,
    normalize_args,
    parse_report,
)

from .examples import NORMALIZE

_CHANNELS: Final = {"mono": 1, "stereo": 2}
_RATE_RANGE: Final = (8000, 192000)
# How far the measured output may sit from the integrated target before the result says so.
TOLERANCE_LU: Final = 0.5
DYNAMIC_WARNING: Final = (
    "loudnorm fell back to dynamic mode: one linear gain could not reach the targets (the true peak "
    "would exceed its limit, or the input's loudness range exceeds the target LRA), so the loudness "
    "range was compressed. For a linear result, lower integrated_lufs, raise true_peak_db towards 0, or raise lra."
)


class NormalizeResult(BaseModel):
    """A normalised copy of an asset, with loudness before and after."""

    output: MediaRef
    input_loudness: Loudness = Field(
        description="The input at the output's sample rate and channel layout, as measured in pass 1"
    )
    output_loudness: Loudness = Field(
        description="The stored file, measured on its bytes (ffmpeg ebur128, true peak oversampled)"
    )
    normalization_type: Literal["linear", "dynamic"] = Field(
        description="linear: one gain for the whole file; dynamic: loudnorm compressed the loudness range"
    )
    deviation_lu: float = Field(description="Measured output integrated loudness minus the target")
    warnings: list[str] = Field(default_factory=list)


class AudioCaptureNormalize(Muscle):
    """Normalises the loudness of recorded audio to an EBU R128 target, in two passes.

    Use it to bring a voice recording, a podcast or a video's sound to a standard loudness
    (-23 LUFS for broadcast, -16 LUFS for podcasts and streaming) without clipping, and to
    resample it or mix it to mono or stereo. It converts and measures first, then applies one
    linear gain, and reports the loudness before and the loudness the stored file measures
    after; when ffmpeg had to compress the dynamics instead, or the file misses the target, the
    result says so in a warning. Output is a WAV or FLAC in media_v2.
    """

    version = "1.1.0"
    capabilities = ("cap.audio.normalize", "cap.audio.loudness")
    canvas_tools = (
        CanvasTool(
            id="normalize_loudness",
            icon="volume",
            type="trigger",
            tool="normalize",
            action="Normalise loudness",
        ),
    )

    @tool(
        examples=[NORMALIZE],
        errors=[
            AssetNotFound,
            InvalidIdentifier,
            InvalidInput,
            NotMedia,
            MediaUnreadable,
            NoAudioStream,
            SilentAudio,
            FfmpegFailed,
        ],
        idempotent=True,
    )
    async def normalize(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        integrated_lufs: float = -23.0,
        true_peak_db: float = -1.0,
        lra: float = 7.0,
        sample_rate: int | None = None,
        channels: Literal["mono", "stereo"] | None = None,
        file_format: Literal["wav", "flac"] = "wav",
    ) -> NormalizeResult:
        """Normalise an audio or video asset's sound to a target loudness; store the result.

        `uri` is a media_v2 MediaRef uri. Targets: `integrated_lufs` (-70 to -5, default -23),
        `true_peak_db` (-9 to 0 dBTP, default -1) and `lra`, the loudness range (1 to 50 LU,
        default 7). `sample_rate` (Hz) defaults to the input's; `channels` (`mono` or `stereo`)
        to the input's layout; the conversion happens before measuring, so the gain fits the
        sound the file holds. The output is WAV (16-bit) or FLAC, audio only. Reports the input's
        loudness and the output's as measured on the stored file, with a warning when it misses
        the integrated target by more than 0.5 LU or exceeds the true-peak ceiling, and when
        loudnorm had to fall back to dynamic mode.
        """
        target = LoudnessTarget(integrated_lufs, true_peak_db, lra).check()
        if sample_rate is not None and not _RATE_RANGE[0] <= sample_rate <= _RATE_RANGE[1]:
            raise InvalidInput(
                f"sample_rate must be between {_RATE_RANGE[0]} and {_RATE_RANGE[1]} Hz", value=sample_rate
            )
        await progress.report(0.0, "probing")
        media = await workspace.open(uri, need="audio")
        duration = media.info.duration_s
        shape = OutputShape(
            sample_rate=sample_rate or media.info.sample_rate or 48000,
            channels=_CHANNELS[channels] if channels else None,
        )
        measured = await run_ffmpeg(
            measure_args(media.input_args, target, shape),
            duration_s=duration,
            on_progress=progress.phase("decoding", 0.02, 0.45),
        )
        first = parse_report(measured.stderr_tail, uri=uri)
        dest = workspace.path(f"{media.stem}-normalized.{file_format}")
        applied = await run_ffmpeg(
            normalize_args(
                media.input_args,
                dest,
                target,
                first.input,
                offset=first.target_offset,
                shape=shape,
                file_format=file_format,
            ),
            duration_s=duration,
            on_progress=progress.phase("encoding", 0.45, 0.85),
        )
        dynamic = parse_report(applied.stderr_tail, uri=uri).normalization_type != "linear"
        # The file, not loudnorm's summary of its own output: publish only renames these bytes.
        stored = await measure_file(
            dest, muxer_of(file_format), duration_s=duration, phase=progress.phase("measuring", 0.85, 0.97)
        )
        registering = progress.phase("registering", 0.97, 1.0)
        await registering.report(0.0)
        output = await workspace.publish(dest)
        await registering.report(1.0)
        warnings = _misses(stored, target)
        if dynamic:
            warnings.append(DYNAMIC_WARNING)
        return NormalizeResult(
            output=output,
            input_loudness=first.input,
            output_loudness=stored,
            normalization_type="dynamic" if dynamic else "linear",
            deviation_lu=round(stored.integrated_lufs - target.integrated_lufs, 2),
            warnings=warnings,
        )


def _misses(stored: Loudness, target: LoudnessTarget) -> list[str]:
    """Warnings for each target the stored file misses, with the figures."""
    warnings = []
    off = stored.integrated_lufs - target.integrated_lufs
    if abs(off) > TOLERANCE_LU:
        warnings.append(
            f"the output measures {stored.integrated_lufs:g} LUFS, {off:+.1f} LU from the "
            f"{target.integrated_lufs:g} LUFS target (tolerance {TOLERANCE_LU:g} LU)"
        )
    if stored.true_peak_dbtp > target.true_peak_db:
        warnings.append(
            f"the output's true peak measures {stored.true_peak_dbtp:g} dBTP, over the "
            f"{target.true_peak_db:g} dBTP ceiling"
        )
    return warnings
