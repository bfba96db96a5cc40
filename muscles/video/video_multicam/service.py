"""video_multicam: lines up recordings of one event (cameras, recorders) from their sound."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import anyio.from_thread
from pydantic import BaseModel, Field

from core import AtomsError, CanvasTool, Muscle, Progress, tool
from core.errors import AssetNotFound, FfmpegFailed, InvalidInput, MediaUnreadable, NoAudioStream, NotMedia
from core.ffmpeg import run_ffmpeg
from core.media import OpenedMedia, Workspace
from muscles.video.timeline import Timeline

from .correlate import TRUSTED_Z, Signal
from .decode import ANALYSIS_RATE, extraction_args, load
from .drift import measure_drift
from .errors import NoOverlap
from .examples import ALIGN
from .layout import Placed, synced_timeline
from .solve import Placement, place

_MAX_RECORDINGS = 16
# Shares of the progress bar: getting the sound out, then matching it.
_DECODE_SHARE = 0.5


class RecordingSync(BaseModel):
    """Where one recording sits against the reference, and how sure that is."""

    uri: str
    offset_s: float = Field(
        description="Where the recording starts on the reference's clock, seconds (negative: before it)"
    )
    confidence: float = Field(
        description="Peak z-score of the best pair that places it (how far the match stands above "
        "the correlation's spread; above 10 is certain, below min_confidence is refused)"
    )
    residual_ms: float | None = Field(
        description="With 3+ recordings: RMS disagreement of its pairs with the joint solution, ms "
        "(a bad pair shows up here); None with two"
    )
    drift_ppm: float | None = Field(
        description="Clock drift against the reference, parts per million (> 0: its clock runs slow, "
        "its sound falls behind over the take); None when the common stretch is under 30 s"
    )
    speed_correction: float | None = Field(
        description="The clip speed that cancels the drift (video_timeline's Clip.speed)"
    )
    duration_s: float


class MulticamSync(BaseModel):
    """Every recording's offset on the reference's clock, and a timeline that plays them in sync."""

    reference: str = Field(description="The uri every offset is measured against")
    sample_rate: int = Field(description="Hz the sound was compared at")
    recordings: list[RecordingSync] = Field(description="In the order of `uris`")
    timeline: Timeline | None = Field(
        description="For video_render: the first recording with pictures on the video track from 0, "
        "every other recording's sound on an audio track at its offset; None without any pictures"
    )


class VideoMulticam(Muscle):
    """Syncs multicam footage by its sound, the way PluralEyes does: finds how far apart two or
    more recordings of one event (camera clips, a separate audio recorder) started, to a fraction
    of a millisecond, with a confidence for each, the clock drift of long takes, and a
    video_timeline timeline with every recording at its offset, ready for video_render.

    Use it when several cameras or recorders captured the same scene and their clips must be
    lined up on one timeline; it needs common sound, not timecode or a clap.
    """

    version = "1.1.0"
    capabilities = ("cap.video.multicam_sync",)
    canvas_tools = (
        CanvasTool(id="auto_sync", icon="waveform", type="trigger", tool="align", action="multicam_align"),
    )

    @tool(
        examples=[ALIGN],
        errors=[
            NoOverlap,
            InvalidInput,
            AssetNotFound,
            NotMedia,
            MediaUnreadable,
            NoAudioStream,
            FfmpegFailed,
        ],
        read_only=True,
        idempotent=True,
    )
    async def align(
        self,
        uris: list[str],
        workspace: Workspace,
        progress: Progress,
        reference: str | None = None,
        max_offset_s: float | None = None,
        min_confidence: float = TRUSTED_Z,
        correct_drift: bool = False,
    ) -> MulticamSync:
        """Find each recording's offset against the reference from their sound.

        `uris`: 2-16 media_v2 audio or video uris of the same event. `reference`: the one whose
        clock the offsets use (default the first). `max_offset_s`: search only offsets up to this
        far either way (default: any offset where the two overlap). Each recording's sound is
        compared with every other's by GCC-PHAT cross-correlation at 8 kHz with a sub-sample
        peak; with three or more, the offsets that best fit all pairs are kept (least squares).
        A recording whose best match scores below `min_confidence` (peak z-score) is refused
        with `no_overlap`. Takes with at least 30 s in common also get their clock drift;
        `correct_drift` puts each sound clip's speed correction on its timeline clip."""
        names = _check_arguments(uris, reference, max_offset_s, min_confidence)
        order = [names.index(reference)] if reference is not None else [0]
        order += [k for k in range(len(names)) if k != order[0]]
        opened = [await workspace.open(names[k], need="audio", field=f"uris.{k}") for k in order]
        signals: list[Signal | None] = [None] * len(opened)
        decoded = 0

        async def extract(index: int) -> None:
            nonlocal decoded
            signals[index] = await self._extract(opened[index], workspace, index)
            decoded += 1
            await progress.report(
                _DECODE_SHARE * decoded / len(opened), f"decoded {decoded} of {len(opened)}"
            )

        # One ffmpeg per recording at once: decoding is most of the time, and each runs on its own core.
        try:
            async with anyio.create_task_group() as decoding:
                for index in range(len(opened)):
                    decoding.start_soon(extract, index)
        except BaseExceptionGroup as group:
            # A recording that fails to decode is the call's coded error (the first one, its
            # siblings are cancelled with it), not a group the client would see as internal_error.
            coded = group.subgroup(AtomsError)
            if coded is None:
                raise
            raise _first_leaf(coded) from None
        sounds = [signal for signal in signals if signal is not None]

        def report_pair(done: int, total: int) -> None:
            anyio.from_thread.check_cancelled()
            fraction = _DECODE_SHARE + (1 - _DECODE_SHARE) * done / total
            anyio.from_thread.run(progress.report, fraction, f"matched {done} of {total} pairs")

        placements = await anyio.to_thread.run_sync(
            lambda: place(
                sounds,
                ANALYSIS_RATE,
                [media.ref.uri for media in opened],
                max_offset_s=max_offset_s,
                min_z=min_confidence,
                on_pair=report_pair,
            )
        )
        synced = await anyio.to_thread.run_sync(lambda: _describe(opened, sounds, placements))
        # Back to the caller's order, which also decides the timeline's picture.
        recordings = [synced[order.index(k)] for k in range(len(names))]
        placed = [
            Placed(
                rec.uri,
                rec.offset_s,
                rec.duration_s,
                opened[order.index(k)].info.is_video,
                speed=(rec.speed_correction or 1.0) if correct_drift else 1.0,
            )
            for k, rec in enumerate(recordings)
        ]
        await progress.report(1.0, "done")
        return MulticamSync(
            reference=names[order[0]],
            sample_rate=ANALYSIS_RATE,
            recordings=recordings,
            timeline=synced_timeline(placed),
        )

    async def _extract(self, media: OpenedMedia, workspace: Workspace, index: int) -> Signal:
        pcm = workspace.path(f"sound-{index}.f32")
        await run_ffmpeg(extraction_args(media.input_args, pcm), duration_s=media.info.duration_s)
        return await anyio.to_thread.run_sync(load, pcm)


