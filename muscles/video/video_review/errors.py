"""video_review's own errors.

core.errors.InvalidInput
├── TimeOutOfRange   time_out_of_range   a time before 0 or at/after the end of the video
└── GridInvalid      grid_invalid        rows, cols, tile width or the number of times
"""

from __future__ import annotations

from core.errors import InvalidInput

__all__ = ["GridInvalid", "TimeOutOfRange"]


class TimeOutOfRange(InvalidInput):
    code = "time_out_of_range"
    default_hint = "Pick times from 0 up to (not including) the video's duration_s; media_v2 stat gives it."


class GridInvalid(InvalidInput):
    code = "grid_invalid"
    default_hint = "rows and cols are 1-10, tile_width 32-1920, and at most rows x cols times."
