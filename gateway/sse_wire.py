"""What goes over an SSE connection: the wire form of an event, and the cursor a client sends back."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from core.errors import InvalidInput
from gateway.spine import SpineEvent
from gateway.spine.checks import MAX_SEQ

__all__ = ["CURSOR_QUERY_NAMES", "dumps", "parse_cursor", "wire_event"]

CURSOR_QUERY_NAMES = ("last_event_id", "lastEventId", "Last-Event-ID")
_MAX_CURSOR_DIGITS = len(str(MAX_SEQ))


def wire_event(event: SpineEvent) -> dict[str, Any]:
    """The JSON a subscriber receives as an event's data (before its lens is applied)."""
    payload = event.payload
    return {
        "id": event.seq,
        "type": event.type,
        "data": payload.get("data", {}),
        "sidecars": payload.get("sidecars", []),
        "actor": payload.get("actor"),
        "created_at": event.created_at,
    }


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_cursor(request: Request) -> int | None:
    """Last-Event-ID from the header, or from the query for clients that cannot set headers.

    Only ASCII digits of an id the spine can hold: ``isdigit`` alone would take other scripts'
    digits (and ``²``, which ``int`` then refuses), and 5,000 digits would reach ``int``'s limit.
    """
    raw = request.headers.get("last-event-id")
    if raw is None:
        raw = next((request.query_params[n] for n in CURSOR_QUERY_NAMES if n in request.query_params), None)
    if raw is None:
        return None
    raw = raw.strip()
    if raw == "":
        return None  # WHATWG: an empty id resets the cursor
    if not (raw.isascii() and raw.isdigit()) or len(raw) > _MAX_CURSOR_DIGITS or int(raw) > MAX_SEQ:
        raise InvalidInput(
            "Last-Event-ID is not an event id", value=raw, hint="Send back the id of the last event received."
        )
    return int(raw)
