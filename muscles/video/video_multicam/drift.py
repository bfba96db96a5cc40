"""Clock drift: two recorders whose clocks disagree by a few parts per million drift apart
over a long take (100 ppm is 6 ms a minute). The offset is measured again on a window at the
start and at the end of the common stretch; its change over the recording's own elapsed
time is the drift."""

from __future__ import annotations

from dataclasses import dataclass

from .correlate import TRUSTED_Z, Signal, match

__all__ = ["MIN_SPAN_S", "Drift", "measure_drift"]

# Below this much common sound two windows are too close for a drift figure to mean anything.
MIN_SPAN_S = 30.0
_WINDOW_S = 20.0
# How far the offset may have moved between the windows, per second of overlap (1000 ppm).
_SEARCH_PER_S = 1e-3
_SEARCH_MIN_S = 0.02


@dataclass(frozen=True)
class Drift:
    """``ppm`` > 0: the recording's clock runs slow against the reference's (its sound falls
    behind); playing it at ``speed_correction`` cancels that."""

    ppm: float
    speed_correction: float


def measure_drift(reference: Signal, other: Signal, rate: int, offset_s: float) -> Drift | None:
    """The drift of ``other`` (placed ``offset_s`` after ``reference``), or None when their
    common stretch is shorter than :data:`MIN_SPAN_S` or a window finds no clear match."""
    start = max(0.0, offset_s)
    end = min(len(reference) / rate, offset_s + len(other) / rate)
    span = end - start
    if span < MIN_SPAN_S:
        return None
    margin = _SEARCH_MIN_S + _SEARCH_PER_S * span
    window = min(_WINDOW_S, span / 4)
    first = _local_offset(reference, other, rate, offset_s, start + margin, window, margin)
    last = _local_offset(reference, other, rate, offset_s, end - margin - window, window, margin)
    if first is None or last is None:
        return None
    (at_first, offset_first), (at_last, offset_last) = first, last
    slope = (offset_last - offset_first) / (at_last - at_first)
    return Drift(ppm=slope * 1e6, speed_correction=1.0 / (1.0 + slope))


def _local_offset(
    reference: Signal,
    other: Signal,
    rate: int,
    offset_s: float,
    at_s: float,
    window_s: float,
    margin_s: float,
) -> tuple[float, float] | None:
    """(the window's centre in ``other``'s time, the offset measured there) for the reference
    window ``at_s .. at_s + window_s``, searched ``margin_s`` either side of ``offset_s``."""
    ref_piece = reference[round(at_s * rate) : round((at_s + window_s) * rate)]
    other_from = max(0, round((at_s - offset_s - margin_s) * rate))
    other_piece = other[other_from : round((at_s + window_s - offset_s + margin_s) * rate)]
    expected = offset_s - (at_s - other_from / rate)  # other_piece's start, relative to ref_piece's
    found = match(ref_piece, other_piece, rate, max_offset_s=margin_s, near_s=expected)
    if found is None or found.z < TRUSTED_Z:
        return None
    local = at_s + found.offset_s - other_from / rate
    return at_s + window_s / 2 - local, local
