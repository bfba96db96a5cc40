"""Remap tables, built once per (kind, input size, view, output size) and kept in a bounded LRU.

Building the coordinates of a 1280x720 view costs tens of milliseconds of trigonometry;
applying them costs a few. A video's frames, and repeated calls for the same view, share one
table; the cache counts its builds so a test can see a second call reuse one (no timer).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import cv2
import numpy as np
import numpy.typing as npt

from .geometry import Coordinates

__all__ = ["TABLES", "Border", "RemapTable", "TableCache"]

# What lies outside the source: an equirect image wraps round (columns) and over the poles
# (rows, shifted half a turn); a perspective view is black around; padded cube faces are inside.
Border = Literal["sphere", "black", "inside"]
# Rows of pole padding an equirect source gets when a table reaches its top or bottom rows:
# bicubic reads two pixels beyond the one it lands on.
POLE_ROWS: Final = 2


@dataclass
class RemapTable:
    """Source coordinates per output pixel, with the fixed-point maps cv2.remap runs fastest on
    and, per torch device, the sampling grid (both made on first use and kept with the table)."""

    map_x: npt.NDArray[np.float32]
    map_y: npt.NDArray[np.float32]
    source_hw: tuple[int, int]
    border: Border
    pole_rows: int = 0
    _fixed: dict[bool, tuple[Any, Any]] = field(default_factory=dict, repr=False)
    grids: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, coordinates: Coordinates, source_hw: tuple[int, int], border: Border) -> RemapTable:
        map_x, map_y = coordinates
        pole_rows = 0
        if border == "sphere":
            # Sampling within two rows of a pole needs the rows across it: only then does
            # the frame get padded (a copy), so most views read the frame as it is.
            near_pole = float(map_y.min()) < POLE_ROWS or float(map_y.max()) > source_hw[0] - 1 - POLE_ROWS
            if near_pole:
                pole_rows = POLE_ROWS
                map_y = map_y + np.float32(POLE_ROWS)
        return cls(map_x, map_y, source_hw, border, pole_rows)

    @property
    def out_hw(self) -> tuple[int, int]:
        return self.map_x.shape[0], self.map_x.shape[1]

    def fixed_maps(self, nearest: bool = False) -> tuple[Any, Any]:
        if nearest not in self._fixed:
            self._fixed[nearest] = cv2.convertMaps(
                self.map_x, self.map_y, cv2.CV_16SC2, nninterpolation=nearest
            )
        return self._fixed[nearest]


class TableCache:
    """A bounded LRU of remap tables; ``builds`` counts the tables actually built."""

    def __init__(self, capacity: int = 16) -> None:
        self.capacity = capacity
        self.builds = 0
        self._tables: OrderedDict[Hashable, RemapTable] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], RemapTable]) -> RemapTable:
        with self._lock:
            table = self._tables.get(key)
            if table is not None:
                self._tables.move_to_end(key)
                return table
        table = build()  # outside the lock: two threads may build one table, both correctly
        with self._lock:
            self.builds += 1
            self._tables[key] = table
            self._tables.move_to_end(key)
            while len(self._tables) > self.capacity:
                self._tables.popitem(last=False)
        return table

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()

    def __len__(self) -> int:
        return len(self._tables)


# The process's cache: tables outlive a call, so the next call for the same view is cheap.
TABLES: Final = TableCache()
