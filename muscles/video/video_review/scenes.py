"""Hard cuts from frame to frame: a colour-histogram difference, hue included.

ffmpeg's own scene scores (``select='gt(scene,x)'``, ``scdet``) compare the luma of
neighbouring frames, so a cut between two shots of equal brightness and different hue scores
next to nothing (measured on ffmpeg 5.1: 0.05 where the threshold is 10). Here each frame
(decoded small) gets two histograms: hue x saturation of its coloured pixels, with one bin for
the near-grey and near-black pixels whose hue means nothing, and luma (BT.601). A frame's score
is the larger of the two histograms' distances to the previous frame's (half the L1 distance:
0 for the same distribution, 1 for disjoint ones). Histograms ignore where a colour is, so
motion inside a shot scores low while a change of shot scores high, whichever of hue or
brightness changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["FrameScore", "histograms", "pick_cuts", "scores"]

HUE_BINS: Final = 12  # 30 degrees each
SATURATION_BINS: Final = 2  # saturation 0.2-0.6 and 0.6-1
LUMA_BINS: Final = 16
_COLOUR_BINS: Final = HUE_BINS * SATURATION_BINS + 1  # the last: neutral (grey, near-black)
# Below these, a pixel's hue is noise: it counts in the neutral bin (saturation 0.2, value 0.12).
_MIN_SATURATION_FIFTHS: Final = 1
_MIN_VALUE: Final = 31
# Frames scored at once: numpy's per-call overhead is paid per batch, not per frame.
BATCH: Final = 64

Histograms = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]


@dataclass(frozen=True)
class FrameScore:
    """How far frame ``frame`` is from the frame before it (0..1)."""

    frame: int
    score: float


def histograms(frames: npt.NDArray[np.uint8]) -> Histograms:
    """The (hue x saturation + neutral, luma) histograms of each of ``B x H x W x 3`` RGB frames,
    as ``B x 25`` and ``B x 16`` arrays whose rows sum to 1.

    Each pixel's bins come from two lookup tables indexed by its colour at 5 bits a channel
    (32,768 colours): three shifts and two lookups a pixel instead of the HSV arithmetic."""
    count = frames.shape[0]
    pixels = frames.reshape(count, -1, 3)
    index = (
        (pixels[..., 0].astype(np.int32) >> 3) << 10
        | (pixels[..., 1].astype(np.int32) >> 3) << 5
        | pixels[..., 2].astype(np.int32) >> 3
    )
    offsets = np.arange(count, dtype=np.int32)[:, None]
    colour = np.bincount((offsets * _COLOUR_BINS + _COLOUR_OF[index]).ravel(), minlength=count * _COLOUR_BINS)
    luma = np.bincount((offsets * LUMA_BINS + _LUMA_OF[index]).ravel(), minlength=count * LUMA_BINS)
    size = float(pixels.shape[1])
    return colour.reshape(count, _COLOUR_BINS) / size, luma.reshape(count, LUMA_BINS) / size


def _tables() -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Colour bin and luma bin of each 15-bit colour, from the centre of its cell."""
    levels = np.arange(32, dtype=np.int32) * 8 + 4
    red, green, blue = (axis.ravel() for axis in np.meshgrid(levels, levels, levels, indexing="ij"))
    high = np.maximum(np.maximum(red, green), blue)
    chroma = high - np.minimum(np.minimum(red, green), blue)
    coloured = (chroma * 5 >= high * _MIN_SATURATION_FIFTHS) & (high >= _MIN_VALUE) & (chroma > 0)
    vivid = (chroma * 5 >= high * 3).astype(np.int32)  # saturation >= 0.6
    safe = np.where(chroma > 0, chroma, 1)
    sixths = np.where(  # hue in sixths of the circle (HSV hexcone)
        high == red,
        np.mod((green - blue) / safe, 6.0),
        np.where(high == green, (blue - red) / safe + 2.0, (red - green) / safe + 4.0),
    )
    hue_bin = np.minimum((sixths * (HUE_BINS / 6.0)).astype(np.int32), HUE_BINS - 1)
    colour_bin = np.where(coloured, hue_bin * SATURATION_BINS + vivid, _COLOUR_BINS - 1).astype(np.int32)
    luma_bin = ((299 * red + 587 * green + 114 * blue) * LUMA_BINS // 256_000).astype(np.int32)
    return colour_bin, luma_bin


_COLOUR_OF, _LUMA_OF = _tables()


def distances(one: Histograms, other: Histograms) -> npt.NDArray[np.float64]:
    """Row by row, the larger of the colour and luma histograms' half L1 distances (0..1)."""
    colour = 0.5 * np.abs(one[0] - other[0]).sum(axis=1)
    luma = 0.5 * np.abs(one[1] - other[1]).sum(axis=1)
    distance: npt.NDArray[np.float64] = np.maximum(colour, luma)
    return distance


def scores(frames: Iterable[npt.NDArray[np.uint8]]) -> Iterator[FrameScore]:
    """Each frame's score against the frame before it, from the second frame on."""
    previous: Histograms | None = None
    first = 0
    for batch in _batches(frames):
        current = histograms(batch)
        if previous is not None:
            # Each frame against the one before: the batch shifted by one, the previous
            # batch's last frame in front.
            before = (
                np.vstack([previous[0][-1:], current[0][:-1]]),
                np.vstack([previous[1][-1:], current[1][:-1]]),
            )
            found = distances(before, current)
            yield from (FrameScore(first + i, float(score)) for i, score in enumerate(found))
        else:
            found = distances((current[0][:-1], current[1][:-1]), (current[0][1:], current[1][1:]))
            yield from (FrameScore(first + 1 + i, float(score)) for i, score in enumerate(found))
        previous = current
        first += len(batch)


def _batches(frames: Iterable[npt.NDArray[np.uint8]]) -> Iterator[npt.NDArray[np.uint8]]:
    pending: list[npt.NDArray[np.uint8]] = []
    for frame in frames:
        pending.append(frame)
        if len(pending) == BATCH:
            yield np.stack(pending)
            pending = []
    if pending:
        yield np.stack(pending)


def pick_cuts(
    frame_scores: Iterable[FrameScore], *, threshold: float, min_gap_frames: int
) -> list[FrameScore]:
    """Frames scoring at least ``threshold``, each at least ``min_gap_frames`` after the previous
    cut and after the first frame (a cut too close to the one before is dropped)."""
    cuts: list[FrameScore] = []
    for found in frame_scores:
        last = cuts[-1].frame if cuts else 0
        if found.score >= threshold and found.frame - last >= min_gap_frames:
            cuts.append(found)
    return cuts
