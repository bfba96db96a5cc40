"""video_multicam's own error: recordings that cannot be lined up from their sound."""

from __future__ import annotations

from core.errors import MediaError

__all__ = ["NoOverlap"]


class NoOverlap(MediaError):
    code = "no_overlap"
    default_hint = (
        "The recordings share no sound that lines up clearly. Check that they are of the same event "
        "and overlap in time; widen or drop max_offset_s if the offset may be larger; lower "
        "min_confidence only if you can check the result by eye."
    )
