"""RFC 6902 patches on a canvas state: their shape, the paths they touch, and applying them.

A ``state_patch`` is ``{"base_revision": R, "ops": [...]}``: JSON Patch operations written
against revision R of the state. A ``token_patch`` is the same on the ``tokens`` subtree: its
``ops`` paths are relative to ``/tokens``, or ``{"tokens": {name: value}}`` sets tokens (one
``add`` each). Either may carry an ``idempotency_key``: a retried patch is applied once.

Rebasing. A patch on a stale base is applied to the current state when none of the paths it
touches overlaps a path an intervening commit wrote; paths overlap when one is a prefix of the
other (``/a`` and ``/a/b``, never ``/a`` and ``/ab``). What an operation writes is exact for
objects; inserting into or removing from an array shifts every later element, so those write
the array itself. Reads count too (``test``, the source of ``copy`` and ``move``): a patch that
tested a value an intervening commit changed was written for another world.

Applying is jsonpatch's (RFC 6902), operation by operation on a private copy, so what each one
writes is measured on the document as it is at that operation.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import jsonpatch
import jsonpointer

__all__ = [
    "PATCH_KINDS",
    "Applied",
    "Patch",
    "PatchFailure",
    "Pointer",
    "apply_ops",
    "canonical",
    "conflicts",
    "escape",
    "parse_patch",
    "parse_pointer",
    "to_pointer",
    "touched",
]

PatchKind = Literal["state_patch", "token_patch"]
PATCH_KINDS: tuple[str, ...] = ("state_patch", "token_patch")
Pointer = tuple[str, ...]

_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})
_NEEDS_VALUE = frozenset({"add", "replace", "test"})
_NEEDS_FROM = frozenset({"move", "copy"})
_KEY_PATTERN_MAX = 128
_MAX_OPS = 1000
_MISSING = object()
_MAX_INDEX_DIGITS = 9


@dataclass(frozen=True)
class Patch:
    """A patch as the gateway applies it: ``ops`` with full paths (token ops under /tokens)."""

    kind: PatchKind
    base_revision: int
    ops: tuple[dict[str, Any], ...]
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Applied:
    state: Any
    writes: tuple[Pointer, ...]  # what the operations wrote, in order, without repeats
    reads: tuple[Pointer, ...]


class PatchFailure(Exception):
    """An operation that cannot apply: ``index`` names it, ``test`` says a test op failed."""

    def __init__(self, index: int, op: Mapping[str, Any], reason: str, *, test: bool = False) -> None:
        super().__init__(reason)
        self.index = index
        self.op = op
        self.reason = reason
        self.test = test


def escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def parse_pointer(pointer: str) -> Pointer:
    """``/a/b~1c`` -> ``("a", "b/c")``; ``""`` (the whole document) -> ``()``."""
    if pointer == "":
        return ()
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/"))


def to_pointer(parts: Iterable[str]) -> str:
    return "".join("/" + escape(part) for part in parts)


def canonical(state: Any) -> str:
    """The one text of a state: sorted keys, no spaces, UTF-8 as is (what replicas compare)."""
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _is_pointer(value: Any) -> bool:
    return isinstance(value, str) and (value == "" or value.startswith("/"))


def _check_ops(ops: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(ops, list) or not ops:
        raise ValueError(f"{where} is a non-empty list of RFC 6902 operations")
    if len(ops) > _MAX_OPS:
        raise ValueError(f"{where} holds at most {_MAX_OPS} operations")
    for n, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("op") not in _OPS or not _is_pointer(op.get("path")):
            raise ValueError(
                f"{where}[{n}] needs an op (add, remove, replace, move, copy, test) and a path ('' or '/a/b')"
            )
        name = op["op"]
        if name in _NEEDS_VALUE and "value" not in op:
            raise ValueError(f"{where}[{n}]: a {name} operation has a value")
        if name in _NEEDS_FROM and not _is_pointer(op.get("from")):
            raise ValueError(f"{where}[{n}]: a {name} operation has a from pointer")
        allowed = {"op", "path"} | ({"value"} if name in _NEEDS_VALUE else set())
        allowed |= {"from"} if name in _NEEDS_FROM else set()
        extra = set(op) - allowed
        if extra:
            raise ValueError(f"{where}[{n}]: unexpected member {sorted(extra)[0]!r} in a {name} operation")
    return ops


def _under_tokens(op: dict[str, Any]) -> dict[str, Any]:
    moved = dict(op)
    for name in ("path", "from"):
        if name in moved:
            moved[name] = "/tokens" + moved[name]
    return moved


def parse_patch(kind: str, data: Mapping[str, Any]) -> Patch:
    """The patch a ``state_patch`` or ``token_patch`` event carries; ValueError says what is wrong."""
    allowed = {"base_revision", "ops", "idempotency_key"} | ({"tokens"} if kind == "token_patch" else set())
    extra = sorted(set(data) - allowed)
    if extra:
        raise ValueError(
            f"a {kind} carries base_revision and ops"
            + (" (or tokens)" if kind == "token_patch" else "")
            + f", not {extra[0]!r}"
        )
    base = data.get("base_revision")
    if not isinstance(base, int) or isinstance(base, bool) or base < 0:
        raise ValueError(f"a {kind} carries data.base_revision: the revision its ops were written against")
    key = data.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= _KEY_PATTERN_MAX):
        raise ValueError("data.idempotency_key is a string of 1 to 128 characters")
    if kind == "token_patch":
        tokens = data.get("tokens")
        if (tokens is None) == (data.get("ops") is None):
            raise ValueError("a token_patch carries either data.tokens (name -> value) or data.ops")
        if tokens is not None:
            if not isinstance(tokens, dict) or not tokens:
                raise ValueError("data.tokens is a non-empty object of token name -> value")
            ops = [{"op": "add", "path": "/tokens/" + escape(str(n)), "value": v} for n, v in tokens.items()]
        else:
            ops = [_under_tokens(op) for op in _check_ops(data.get("ops"), "data.ops")]
    else:
        ops = _check_ops(data.get("ops"), "data.ops")
    return Patch(kind, base, tuple(ops), key)  # type: ignore[arg-type]


def _node(doc: Any, parts: Pointer) -> Any:
    node = doc
    for part in parts:
        if isinstance(node, dict):
            node = node.get(part, _MISSING)
        elif isinstance(node, list) and _is_index(part) and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _is_index(part: str) -> bool:
    # Bounded: int() of thousands of digits is refused (and no array is that long anyway).
    return part.isascii() and part.isdigit() and len(part) <= _MAX_INDEX_DIGITS


def _structural(doc: Any, parts: Pointer) -> Pointer:
    """What adding or removing at ``parts`` writes: the array when it is an array's element."""
    return parts[:-1] if parts and isinstance(_node(doc, parts[:-1]), list) else parts


