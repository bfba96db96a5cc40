"""Marching squares on a grid: iso-lines of a level as polylines in (row, column) index space.

Only cells whose corners straddle the level are visited (found with numpy); their segments are
chained through the cell edges they share, so every line comes out as one ordered polyline,
closed when it returns to its start. A saddle cell is split the way its centre value says.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numpy.typing import NDArray

__all__ = ["iso_lines"]

Edge = tuple[str, int, int]  # ("h", i, j): (i, j)-(i, j+1); ("v", i, j): (i, j)-(i+1, j)
Point = tuple[float, float]


def iso_lines(
    values: NDArray[np.float64], level: float, *, wrap_columns: bool = False
) -> list[tuple[list[Point], bool]]:
    """Polylines (row, column) where ``values`` crosses ``level``, each with whether it closes;
    a closed line repeats its first point at the end. With ``wrap_columns`` the last column is
    the first one again (a global longitude grid), so lines join across it."""
    above = values >= level
    corners = above[:-1, :-1].astype(np.int8) + above[:-1, 1:] + above[1:, 1:] + above[1:, :-1]
    segments: list[tuple[Edge, Edge]] = []
    for i, j in zip(*np.nonzero((corners > 0) & (corners < 4)), strict=True):
        segments += _cell_segments(values, above, int(i), int(j), level)
    if wrap_columns:
        last = values.shape[1] - 1
        segments = [(_wrapped(a, last), _wrapped(b, last)) for a, b in segments]
    return _chain(segments, values, level)


def _wrapped(edge: Edge, last: int) -> Edge:
    kind, i, j = edge
    return (kind, i, 0) if kind == "v" and j == last else edge


def _cell_segments(
    values: NDArray[np.float64], above: NDArray[np.bool_], i: int, j: int, level: float
) -> list[tuple[Edge, Edge]]:
    a, b, c, d = above[i, j], above[i, j + 1], above[i + 1, j + 1], above[i + 1, j]
    top, right, bottom, left = ("h", i, j), ("v", i, j + 1), ("h", i + 1, j), ("v", i, j)
    crossed = [
        edge for edge, cut in ((top, a != b), (right, b != c), (bottom, d != c), (left, a != d)) if cut
    ]
    if len(crossed) == 2:
        return [(crossed[0], crossed[1])]
    centre = float(values[i : i + 2, j : j + 2].mean()) >= level
    if centre == a:  # a and c connect through the centre: cut off b and d
        return [(top, right), (left, bottom)]
    return [(left, top), (right, bottom)]


def _crossing(edge: Edge, values: NDArray[np.float64], level: float) -> Point:
    kind, i, j = edge
    i2, j2 = (i, j + 1) if kind == "h" else (i + 1, j)
    v1, v2 = float(values[i, j]), float(values[i2, j2])
    share = 0.5 if v1 == v2 else (level - v1) / (v2 - v1)
    return (i + (i2 - i) * share, j + (j2 - j) * share)


def _chain(
    segments: list[tuple[Edge, Edge]], values: NDArray[np.float64], level: float
) -> list[tuple[list[Point], bool]]:
    touching: dict[Edge, list[int]] = defaultdict(list)
    for index, (first, second) in enumerate(segments):
        touching[first].append(index)
        touching[second].append(index)
    used = [False] * len(segments)
    # Start open lines at their loose ends (an edge with one segment), then whatever is left is closed.
    starts = [edge for edge, owners in touching.items() if len(owners) == 1]
    starts += [segments[i][0] for i in range(len(segments))]
    lines: list[tuple[list[Point], bool]] = []
    for start in starts:
        owner = next((i for i in touching[start] if not used[i]), None)
        if owner is None:
            continue
        edges, here = [start], start
        while owner is not None:
            used[owner] = True
            first, second = segments[owner]
            here = second if first == here else first
            edges.append(here)
            owner = next((i for i in touching[here] if not used[i]), None)
        points = [_crossing(edge, values, level) for edge in edges]
        lines.append((points, len(edges) > 2 and edges[0] == edges[-1]))
    return lines
