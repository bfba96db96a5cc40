"""What an event touches, as targets a lens can allow or deny, for writes and reads alike.

Every event, whatever its type, is one or more *targets*:

- the event itself: its type (``state_patch``, ``snapshot_created``, ``chat_send``, ``gesture``...),
  or ``command:<name>`` for a command;
- ``token:<path>`` for each design token it carries in ``data.tokens`` (any type: a token patch,
  a snapshot or a commit stating the tokens);
- ``state:<path>`` for each part of the canvas state it writes: a ``state_patch``'s operations
  (``data.ops``, RFC 6902, or a single ``data.path``) or, without them, its top-level keys; a
  snapshot's or a commit's ``data.state`` keys. Paths are dotted (JSON Pointer ``/plan/steps/0``
  is ``plan.steps.0``).

A writer needs every target of what it sends; a reader gets what it may read of an event it
may see, the rest removed and counted (``redacted_tokens``, ``redacted_state``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["check_state_patch", "event_target", "redact_parts", "targets"]

PATCH_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})
_WHOLE_DOCUMENT = ("snapshot_created", "canvas_commit")

Readable = Callable[[str], bool]


def event_target(type: str, data: Mapping[str, Any]) -> str:
    name = data.get("name")
    if type == "command":
        return f"command:{name}" if isinstance(name, str) else "command"
    return type


def targets(type: str, data: Mapping[str, Any]) -> list[str]:
    """Every target an event touches: the event, its tokens, its state paths."""
    found = [event_target(type, data)]
    found.extend(f"token:{path}" for path in _token_paths(data))
    found.extend(f"state:{path}" for path in _state_paths(type, data))
    return found


def redact_parts(type: str, data: Mapping[str, Any], readable: Readable) -> dict[str, Any]:
    """``data`` without the tokens and state parts ``readable`` refuses (the input is not changed)."""
    seen = dict(data)
    tokens = data.get("tokens")
    if isinstance(tokens, dict):
        kept = {path: value for path, value in tokens.items() if readable(f"token:{path}")}
        seen["tokens"] = kept
        if len(kept) != len(tokens):
            seen["redacted_tokens"] = len(tokens) - len(kept)
    hidden = 0
    if type == "state_patch":
        seen, hidden = _redact_patch(seen, readable)
    elif type in _WHOLE_DOCUMENT and isinstance(data.get("state"), dict):
        state: dict[str, Any] = data["state"]
        seen["state"] = {key: value for key, value in state.items() if readable(f"state:{key}")}
        hidden = len(state) - len(seen["state"])
    if hidden:
        seen["redacted_state"] = hidden
    return seen


def check_state_patch(data: Mapping[str, Any]) -> None:
    """Raise ValueError unless ``data.ops`` and ``data.path`` are well-formed RFC 6902 where present."""
    ops = data.get("ops")
    if ops is not None:
        if not isinstance(ops, list) or not ops:
            raise ValueError("data.ops is a non-empty list of RFC 6902 operations")
        for op in ops:
            if not isinstance(op, dict) or op.get("op") not in PATCH_OPS or not _is_pointer(op.get("path")):
                raise ValueError(
                    "each of data.ops has an op (add, remove, replace, move, copy, test) and a path"
                )
            if op["op"] in ("move", "copy") and not _is_pointer(op.get("from")):
                raise ValueError("a move or copy operation has a from pointer")
    elif "path" in data and not _is_pointer(data["path"]):
        raise ValueError("data.path is a JSON Pointer: '' or '/a/b'")


def _token_paths(data: Mapping[str, Any]) -> list[str]:
    tokens = data.get("tokens")
    return [str(path) for path in tokens] if isinstance(tokens, dict) else []


def _state_paths(type: str, data: Mapping[str, Any]) -> list[str]:
    if type == "state_patch":
        ops = data.get("ops")
        if isinstance(ops, list):
            return [path for op in ops for path in _op_paths(op)]
        if isinstance(data.get("path"), str):
            return _op_paths(data)
        return [str(key) for key in data if key != "tokens"]
    state = data.get("state")
    if type in _WHOLE_DOCUMENT and isinstance(state, dict):
        return [str(key) for key in state]
    return []


def _op_paths(op: Any) -> list[str]:
    if not isinstance(op, dict):
        return [""]  # unreadable as an operation: treat it as touching the whole document
    return [_dotted(op[name]) for name in ("path", "from") if isinstance(op.get(name), str)] or [""]


def _redact_patch(data: dict[str, Any], readable: Readable) -> tuple[dict[str, Any], int]:
    ops = data.get("ops")
    if isinstance(ops, list):
        kept = [op for op in ops if all(readable(f"state:{p}") for p in _op_paths(op))]
        return {**data, "ops": kept}, len(ops) - len(kept)
    if isinstance(data.get("path"), str):
        if all(readable(f"state:{p}") for p in _op_paths(data)):
            return data, 0
        # One operation the reader may not see: nothing of it is left, not even its metadata.
        rest = {key: value for key, value in data.items() if key in ("tokens", "redacted_tokens")}
        return rest, 1
    kept_keys = {
        key: value
        for key, value in data.items()
        if key in ("tokens", "redacted_tokens") or readable(f"state:{key}")
    }
    return kept_keys, len(data) - len(kept_keys)


def _is_pointer(value: Any) -> bool:
    return isinstance(value, str) and (value == "" or value.startswith("/"))


def _dotted(pointer: str) -> str:
    """JSON Pointer to a dotted path: ``/plan/steps/0`` -> ``plan.steps.0``; ``""`` is the root."""
    if not pointer.startswith("/"):
        return pointer
    return ".".join(part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/"))
