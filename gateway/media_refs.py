"""Media references wherever they hide in a payload, and their redaction for lenses without media.

A media URI (``atoms://media/<asset>/<file>``) names an asset as surely as a sidecar does, so a
lens that may not see media must not find one anywhere: not at the start of a string only, but
inside prose, after whitespace, percent-encoded inside another URL, as an object key, and as
the ``uri`` of a MediaRef-shaped object (whose ``asset_id``, ``filename`` and ``sha256`` would
name it just as well; the object is replaced as a sidecar is).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["REDACTED", "contains_media_uri", "redact_sidecars", "scrub_media"]

REDACTED = "[redacted]"
_MEDIA_URI = re.compile(r"atoms(?::|%3a)(?:/|%2f){2}media(?:/|%2f)[A-Za-z0-9._~%/+=-]*", re.IGNORECASE)


def contains_media_uri(text: str) -> bool:
    return _MEDIA_URI.search(text) is not None


def redact_sidecars(sidecars: list[Any]) -> list[dict[str, Any]]:
    return [_redacted_ref(ref) for ref in sidecars]


def scrub_media(value: Any) -> Any:
    """``value`` with every media reference replaced (the input is not changed)."""
    if isinstance(value, str):
        return _MEDIA_URI.sub(REDACTED, value)
    if isinstance(value, list):
        return [scrub_media(item) for item in value]
    if isinstance(value, dict):
        uri = value.get("uri")
        if isinstance(uri, str) and contains_media_uri(uri):
            return _redacted_ref(value)
        scrubbed: dict[str, Any] = {}
        for key, item in value.items():
            name = _MEDIA_URI.sub(REDACTED, key)
            while name in scrubbed:  # two redacted keys must not overwrite each other
                name += "'"
            scrubbed[name] = scrub_media(item)
        return scrubbed
    return value


def _redacted_ref(ref: Any) -> dict[str, Any]:
    mime = ref.get("mime_type") if isinstance(ref, dict) else None
    return {"redacted": True, "mime_type": mime if isinstance(mime, str) else None}
