"""Long recordings in windows: where each window starts, and which of its segments to keep.

A window's last seconds may end mid-word, so segments ending in its final ``MARGIN_S`` are
dropped and the next window starts where the last kept segment ended: those words are heard
again, whole. This is what Whisper does inside a recording with its 30 s windows, one level
up. A window with no segment to keep (silence, or one segment running into the margin) moves
on by its length less the margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .transcript import Segment, Word

__all__ = ["MARGIN_S", "Cut", "cut_window"]

MARGIN_S: Final = 5.0


@dataclass(frozen=True)
class Cut:
    segments: list[Segment]  # on the recording's clock, numbered from ``first_id``
    next_start_s: float  # where the next window starts


def cut_window(segments: list[Segment], *, start_s: float, length_s: float, last: bool, first_id: int) -> Cut:
    """The segments of the window at ``start_s`` (``length_s`` long) to keep, moved onto the
    recording's clock, and where the next window starts."""
    kept = segments if last else [segment for segment in segments if segment.end <= length_s - MARGIN_S]
    moved = [_shift(segment, start_s, first_id + index) for index, segment in enumerate(kept)]
    if last:
        return Cut(moved, start_s + length_s)
    advance = kept[-1].end if kept else length_s - (MARGIN_S if segments else 0.0)
    return Cut(moved, start_s + max(advance, MARGIN_S))


def _shift(segment: Segment, by: float, index: int) -> Segment:
    words = [
        Word(word=w.word, start=round(w.start + by, 3), end=round(w.end + by, 3), probability=w.probability)
        for w in segment.words
    ]
    return segment.model_copy(
        update={
            "id": index,
            "start": round(segment.start + by, 3),
            "end": round(segment.end + by, 3),
            "words": words,
        }
    )