def _check_arguments(
    uris: list[str], reference: str | None, max_offset_s: float | None, min_confidence: float
) -> list[str]:
    if not 2 <= len(uris) <= _MAX_RECORDINGS:
        raise InvalidInput(
            f"align needs 2 to {_MAX_RECORDINGS} recordings, got {len(uris)}",
            value=len(uris),
            hint=f"Pass the uris of 2 to {_MAX_RECORDINGS} recordings of the same event.",
        )
    if len(set(uris)) != len(uris):
        twice = next(uri for uri in uris if uris.count(uri) > 1)
        raise InvalidInput("a recording is listed twice", value=twice, hint="List each recording once.")
    if reference is not None and reference not in uris:
        raise InvalidInput(
            "the reference is not one of the uris", value=reference, hint="Pass one of `uris` as reference."
        )
    if max_offset_s is not None and not max_offset_s > 0:
        raise InvalidInput(
            "max_offset_s must be positive", value=max_offset_s, hint="Leave it unset to search every offset."
        )
    if not min_confidence > 0:
        raise InvalidInput(
            "min_confidence must be positive", value=min_confidence, hint=f"The default is {TRUSTED_Z:g}."
        )
    return list(uris)


def _describe(
    opened: Sequence[OpenedMedia], signals: Sequence[Signal], placements: Sequence[Placement]
) -> list[RecordingSync]:
    """The figures for each recording (in reference-first order), drift measured on its sound."""
    out = []
    for index, (media, signal, placed) in enumerate(zip(opened, signals, placements, strict=True)):
        drift = None if index == 0 else measure_drift(signals[0], signal, ANALYSIS_RATE, placed.offset_s)
        out.append(
            RecordingSync(
                uri=media.ref.uri,
                offset_s=round(placed.offset_s, 6),
                confidence=round(placed.z, 1),
                residual_ms=None if placed.residual_s is None else round(placed.residual_s * 1000, 3),
                drift_ppm=None if drift is None else round(drift.ppm, 1),
                speed_correction=None if drift is None else round(drift.speed_correction, 9),
                duration_s=round(len(signal) / ANALYSIS_RATE, 6),
            )
        )
    return out


def _first_leaf(group: BaseExceptionGroup[AtomsError]) -> AtomsError:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
