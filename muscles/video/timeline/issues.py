"""One problem of a timeline, naming the clip (or overlay, transition) and the field."""

from __future__ import annotations

import re
from typing import Final

from pydantic import BaseModel, Field

__all__ = ["COLOR", "EPSILON_S", "Issue", "issue"]

# Times closer than this are the same instant (well under one frame at 240 fps).
EPSILON_S: Final = 0.001
COLOR: Final = re.compile(r"^(?:[a-zA-Z]{3,20}|#[0-9a-fA-F]{6})(?:@(?:0(?:\.\d{1,3})?|1(?:\.0{1,3})?))?$")


class Issue(BaseModel):
    """One problem: its code, where it is (clip id and field) and how to fix it."""

    code: str = Field(description="timeline_invalid, asset_not_found or media_unreadable")
    clip_id: str | None = Field(description="The clip, overlay or transition at fault (None: the timeline)")
    field: str
    message: str
    hint: str


def issue(item_id: str | None, field: str, message: str, hint: str, code: str = "timeline_invalid") -> Issue:
    subject = f"clip {item_id}: " if item_id else ""
    return Issue(code=code, clip_id=item_id, field=field, message=subject + message, hint=hint)
