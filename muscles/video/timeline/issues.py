"""One problem of a timeline: its code, the clip (or overlay, track, caption) and field at
fault, and how to fix it. Every validation module yields these."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["Issue", "issue"]


class Issue(BaseModel):
    """One problem: its code, where it is (clip id and field) and how to fix it."""

    code: str = Field(description="timeline_invalid, asset_not_found or media_unreadable")
    clip_id: str | None = Field(description="The clip, overlay or transition at fault (None: the timeline)")
    field: str
    message: str
    hint: str


def issue(
    item_id: str | None,
    field: str,
    message: str,
    hint: str,
    code: str = "timeline_invalid",
    *,
    what: str = "clip",
) -> Issue:
    """An issue of ``what`` (a clip, a caption track) ``item_id``, or of the timeline when None."""
    subject = f"{what} {item_id}: " if item_id else ""
    return Issue(code=code, clip_id=item_id, field=field, message=subject + message, hint=hint)
