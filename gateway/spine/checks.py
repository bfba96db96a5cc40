"""Input checks every backend applies before touching its store.

The app validates envelopes (scope, size, inline media); these are the spine's own limits:
what would otherwise fail deep inside a database driver with an unhelpful message.
"""

from __future__ import annotations

import json
import math
from typing import Any

from core.errors import InvalidArguments

# pg_notify payloads must stay under 8000 bytes and carry "stream:seq"; keep streams far below.
MAX_STREAM_CHARS = 512
MAX_NAME_CHARS = 200
MAX_SEQ = 2**63 - 1  # PostgreSQL bigint, SQLite INTEGER


def check_name(value: str, what: str, limit: int = MAX_NAME_CHARS) -> None:
    if not isinstance(value, str) or not value or len(value) > limit or "\x00" in value:
        raise InvalidArguments(
            f"{what} must be a non-empty string of at most {limit} characters without NUL",
            value=value,
            hint=f"Pass a shorter {what}.",
        )


def encode_payload(payload: dict[str, Any]) -> str:
    """The payload as compact JSON text; refuse what JSON (and PostgreSQL jsonb) cannot hold."""
    if not isinstance(payload, dict):
        raise InvalidArguments("event payload must be a JSON object", value=type(payload).__name__)
    try:
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArguments(
            "event payload is not JSON-serialisable",
            value=str(exc),
            hint="Send only JSON types (objects, arrays, strings, finite numbers, booleans, null).",
        ) from None
    if "\\u0000" in text:
        raise InvalidArguments(
            "event payload contains a NUL character", hint="Strip U+0000 from strings; jsonb refuses it."
        )
    return text


def check_append(stream: str, tenant_id: str, type: str) -> None:
    check_name(stream, "stream", MAX_STREAM_CHARS)
    check_name(tenant_id, "tenant_id")
    check_name(type, "event type")


def check_keep_last(keep_last: int) -> None:
    if not isinstance(keep_last, int) or keep_last < 0:
        raise InvalidArguments("keep_last must be an integer >= 0", value=keep_last)


def check_floor(floor: int | None) -> None:
    if floor is not None and (not isinstance(floor, int) or not 0 <= floor <= MAX_SEQ):
        raise InvalidArguments(f"floor must be an integer between 0 and {MAX_SEQ}", value=floor)


def check_epoch(when: float) -> None:
    if not isinstance(when, (int, float)) or not math.isfinite(when):
        raise InvalidArguments("the time must be a finite number of epoch seconds", value=when)


def check_after_seq(after_seq: int, limit: int) -> None:
    if not isinstance(after_seq, int) or not 0 <= after_seq <= MAX_SEQ:
        raise InvalidArguments(f"after_seq must be an integer between 0 and {MAX_SEQ}", value=after_seq)
    if not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise InvalidArguments("limit must be an integer between 1 and 10000", value=limit)
