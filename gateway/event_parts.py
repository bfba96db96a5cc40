"""What an event touches, as targets a lens can allow or deny, for writes and reads alike.

Every event, whatever its type, is one or more *targets*:

- the event itself: its type (``state_patch``, ``snapshot_created``, ``chat_send``, ``gesture``...),
  or ``command:<name>`` for a command;
- ``token:<name>`` for each design token it carries: in ``data.tokens`` (a token patch's
  shorthand), or an operation on ``/tokens/<name>`` (``token:*`` for the whole ``/tokens``);
- ``state:<path>`` for each other part of the canvas state it writes or reads: every path (and
  ``from``) of its RFC 6902 ``data.ops``, dotted (``/plan/steps/0`` is ``plan.steps.0``; the
  whole document is ``state:``). A ``token_patch``'s ops are relative to ``/tokens``.
- a snapshot's (or a resync's) ``data.state``: its tokens one by one, its other top-level keys.

A writer needs every target of what it sends; a reader gets what it may read of an event it may
see, the rest removed and counted (``redacted_tokens``, ``redacted_ops``, ``redacted_state``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["event_target", "op_targets", "redact_parts", "redact_state", "targets"]

Readable = Callable[[str], bool]


def event_target(type: str, data: Mapping[str, Any]) -> str:
    name = data.get("name")
    if type == "command":
        return f"command:{name}" if isinstance(name, str) else "command"
    return type


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def pointer_target(pointer: str) -> str:
    """``/tokens/color.primary`` -> ``token:color.primary``; ``/plan/steps/0`` -> ``state:plan.steps.0``."""
    parts = [_unescape(p) for p in pointer[1:].split("/")] if pointer.startswith("/") else []
    if parts[:1] == ["tokens"]:
        return "token:*" if len(parts) == 1 else f"token:{parts[1]}"
    return "state:" + ".".join(parts)


def op_targets(op: Any, *, under_tokens: bool = False) -> list[str]:
    """The targets of one RFC 6902 operation (its path and from)."""
    if not isinstance(op, dict):
        return ["state:"]  # unreadable as an operation: treat it as touching the whole document
    prefix = "/tokens" if under_tokens else ""
    found = [
        pointer_target(prefix + op[name])
        for name in ("path", "from")
        if isinstance(op.get(name), str) and (op[name] == "" or op[name].startswith("/"))
    ]
    return found or ["state:"]


def targets(type: str, data: Mapping[str, Any]) -> list[str]:
    """Every target an event touches: the event, its tokens, its state paths."""
    found = [event_target(type, data)]
    tokens = data.get("tokens")
    if isinstance(tokens, dict):
        found.extend(f"token:{name}" for name in tokens)
    ops = data.get("ops")
    if isinstance(ops, list):
        for op in ops:
            found.extend(op_targets(op, under_tokens=type == "token_patch"))
    elif type in ("state_patch", "token_patch") and not isinstance(tokens, dict):
        found.append("state:")  # a patch without operations: refused later, never let through here
    state = data.get("state")
    if isinstance(state, dict):
        found.extend(_state_targets(state))
    return found


def _state_targets(state: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for key, value in state.items():
        if key == "tokens" and isinstance(value, dict):
            found.extend(f"token:{name}" for name in value)
        else:
            found.append(f"state:{key}")
    return found


def redact_state(state: Mapping[str, Any], readable: Readable) -> tuple[dict[str, Any], int, int]:
    """A whole state as a reader sees it: (state, tokens hidden, other keys hidden)."""
    seen: dict[str, Any] = {}
    hidden_tokens = hidden_keys = 0
    for key, value in state.items():
        if key == "tokens" and isinstance(value, dict):
            kept = {name: v for name, v in value.items() if readable(f"token:{name}")}
            hidden_tokens += len(value) - len(kept)
            seen[key] = kept
        elif readable(f"state:{key}"):
            seen[key] = value
        else:
            hidden_keys += 1
    return seen, hidden_tokens, hidden_keys


def redact_parts(type: str, data: Mapping[str, Any], readable: Readable) -> dict[str, Any]:
    """``data`` without the tokens, operations and state parts ``readable`` refuses (the input
    is not changed)."""
    seen = dict(data)
    hidden_tokens = hidden_keys = 0
    tokens = data.get("tokens")
    if isinstance(tokens, dict):
        seen["tokens"] = {name: value for name, value in tokens.items() if readable(f"token:{name}")}
        hidden_tokens += len(tokens) - len(seen["tokens"])
    ops = data.get("ops")
    if isinstance(ops, list):
        under = type == "token_patch"
        seen["ops"] = [op for op in ops if all(readable(t) for t in op_targets(op, under_tokens=under))]
        if len(seen["ops"]) != len(ops):
            seen["redacted_ops"] = len(ops) - len(seen["ops"])
    state = data.get("state")
    if isinstance(state, dict):
        seen["state"], more_tokens, hidden_keys = redact_state(state, readable)
        hidden_tokens += more_tokens
    if hidden_tokens:
        seen["redacted_tokens"] = hidden_tokens
    if hidden_keys:
        seen["redacted_state"] = hidden_keys
    return seen
