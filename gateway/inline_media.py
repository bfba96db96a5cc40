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

from gateway.base64_runs import CHAIN, broken_up, unbroken_run
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
    # (the parent's path, the step from it, the node): a path is only spelled out for a
    # container or for what is refused, so a long list of numbers costs no strings.
    stack: list[tuple[str, str, Any]] = [(path, "", value)]
    while stack:
        parent, step, node = stack.pop()
        if isinstance(node, str):
            _check_text(node, unbroken, base64_run_min, parent, step)
            continue
        where = parent + step
        if isinstance(node, dict):
            for key, item in node.items():
                _check_text(str(key), unbroken, base64_run_min, where, ".<key>")
                if isinstance(item, (str, dict, list)):
                    stack.append((where, f".{key}", item))
        elif isinstance(node, list):
            inner = [(i, item) for i, item in enumerate(node) if isinstance(item, (str, dict, list))]
            # A list of a few scalars (a point, a colour) can hide neither bytes nor base64.
            if len(node) >= _BYTE_ARRAY_MIN or len(inner) > 1:
                problem = _list_problem(node, base64_run_min, has_parts=bool(inner))
                if problem is not None:
                    raise InlineMedia(problem, value=where)
            stack.extend((where, f"[{i}]", item) for i, item in inner)


def _check_text(text: str, unbroken: re.Pattern[str], run_min: int, parent: str, step: str) -> None:
    problem = _text_problem(text, unbroken, run_min)
    if problem is not None:
        raise InlineMedia(problem, value=parent + step)


def _text_problem(text: str, unbroken: re.Pattern[str], run_min: int) -> str | None:
    if _DATA_URI.search(text):
        return "a data: URI is inline media"
    if RAW_BYTES.search(text):
        return "raw control bytes are inline media"
    if unbroken.search(text):
        return "a base64 run is inline media"
    if len(text) >= run_min and broken_up(text, run_min):
        return "base64 broken into lines or spaced groups is inline media"
    return None


def _list_problem(items: list[Any], run_min: int, *, has_parts: bool) -> str | None:
    if (len(items) >= _BYTE_ARRAY_MIN or isinstance(items[0], list)) and _is_byte_array(items):
        return "a byte array is inline media"
    if has_parts and any(broken_up(" ".join(pieces), run_min) for pieces in _string_item_runs(items)):
        return "base64 split across list items is inline media"
    return None


def _string_item_runs(items: list[Any]) -> Iterator[list[str]]:
    """Runs of consecutive list items (and items of lists one level down) that are nothing but
    base64 pieces. One level only: each list is looked at once, so nesting costs no rescans."""
    pieces: list[str] = []
    for item in items:
        for part in item if isinstance(item, list) else (item,):
            found = CHAIN.fullmatch(part.strip()) if isinstance(part, str) else None
            if found is None:
                if pieces:
                    yield pieces
                pieces = []
            else:
                pieces.extend(found.group().split())
    if pieces:
        yield pieces


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
