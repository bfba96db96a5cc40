"""Our interpolator (preset ``flow``): dense optical flow both ways between two neighbouring
frames, each frame warped to the moment in between, blended where each is trustworthy.

OpenCV's DIS flow gives F01 (frame 0 -> 1) and F10. The flow from the in-between moment t
back to each frame is approximated from them as Super SloMo does (Jiang et al., 2018):
F_t0 = -(1-t) t F01 + t^2 F10 and F_t1 = (1-t)^2 F01 - t (1-t) F10, exact for linear motion
and smooth where motion is smooth. Each frame is backward-warped by its flow; the blend weighs
frame 0 by (1-t) and frame 1 by t, times how well that pixel's flow round-trips (forward-
backward consistency): a pixel that one frame covers up (occluded) fails the round trip
there, so the other frame supplies it.

Flow, consistency and weights are worked out on frames at most :data:`WORK_WIDTH` wide (motion
is smooth at that scale, and it is where the time goes); only the two warps and the blend run
at full size, on the 8-bit frames, in OpenCV (multi-threaded, outside the GIL).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

__all__ = ["WORK_WIDTH", "FlowPair", "interpolate", "pair"]

Frame = npt.NDArray[np.uint8]
Field = npt.NDArray[np.float32]

WORK_WIDTH = 480
# A round-trip error of this many (working) pixels halves a pixel's weight.
_CONSISTENCY_PX = 1.0
# Floor of a weight, so a pixel that fails both ways still gets the plain time-weighted blend.
_MIN_WEIGHT = 1e-3
_DIS = cv2.DISOpticalFlow_PRESET_MEDIUM


@dataclass(frozen=True)
class FlowPair:
    """Two neighbouring frames and what interpolating between them needs, computed once for
    every in-between moment (a 0.1x slow motion asks for nine of them)."""

    first: Frame
    second: Frame
    forward: Field  # F01, working size and pixels
    backward: Field  # F10
    trust_first: Field  # per working pixel of frame 0: how well its flow round-trips, 0..1
    trust_second: Field
    scale: float  # full-size pixels per working pixel


def pair(first: Frame, second: Frame) -> FlowPair:
    """The flows both ways between ``first`` and ``second`` and their consistency."""
    height, width = first.shape[:2]
    scale = max(1.0, width / WORK_WIDTH)
    size = (max(8, round(width / scale)), max(8, round(height / scale)))
    gray0, gray1 = (_small_gray(frame, size) for frame in (first, second))
    dis = cv2.DISOpticalFlow.create(_DIS)
    # DIS ignores the flow it is passed unless told to start from it.
    forward = np.asarray(dis.calc(gray0, gray1, np.zeros((*gray0.shape, 2), np.float32)), np.float32)
    backward = np.asarray(dis.calc(gray1, gray0, np.zeros((*gray0.shape, 2), np.float32)), np.float32)
    return FlowPair(
        first=first,
        second=second,
        forward=forward,
        backward=backward,
        trust_first=_consistency(forward, backward),
        trust_second=_consistency(backward, forward),
        scale=scale,
    )


def interpolate(flows: FlowPair, t: float) -> Frame:
    """The frame at ``t`` (0 < t < 1) between the pair's two frames."""
    f01, f10 = flows.forward, flows.backward
    to_first = -(1 - t) * t * f01 + t * t * f10
    to_second = (1 - t) * (1 - t) * f01 - t * (1 - t) * f10
    w0 = (1 - t) * (_sample(flows.trust_first, to_first) + _MIN_WEIGHT)
    w1 = t * (_sample(flows.trust_second, to_second) + _MIN_WEIGHT)
    height, width = flows.first.shape[:2]
    warped0 = _warp_full(flows.first, to_first, flows.scale)
    warped1 = _warp_full(flows.second, to_second, flows.scale)
    weight0 = cv2.resize(w0, (width, height), interpolation=cv2.INTER_LINEAR)
    weight1 = cv2.resize(w1, (width, height), interpolation=cv2.INTER_LINEAR)
    blended: Frame = np.asarray(cv2.blendLinear(warped0, warped1, weight0, weight1), np.uint8)
    return blended


def _small_gray(frame: Frame, size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    if (gray.shape[1], gray.shape[0]) == size:
        return np.asarray(gray, np.uint8)
    return np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), np.uint8)


@functools.lru_cache(maxsize=4)
def _grid(height: int, width: int) -> tuple[Field, Field]:
    """Pixel coordinates (read only: shared between calls of one size)."""
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return xs, ys


def _sample(image: Field, field: Field) -> Field:
    """``image`` at ``x + field(x)`` (bilinear, edges repeated), all at working size."""
    xs, ys = _grid(*field.shape[:2])
    sampled = cv2.remap(
        image, xs + field[..., 0], ys + field[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(sampled, np.float32)


def _warp_full(frame: Frame, field: Field, scale: float) -> Frame:
    """``frame`` backward-warped by the working-size ``field``, brought up to full size."""
    height, width = frame.shape[:2]
    if field.shape[:2] != (height, width):
        field = cv2.resize(field, (width, height), interpolation=cv2.INTER_LINEAR) * np.float32(scale)
    xs, ys = _grid(height, width)
    warped = cv2.remap(
        frame, xs + field[..., 0], ys + field[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(warped, np.uint8)


def _consistency(there: Field, back: Field) -> Field:
    """exp(-(|there(x) + back(x + there(x))| / c)^2 ln 2): 1 where the flow round-trips, ~0
    where the pixel is hidden in the other frame."""
    error = np.linalg.norm(there + _sample(back, there), axis=2)
    trust: Field = np.exp(-((error / _CONSISTENCY_PX) ** 2) * np.log(2)).astype(np.float32)
    return trust
