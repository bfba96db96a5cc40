"""Keyframe curves: the value a lane has at a time, shared by split and the renderer."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from muscles.video.timeline.model import CameraKey, Interpolation, Keyframe, Vec3

__all__ = ["camera_at", "ease", "value_at"]


def ease(u: float, interpolation: Interpolation) -> float:
    """Share of the way from one key to the next at ``u`` (0..1) of the span between them."""
    if interpolation == "hold":
        return 0.0
    if interpolation == "ease_in_out":
        return u * u * (3 - 2 * u)  # smoothstep: the renderer's expression uses the same curve
    return u


def value_at(keys: Sequence[Keyframe], time_s: float) -> float:
    """The lane's value at ``time_s``: the first/last key's value outside them."""
    if time_s <= keys[0].time_s:
        return keys[0].value
    for key, following in itertools.pairwise(keys):
        if time_s < following.time_s:
            u = (time_s - key.time_s) / (following.time_s - key.time_s)
            return key.value + (following.value - key.value) * ease(u, key.interpolation)
    return keys[-1].value


def camera_at(keys: Sequence[CameraKey], time_s: float) -> CameraKey:
    """A camera key at ``time_s``, each vector interpolated component-wise."""
    if time_s <= keys[0].time_s:
        return keys[0].model_copy(update={"time_s": time_s})
    for key, following in itertools.pairwise(keys):
        if time_s < following.time_s:
            share = ease((time_s - key.time_s) / (following.time_s - key.time_s), key.interpolation)
            return CameraKey(
                time_s=time_s,
                position=_mix(key.position, following.position, share),
                normal=_mix(key.normal, following.normal, share),
                forward=_mix(key.forward, following.forward, share),
                interpolation=key.interpolation,
            )
    return keys[-1].model_copy(update={"time_s": time_s})


def _mix(a: Vec3, b: Vec3, share: float) -> Vec3:
    return Vec3(x=a.x + (b.x - a.x) * share, y=a.y + (b.y - a.y) * share, z=a.z + (b.z - a.z) * share)
