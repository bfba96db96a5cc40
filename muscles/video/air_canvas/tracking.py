"""Finding the marker in a frame: HSV mask, morphology, the largest contour, its centroid."""

from __future__ import annotations

from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from .errors import EmptyColourRange
from .models import Marker

__all__ = ["check_marker", "find_marker"]

_KERNEL: Final = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
_LIMITS: Final = {"hue": 179, "saturation": 255, "value": 255}


def check_marker(marker: Marker) -> None:
    """Every bound within its scale, and saturation and value ranges not empty."""
    for channel, top in _LIMITS.items():
        low, high = getattr(marker, f"{channel}_low"), getattr(marker, f"{channel}_high")
        for end, value in (("low", low), ("high", high)):
            if not 0 <= value <= top:
                raise EmptyColourRange(
                    f"marker.{channel}_{end} is {value}; it must be within 0..{top}",
                    value=f"marker.{channel}_{end}",
                )
        if channel != "hue" and low > high:
            raise EmptyColourRange(
                f"marker.{channel}_low ({low}) is above marker.{channel}_high ({high}): no colour is in that range",
                value=f"marker.{channel}_low",
            )


def _mask(hsv: Any, marker: Marker) -> Any:
    """255 where a pixel is in the marker's colour range (OpenCV's arrays are untyped)."""
    s = (marker.saturation_low, marker.saturation_high)
    v = (marker.value_low, marker.value_high)
    if marker.hue_low <= marker.hue_high:
        return cv2.inRange(hsv, (marker.hue_low, s[0], v[0]), (marker.hue_high, s[1], v[1]))
    low = cv2.inRange(hsv, (marker.hue_low, s[0], v[0]), (179, s[1], v[1]))
    high = cv2.inRange(hsv, (0, s[0], v[0]), (marker.hue_high, s[1], v[1]))
    return cv2.bitwise_or(low, high)


def find_marker(frame: npt.NDArray[np.uint8], marker: Marker) -> tuple[float, float] | None:
    """The centroid (x, y) of the largest blob of the marker's colour, or None if there is none."""
    hsv = cv2.cvtColor(frame, cv2.COLOR_RGB2HSV)
    mask = _mask(hsv, marker)
    # Opening drops specks, closing fills holes: the blob's centroid is the marker's centre.
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, _KERNEL)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _KERNEL)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    moments = cv2.moments(largest)
    if moments["m00"] < max(1, marker.min_area_px):
        return None
    return moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
