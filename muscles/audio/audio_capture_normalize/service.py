"""audio_capture_normalize: EBU R128 loudness normalisation (two-pass loudnorm) into media_v2."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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

from .examples import NORMALIZE
from .loudnorm import Loudness, LoudnessTarget, SilentAudio, measure_args, normalize_args, parse_report

_CHANNELS: Final = {"mono": 1, "stereo": 2}
_RATE_RANGE: Final = (8000, 192000)
DYNAMIC_WARNING: Final = (
    "loudnorm fell back to dynamic mode: one linear gain could not reach the targets (the true peak "
    "would exceed its limit, or the input's loudness range exceeds the target LRA), so the loudness "
    "range was compressed. For a linear result, lower integrated_lufs, raise true_peak_db towards 0, or raise lra."
)


class NormalizeResult(BaseModel):
    """A normalised copy of an asset, with loudness before and after."""

    output: MediaRef
    input_loudness: Loudness = Field(description="The input as measured in pass 1")
    output_loudness: Loudness = Field(description="The output as loudnorm measured it in pass 2")
    normalization_type: Literal["linear", "dynamic"] = Field(
        description="linear: one gain for the whole file; dynamic: loudnorm compressed the loudness range"
    )
    deviation_lu: float = Field(description="Output integrated loudness minus the target")
    warnings: list[str] = Field(default_factory=list)


class AudioCaptureNormalize(Muscle):
    """Normalises the loudness of recorded audio to an EBU R128 target, in two passes.

    Use it to bring a voice recording, a podcast or a video's sound to a standard loudness
    (-23 LUFS for broadcast, -16 LUFS for podcasts and streaming) without clipping, and to
    resample it or mix it to mono or stereo. It measures first, then applies one linear gain,
    and reports the loudness before and after; when ffmpeg had to compress the dynamics
    instead, the result says so in a warning. Output is a WAV or FLAC in media_v2.
    """

    version = "1.0.0"
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
        to the input's layout. The output is WAV (16-bit) or FLAC, audio only. Reports input and
        output loudness, and a warning when loudnorm had to fall back to dynamic mode.
        """
        target = LoudnessTarget(integrated_lufs, true_peak_db, lra).check()
        if sample_rate is not None and not _RATE_RANGE[0] <= sample_rate <= _RATE_RANGE[1]:
            raise InvalidInput(
                f"sample_rate must be between {_RATE_RANGE[0]} and {_RATE_RANGE[1]} Hz", value=sample_rate
            )
        media = await workspace.open(uri, need="audio")
        duration = media.info.duration_s
        measured = await run_ffmpeg(
            measure_args(media.input_args, target), duration_s=duration, on_progress=_scaled(progress, 0.0)
        )
        first = parse_report(measured.stderr_tail, uri=uri)
        dest = workspace.path(f"{media.stem}-normalized.{file_format}")
        rate = sample_rate or media.info.sample_rate or 48000
        applied = await run_ffmpeg(
            normalize_args(
                media.input_args,
                dest,
                target,
                first.input,
                offset=first.target_offset,
                sample_rate=rate,
                channels=_CHANNELS[channels] if channels else None,
                file_format=file_format,
            ),
            duration_s=duration,
            on_progress=_scaled(progress, 0.5),
        )
        second = parse_report(applied.stderr_tail, uri=uri)
        output = await workspace.publish(dest)
        dynamic = second.normalization_type != "linear"
        return NormalizeResult(
            output=output,
            input_loudness=first.input,
            output_loudness=second.output,
            normalization_type="dynamic" if dynamic else "linear",
            deviation_lu=round(second.output.integrated_lufs - target.integrated_lufs, 2),
            warnings=[DYNAMIC_WARNING] if dynamic else [],
        )


def _scaled(progress: Progress, start: float) -> Callable[[float, str], Awaitable[None]]:
    """Each pass fills half of the progress bar."""

    async def report(fraction: float, message: str) -> None:
        await progress.report(start + 0.5 * fraction, message)

    return report
