"""Refuse media smuggled into envelopes: data: URIs, base64 (whole or broken up), raw bytes,
byte arrays (flat, in rows, with mixed number types).

Media travel as sidecar MediaRefs only. The scan walks every key and value of a decoded JSON
body once; thresholds are generous enough that prose, ids, hashes, URLs, JWT-sized tokens and
ordinary numbers (points, colours, boards, series) pass: the tests keep a corpus of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gateway.base64_runs import CHAIN, split_run, unbroken_run
from gateway.errors import InlineMedia
from gateway.json_body import RAW_BYTES
from gateway.media_signatures import starts_like_media

__all__ = ["check_no_inline_media"]

# ``data:`` at a word start, an optional media type and parameters, then the comma that starts the data.
_DATA_URI = re.compile(
    r"(?<![a-z0-9])data:(?:[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+)?(?:;[^,;\s]{1,100})*,", re.IGNORECASE
)
_BYTE_ARRAY_MIN = 64  # numbers, however they are nested
_BYTE_ARRAY_DISTINCT = 16  # fewer distinct values is a board, a mask or flags, not a file
_ROW_MIN = 8  # a nested list shorter than this is a point or a colour, not a chunk of bytes
_ASCII_MAX = 127


def check_no_inline_media(value: Any, *, base64_run_min: int, path: str = "$") -> None:
    """Raise InlineMedia naming the JSON path of the first inline media found."""
    unbroken = unbroken_run(base64_run_min)
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            _check_text(where, node, unbroken, base64_run_min)
        elif isinstance(node, dict):
            for key, item in node.items():
                _check_text(f"{where}.<key>", str(key), unbroken, base64_run_min)
                stack.append((f"{where}.{key}", item))
        elif isinstance(node, list):
            if _is_byte_array(node):
                raise InlineMedia("a byte array is inline media", value=where)
            if any(split_run(pieces, base64_run_min) for pieces in _string_item_runs(node)):
                raise InlineMedia("base64 split across list items is inline media", value=where)
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(node))


def _check_text(where: str, text: str, unbroken: re.Pattern[str], run_min: int) -> None:
    if _DATA_URI.search(text):
        raise InlineMedia("a data: URI is inline media", value=where)
    if RAW_BYTES.search(text):
        raise InlineMedia("raw control bytes are inline media", value=where)
    if unbroken.search(text):
        raise InlineMedia("a base64 run is inline media", value=where)
    if len(text) >= run_min:
        for chain in CHAIN.finditer(text):
            if len(chain.group()) >= run_min and split_run(chain.group().split(), run_min):
                raise InlineMedia("base64 broken into lines or spaced groups is inline media", value=where)


def _string_item_runs(items: list[Any]) -> Iterator[list[str]]:
    """Runs of consecutive list items (nested lists flattened) that are nothing but base64 pieces."""
    pieces: list[str] = []
    for item in _flatten(items):
        found = CHAIN.fullmatch(item.strip()) if isinstance(item, str) else None
        if found is None:
            if pieces:
                yield pieces
            pieces = []
        else:
            pieces.extend(found.group().split())
    if pieces:
        yield pieces


def _flatten(items: list[Any]) -> Iterator[Any]:
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def _is_byte_array(items: list[Any]) -> bool:
    values = _byte_values(items)
    if values is None or len(values) < _BYTE_ARRAY_MIN:
        return False
    if starts_like_media(bytes(values[:16])):
        return True
    # Media bytes are binary: varied and reaching past 127. Fewer distinct values is a board, a
    # mask or flags; nothing past 127 is percentages, scores or text, not a file.
    return len(set(values)) >= _BYTE_ARRAY_DISTINCT and max(values) > _ASCII_MAX


def _byte_values(items: list[Any]) -> list[int] | None:
    """The numbers of a list of byte values or of rows of them (int or integral float), else None."""
    values: list[int] = []
    for item in items:
        if isinstance(item, list):
            if len(item) < _ROW_MIN:
                return None
            row = _byte_values(item)
            if row is None:
                return None
            values.extend(row)
        elif isinstance(item, (int, float)) and not isinstance(item, bool) and 0 <= item <= 255:
            if item != int(item):
                return None
            values.append(int(item))
        else:
            return None
    return values
