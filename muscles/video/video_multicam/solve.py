"""Offsets for many recordings at once: every pair is matched, and the offsets that best agree
with all trusted pairs (least squares) are kept, so one recording that shares little sound
with the reference is still placed through the others. A recording's residual is how far
its pairs disagree with the solution: one bad pair shows up there."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .correlate import Match, Signal, match
from .errors import NoOverlap

__all__ = ["Placement", "place"]


@dataclass(frozen=True)
class Placement:
    """Where a recording starts on the reference's clock, how sure that is, and the residual
    (seconds; None with only two recordings, where there is nothing to disagree with)."""

    offset_s: float
    z: float
    residual_s: float | None


def place(
    signals: Sequence[Signal],
    rate: int,
    names: Sequence[str],
    *,
    max_offset_s: float | None,
    min_z: float,
    on_pair: Callable[[int, int], None] = lambda done, total: None,
) -> list[Placement]:
    """Placements of ``signals`` against ``signals[0]`` (offset 0). NoOverlap names a recording
    no trusted pair connects to the reference, with the best z-score it reached."""
    pairs = list(itertools.combinations(range(len(signals)), 2))
    found: dict[tuple[int, int], Match] = {}
    for done, (i, j) in enumerate(pairs, start=1):
        # With a bound on each offset from the reference, two others differ by up to twice it.
        bound = max_offset_s if max_offset_s is None or i == 0 else 2 * max_offset_s
        result = match(signals[i], signals[j], rate, max_offset_s=bound)
        if result is not None:
            found[(i, j)] = result
        on_pair(done, len(pairs))
    trusted = {pair: m for pair, m in found.items() if m.z >= min_z}
    _refuse_unplaced(len(signals), found, trusted, names, min_z)
    if len(signals) == 2:
        only = trusted[(0, 1)]
        return [Placement(0.0, only.z, None), Placement(only.offset_s, only.z, None)]
    return _least_squares(len(signals), trusted)


def _least_squares(count: int, trusted: dict[tuple[int, int], Match]) -> list[Placement]:
    # Unknowns: offsets of recordings 1..count-1; recording 0 is the reference at 0.
    rows = np.zeros((len(trusted), count - 1))
    observed = np.zeros(len(trusted))
    for row, ((i, j), m) in enumerate(trusted.items()):
        if i > 0:
            rows[row, i - 1] = -1.0
        rows[row, j - 1] = 1.0
        observed[row] = m.offset_s
    solution = np.linalg.lstsq(rows, observed, rcond=None)[0]
    offsets = np.concatenate([[0.0], solution])
    placements = []
    for k in range(count):
        mine = [(m, offsets[j] - offsets[i]) for (i, j), m in trusted.items() if k in (i, j)]
        misfit = [m.offset_s - fitted for m, fitted in mine]
        placements.append(
            Placement(
                offset_s=float(offsets[k]),
                z=max(m.z for m, _ in mine),
                residual_s=float(np.sqrt(np.mean(np.square(misfit)))),
            )
        )
    return placements


def _refuse_unplaced(
    count: int,
    found: dict[tuple[int, int], Match],
    trusted: dict[tuple[int, int], Match],
    names: Sequence[str],
    min_z: float,
) -> None:
    """Every recording must reach the reference through trusted pairs."""
    reached, frontier = {0}, [0]
    while frontier:
        k = frontier.pop()
        for i, j in trusted:
            other = j if i == k else i if j == k else None
            if other is not None and other not in reached:
                reached.add(other)
                frontier.append(other)
    for k in range(count):
        if k in reached:
            continue
        best = max((m.z for pair, m in found.items() if k in pair), default=0.0)
        raise NoOverlap(
            f"{names[k]} shares no sound with the other recordings that can be trusted "
            f"(best peak z-score {best:.1f}, below {min_z:g})",
            value=names[k],
            details={"z": round(best, 2), "min_confidence": min_z},
        )
