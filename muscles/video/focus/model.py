"""Focus tokens: where the picture should look, when, and how it gets there.

A token names a target on one clip (a point of the frame, a named region, or a tracked
subject's id), a time range on that clip and an easing. Regions and subjects are optional
metadata (from a detector or a tracker) passed beside the tokens; a token that refers to
metadata that is not there makes no keys at all (see :func:`muscles.video.focus.focus_automation`).

Frame coordinates are shares of the frame: x from the left edge (0) to the right (1), y from
the top (0) to the bottom (1). Times are seconds from the clip's start on the timeline, as for
every keyframe.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from muscles.video.timeline import AutomationPayload, Timeline
from muscles.video.timeline.model import Interpolation

__all__ = [
    "FocusAutomation",
    "FocusMetadata",
    "FocusPoint",
    "FocusRegion",
    "FocusSubject",
    "FocusTarget",
    "FocusToken",
    "FocusWarning",
    "Region",
    "SubjectSample",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FocusPoint(_Strict):
    """A point of the frame."""

    kind: Literal["point"] = "point"
    x: float = Field(description="0 (left edge) .. 1 (right edge)")
    y: float = Field(description="0 (top edge) .. 1 (bottom edge)")


class FocusRegion(_Strict):
    """A region named in the metadata's `regions` (a detector's box)."""

    kind: Literal["region"] = "region"
    name: str


class FocusSubject(_Strict):
    """A tracked subject: its samples in the metadata's `subjects`, followed over the range."""

    kind: Literal["subject"] = "subject"
    subject_id: str


FocusTarget = Annotated[FocusPoint | FocusRegion | FocusSubject, Field(discriminator="kind")]


class FocusToken(_Strict):
    """Frame ``target`` on clip ``clip_id``: the view eases from the previous framing (the whole
    frame for the clip's first token) onto the target between ``start_s`` and ``end_s``, and
    stays there until the clip's next token."""

    clip_id: str
    target: FocusTarget
    start_s: float = Field(description="Seconds from the clip's start: the move begins")
    end_s: float = Field(description="Seconds from the clip's start: the target is framed")
    easing: Interpolation = Field(
        default="ease_in_out", description="linear, ease_in_out or hold (a cut at end_s)"
    )
    zoom: float | None = Field(
        default=None,
        description="1..10: the view is 1/zoom of the frame; unset = 2 on a point or subject, a region's fit",
    )


class Region(_Strict):
    """A box of the frame: its top-left corner and size, as shares of the frame."""

    x: float
    y: float
    width: float
    height: float


class SubjectSample(_Strict):
    """Where a tracked subject's centre is at ``time_s`` (seconds from the clip's start)."""

    time_s: float
    x: float
    y: float


class FocusMetadata(_Strict):
    """Optional facts tokens may refer to: named regions and tracked subjects' paths."""

    regions: dict[str, Region] = Field(default_factory=dict)
    subjects: dict[str, list[SubjectSample]] = Field(
        default_factory=dict, description="subject id -> samples in increasing time"
    )


class FocusWarning(BaseModel):
    """Why no keys were made: which token refers to which missing metadata."""

    code: Literal["metadata_missing"] = "metadata_missing"
    token: int = Field(description="Index of the token in the request")
    missing: str = Field(description="The metadata it needs: regions.<name> or subjects.<id>")
    message: str


class FocusAutomation(BaseModel):
    """Keyframe payloads for video_timeline's apply_automation, one per clip; empty (with a
    warning for each missing piece of metadata) in no-op mode."""

    payloads: list[AutomationPayload]
    noop: bool = Field(description="True when metadata was missing: no keys at all, nothing guessed")
    warnings: list[FocusWarning] = Field(default_factory=list)
    timeline: Timeline | None = Field(
        default=None, description="The given timeline with the payloads applied (unchanged in no-op mode)"
    )
