"""Errors of the timeline model: each names the clip (or overlay, transition) and the field.

core.errors.InvalidInput
├── TimelineInvalid     timeline_invalid    a structural or range problem (value: "<id>.<field>")
├── AutomationInvalid   automation_invalid  keyframes out of order, unknown parameter, zero vector
├── SplitOutOfRange     split_out_of_range  the razor time is not strictly inside a clip
└── TimeOutOfRange      time_out_of_range   a time asked of a video or timeline outside 0..duration
core.errors.NotFound
└── UnknownClip         unknown_clip        a clip id that the timeline does not hold
"""

from __future__ import annotations

from typing import Any

from core.errors import InvalidInput, NotFound

__all__ = [
    "AutomationInvalid",
    "SplitOutOfRange",
    "TimeOutOfRange",
    "TimelineInvalid",
    "UnknownClip",
    "where",
]


def where(item_id: str | None, field: str) -> str:
    """The ``value`` of a timeline error: ``"<clip id>.<field>"``, or the field alone."""
    return f"{item_id}.{field}" if item_id else field


class TimelineInvalid(InvalidInput):
    code = "timeline_invalid"
    default_hint = 'Fix the clip field named in value ("<clip id>.<field>") and send the timeline again.'

    def __init__(
        self,
        message: str,
        *,
        item_id: str | None,
        field: str,
        hint: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            message,
            value=where(item_id, field),
            hint=hint,
            details={"clip_id": item_id, "field": field, **(details or {})},
        )


class AutomationInvalid(InvalidInput):
    code = "automation_invalid"
    default_hint = (
        "Keyframe times are seconds from the clip's start on the timeline, strictly increasing; "
        "parameters are volume or brightness; camera vectors must not be zero."
    )


class SplitOutOfRange(InvalidInput):
    code = "split_out_of_range"
    default_hint = (
        "Pick a time strictly inside a clip and outside any crossfade; describe gives the clip spans."
    )


class TimeOutOfRange(InvalidInput):
    code = "time_out_of_range"
    default_hint = (
        "Pick times from 0 up to (not including) the duration_s (media_v2 stat or describe gives it)."
    )


class UnknownClip(NotFound):
    code = "unknown_clip"
    default_hint = "Use a clip id from the timeline's tracks."
