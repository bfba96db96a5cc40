"""Our interpolator (preset ``flow``): dense optical flow both ways between two neighbouring
frames, each frame warped to the moment in between, blended where each is trustworthy.

OpenCV's DIS flow gives F01 (frame 0 -> 1) and F10. The flow from the in-between moment t
back to each frame is approximated from them as Super SloMo does (Jiang et al., 2018):
F_t0 = -(1-t) t F01 + t^2 F10 and F_t1 = (1-t)^2 F01 - t (1-t) F10, exact for linear motion
and smooth where motion is smooth. Each frame is backward-warped by its flow; the blend weighs
frame 0 by (1-t) and frame 1 by t, times how well that pixel's flow round-trips (forward-
backward consistency): a pixel that one frame covers up (occluded) fails the round trip
there, so the other frame supplies it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

__all__ = ["FlowPair", "interpolate", "pair"]

Frame = npt.NDArray[np.uint8]
Field = npt.NDArray[np.float32]

# A round-trip error of this many pixels halves a pixel's weight.
_CONSISTENCY_PX = 1.0
# Floor of a weight, so a pixel that fails both ways still gets the plain time-weighted blend.
_MIN_WEIGHT = 1e-3


@dataclass(frozen=True)
class FlowPair:
    """Two neighbouring frames and what interpolating between them needs, computed once for
    every in-between moment (a 0.1x slow motion asks for nine of them)."""

    first: Frame
    second: Frame
    forward: Field  # F01
    backward: Field  # F10
    trust_first: Field  # per pixel of frame 0: how well its flow round-trips, 0..1
    trust_second: Field


_DIS = cv2.DISOpticalFlow_PRESET_MEDIUM


def pair(first: Frame, second: Frame) -> FlowPair:
    """The flows both ways between ``first`` and ``second`` and their consistency."""
    dis = cv2.DISOpticalFlow.create(_DIS)
    gray0 = cv2.cvtColor(first, cv2.COLOR_RGB2GRAY)
    gray1 = cv2.cvtColor(second, cv2.COLOR_RGB2GRAY)
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
    )


def interpolate(flows: FlowPair, t: float) -> Frame:
    """The frame at ``t`` (0 < t < 1) between the pair's two frames."""
    f01, f10 = flows.forward, flows.backward
    to_first = -(1 - t) * t * f01 + t * t * f10
    to_second = (1 - t) * (1 - t) * f01 - t * (1 - t) * f10
    warped0, trust0 = _warp(flows.first, flows.trust_first, to_first)
    warped1, trust1 = _warp(flows.second, flows.trust_second, to_second)
    w0 = (1 - t) * (trust0 + _MIN_WEIGHT)
    w1 = t * (trust1 + _MIN_WEIGHT)
    blended = (warped0 * w0[..., None] + warped1 * w1[..., None]) / (w0 + w1)[..., None]
    return np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def _grid(field: Field) -> tuple[Field, Field]:
    height, width = field.shape[:2]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return xs, ys


def _warp(frame: Frame, trust: Field, field: Field) -> tuple[npt.NDArray[np.float32], Field]:
    """``frame`` and its trust sampled at ``x + field(x)`` (backward warping, bilinear)."""
    xs, ys = _grid(field)
    map_x, map_y = xs + field[..., 0], ys + field[..., 1]
    warped = cv2.remap(
        frame.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    sampled = cv2.remap(trust, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(warped, np.float32), np.asarray(sampled, np.float32)


def _consistency(there: Field, back: Field) -> Field:
    """exp(-(|there(x) + back(x + there(x))| / c)^2): 1 where the flow round-trips, ~0 where
    the pixel is hidden in the other frame."""
    xs, ys = _grid(there)
    returned = cv2.remap(
        back, xs + there[..., 0], ys + there[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    error = np.linalg.norm(there + returned, axis=2)
    trust: Field = np.exp(-((error / _CONSISTENCY_PX) ** 2) * np.log(2)).astype(np.float32)
    return trust
