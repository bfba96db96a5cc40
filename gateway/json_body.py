"""Request bodies as JSON, or a coded 422: never a parser's exception escaping as a 500.

What Python's ``json`` would let through or blow up on, refused here once for every route and
the WebSocket: bytes that are not UTF-8 text (inline media), nesting deeper than the limit
(checked before parsing, so the parser and everything after it stays far from the recursion
limit), integers past Python's 4,300-digit conversion limit, ``NaN``/``Infinity`` and numbers
that overflow to infinity (jsonb and strict clients refuse them), and lone surrogates
(``"\\ud800"``: valid JSON text, but not encodable as UTF-8 for the store or the stream).
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from gateway.errors import EnvelopeTooDeep, InlineMedia, InvalidEnvelope

__all__ = ["RAW_BYTES", "decode_json_body"]

# Bytes that are not text: C0 controls other than tab, newline and carriage return.
RAW_BYTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: no per-character alternation
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def decode_json_body(body: bytes, *, max_depth: int) -> Any:
    """UTF-8 JSON within ``max_depth`` levels of nesting, or a coded 422."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InlineMedia("the body is not UTF-8 text: raw bytes are not accepted") from None
    if RAW_BYTES.search(text):
        raise InlineMedia("the body carries raw control bytes")
    if _nesting_depth(text) > max_depth:
        raise EnvelopeTooDeep(f"the body nests deeper than {max_depth} levels", value=max_depth)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise InvalidEnvelope(f"the body is not JSON: {exc.msg}", value=f"line {exc.lineno}") from None
    except ValueError as exc:  # an integer past the conversion limit, or a refused number
        raise InvalidEnvelope(f"the body holds a number that is not accepted: {_first_line(exc)}") from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value)
    return value


def _nesting_depth(text: str) -> int:
    """How deep objects and arrays nest, counted outside strings (each step at C speed)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:40]} overflows a double")
    return number


def _refuse_lone_surrogates(value: Any) -> None:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidEnvelope(
            "the body holds a lone UTF-16 surrogate (\\ud800-\\udfff without its pair)",
            hint="Send text as valid Unicode: escape astral characters as surrogate pairs or send them as UTF-8.",
        ) from None


def _first_line(exc: ValueError) -> str:
    return str(exc).split(";")[0].splitlines()[0][:120]
