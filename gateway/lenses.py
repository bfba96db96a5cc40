"""Permission lenses: what each kind of actor may read, write and resolve.

A lens is chosen by the actor's role (``canvas`` for people's canvases, the agent role for
agents). Its ``read`` and ``write`` allowlists are shell patterns over the targets every event
is made of (:mod:`gateway.event_parts`: the event type, ``command:<name>``, ``token:<path>``,
``state:<path>``), so one rule covers every type, published over HTTP or sent over the
WebSocket:

- a write needs every target of what is sent (403 ``lens_denied`` naming the first refused); a
  ``state_patch`` and a ``token_patch`` pass it once, on their operations' paths;
- a read sees an event only if it may read the event's own target, and then without the tokens,
  operations and state parts it may not read (and, unless it reads everything, without the
  commit's ``state_sha256``, which only a full replica can check); a lens without media
  (``sidecars="redacted"``) also gets sidecars and every media reference in the payload
  redacted. A canvas state (a snapshot, ``GET .../state``) is seen the same way;
- the tool buttons of ``CANVAS_READY`` are those whose command it may write;
- resolving a sidecar to a presigned URL needs the sidecar's mime type in ``resolve``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from gateway.errors import LensDenied
from gateway.event_parts import event_target, redact_parts, redact_state, targets
from gateway.media_refs import redact_sidecars, scrub_media

__all__ = ["DEFAULT_LENSES", "Lens", "lens_for"]

_VISUAL = ("image/*", "video/*")


@dataclass(frozen=True)
class Lens:
    role: str
    read: tuple[str, ...]
    write: tuple[str, ...]
    sidecars: Literal["full", "redacted"]
    resolve: tuple[str, ...]  # mime type patterns the role may turn into presigned URLs

    def may_read(self, target: str) -> bool:
        return any(fnmatchcase(target, pattern) for pattern in self.read)

    def may_write(self, target: str) -> bool:
        return any(fnmatchcase(target, pattern) for pattern in self.write)

    def check_write(self, type: str, data: Mapping[str, Any]) -> None:
        """Raise LensDenied unless every target of the event is in the write allowlist."""
        for target in targets(type, data):
            if not self.may_write(target):
                raise LensDenied(f"the {self.role} lens may not write {target!r}", value=target)

    def check_resolve(self, mime_type: str) -> None:
        if not any(fnmatchcase(mime_type, pattern) for pattern in self.resolve):
            raise LensDenied(f"the {self.role} lens may not resolve {mime_type} sidecars", value=mime_type)

    def view(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        """The event as this lens sees it, or None when it may not see it (the input is not changed).

        ``event`` is a wire event: ``type``, ``data``, optional ``sidecars``, anything else as is.
        """
        type = str(event.get("type"))
        data = event.get("data")
        data = data if isinstance(data, dict) else {}
        if not self.may_read(event_target(type, data)):
            return None
        seen = dict(event)
        if self.read != ("*",):
            seen["data"] = redact_parts(type, data, self.may_read)
            seen["data"].pop("state_sha256", None)
        if self.sidecars == "redacted":
            seen["data"] = scrub_media(seen.get("data") or {})
            if "sidecars" in seen:
                seen["sidecars"] = redact_sidecars(list(seen["sidecars"] or []))
        return seen

    def view_state(self, state: Any) -> Any:
        """A whole canvas state as this lens sees it (the input is not changed)."""
        if not isinstance(state, dict):
            return state
        seen = state if self.read == ("*",) else redact_state(state, self.may_read)[0]
        return scrub_media(seen) if self.sidecars == "redacted" else seen

    def shows_tool(self, command: str) -> bool:
        """Whether a canvas tool button belongs on this actor's canvas: it may send its command."""
        return self.may_write(f"command:{command}")


_EVENT_TYPES = (
    "CANVAS_READY",
    "token_patch",
    "state_patch",
    "canvas_commit",
    "snapshot_created",
    "chat_token",
    "log_line",
    "proposal",
    "chat_send",
    "command:*",
    "gesture",
    "presence",
)

DEFAULT_LENSES: dict[str, Lens] = {
    # A person's canvas sees and does everything on its own canvas.
    "canvas": Lens("canvas", ("*",), ("*",), "full", ("*",)),
    # The director composes the visuals: it sees media and may fetch visual sidecars.
    "director": Lens("director", ("*",), ("*",), "full", _VISUAL),
    # The planner reasons over structure: no media, plan, layout and copy tokens only; it writes
    # the plan (tokens and state), its chat and log lines and its presence, and nothing else:
    # no snapshots, commits, commands, chat_send or gestures.
    "planner": Lens(
        "planner",
        (*_EVENT_TYPES, "token:plan.*", "token:layout.*", "token:copy.*", "state:*"),
        (
            "token_patch",
            "token:plan.*",
            "state_patch",
            "state:plan",
            "state:plan.*",
            "chat_token",
            "log_line",
            "presence",
        ),
        "redacted",
        (),
    ),
    # The tool router publishes tool outcomes; it reads commands and never fetches media.
    "router": Lens("router", ("*",), ("*",), "full", ()),
}


def lens_for(role: str, lenses: Mapping[str, Lens] | None = None) -> Lens:
    lens = (lenses or DEFAULT_LENSES).get(role)
    if lens is None:
        raise LensDenied(f"no permission lens for role {role!r}", value=role)
    return lens
