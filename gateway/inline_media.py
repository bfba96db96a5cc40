"""Refuse media smuggled into envelopes: data: URIs, base64 runs, raw bytes, byte arrays.

Media travel as sidecar MediaRefs only. The scan walks every key and value of a decoded JSON
body once; thresholds are generous enough that prose, ids, hashes, URLs and JWT-sized tokens
pass (the tests send 1,000 real events through it).
"""

from __future__ import annotations

import json
import re
from typing import Any

from gateway.errors import InlineMedia, InvalidEnvelope

__all__ = ["check_no_inline_media", "decode_json_body"]

# ``data:`` at a word start, an optional media type and parameters, then the comma that starts the data.
_DATA_URI = re.compile(
    r"(?<![a-z0-9])data:(?:[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+)?(?:;[^,;\s]{1,100})*,", re.IGNORECASE
)
# Bytes that are not text: C0 controls other than tab, newline and carriage return.
_RAW_BYTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BYTE_ARRAY_MIN = 64


def _base64_run(minimum: int) -> re.Pattern[str]:
    # Standard and URL-safe alphabets; '=' padding is optional in the wild.
    return re.compile(rf"[A-Za-z0-9+/_-]{{{minimum},}}")


def decode_json_body(body: bytes) -> Any:
    """UTF-8 JSON, or a coded 422 (raw bytes are inline media too)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InlineMedia("the body is not UTF-8 text: raw bytes are not accepted") from None
    if _RAW_BYTES.search(text):
        raise InlineMedia("the body carries raw control bytes")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidEnvelope(f"the body is not JSON: {exc.msg}", value=f"line {exc.lineno}") from None


def check_no_inline_media(value: Any, *, base64_run_min: int, path: str = "$") -> None:
    """Raise InlineMedia naming the JSON path of the first inline media found."""
    pattern = _base64_run(base64_run_min)
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            _check_text(where, node, pattern)
        elif isinstance(node, dict):
            for key, item in node.items():
                _check_text(f"{where}.<key>", str(key), pattern)
                stack.append((f"{where}.{key}", item))
        elif isinstance(node, list):
            if _is_byte_array(node):
                raise InlineMedia("a byte array is inline media", value=where)
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(node))


def _check_text(where: str, text: str, pattern: re.Pattern[str]) -> None:
    if _DATA_URI.search(text):
        raise InlineMedia("a data: URI is inline media", value=where)
    if _RAW_BYTES.search(text):
        raise InlineMedia("raw control bytes are inline media", value=where)
    if pattern.search(text):
        raise InlineMedia("a base64 run is inline media", value=where)


def _is_byte_array(items: list[Any]) -> bool:
    return len(items) >= _BYTE_ARRAY_MIN and all(type(item) is int and 0 <= item <= 255 for item in items)