def _touches(doc: Any, op: Mapping[str, Any]) -> tuple[list[Pointer], list[Pointer]]:
    """(writes, reads) of one operation on ``doc`` as it is before the operation."""
    name, path = op["op"], parse_pointer(op["path"])
    source = parse_pointer(op["from"]) if name in _NEEDS_FROM else None
    if name == "test":
        return [], [path]
    if name == "replace":
        return [path], []
    if name in ("add", "remove"):
        return [_structural(doc, path)], []
    assert source is not None
    writes = [_structural(doc, path)]
    if name == "move":
        writes.insert(0, _structural(doc, source))
    return writes, [source]


def apply_ops(state: Any, ops: Sequence[Mapping[str, Any]], *, in_place: bool = False) -> Applied:
    """``state`` after ``ops``; PatchFailure names a failing op. ``state`` itself is changed only
    ``in_place`` (for a caller that owns it, e.g. just parsed: copying costs more than parsing)."""
    doc = state if in_place else copy.deepcopy(state)
    writes: list[Pointer] = []
    reads: list[Pointer] = []
    for index, op in enumerate(ops):
        wrote, read = _touches(doc, op)
        writes.extend(p for p in wrote if p not in writes)
        reads.extend(p for p in read if p not in reads)
        try:
            # A copy of the op: in place, jsonpatch puts the op's own value into the document,
            # where later operations would change the op the commit event records.
            doc = jsonpatch.apply_patch(doc, [copy.deepcopy(dict(op))], in_place=True)
        except jsonpatch.JsonPatchTestFailed as exc:
            raise PatchFailure(index, op, str(exc), test=True) from None
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError, ValueError) as exc:
            raise PatchFailure(index, op, str(exc)) from None
    return Applied(doc, tuple(writes), tuple(reads))


def touched(state: Any, ops: Sequence[Mapping[str, Any]]) -> list[Pointer]:
    """Every path ``ops`` write or read, judged on ``state`` before any of them (for rebasing)."""
    found: list[Pointer] = []
    for op in ops:
        wrote, read = _touches(state, op)
        found.extend(p for p in (*wrote, *read) if p not in found)
    return found


def _overlap(a: Pointer, b: Pointer) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def conflicts(touched: Iterable[Pointer], written: Iterable[Pointer]) -> list[Pointer]:
    """The paths of ``touched`` that overlap one of ``written`` (prefix-aware), in order."""
    others = list(written)
    return [path for path in touched if any(_overlap(path, other) for other in others)]
