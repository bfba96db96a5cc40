"""video_review's own errors (a time outside the video is the video muscles' shared
:class:`muscles.video.timeline.TimeOutOfRange`).

core.errors.InvalidInput
└── GridInvalid      grid_invalid        rows, cols, tile width or the number of times
"""

from __future__ import annotations

from core.errors import InvalidInput

__all__ = ["GridInvalid"]


class GridInvalid(InvalidInput):
    code = "grid_invalid"
    default_hint = "rows and cols are 1-10, tile_width 32-1920, and at most rows x cols times."
