"""Permission lenses: what each kind of actor may read, write and resolve.

A lens is chosen by the actor's role (``canvas`` for people's canvases, the agent role for
agents). It filters what a subscriber receives (tokens outside its read allowlist are removed,
sidecars are redacted for roles that may not see media) and checks what a publisher writes
(a token patch outside its write allowlist is refused with 403) and which sidecars it may
resolve to a presigned URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from gateway.errors import LensDenied

__all__ = ["DEFAULT_LENSES", "REDACTED", "Lens", "lens_for"]

REDACTED = "[redacted]"
_MEDIA_URI_PREFIX = "atoms://media/"
_VISUAL = ("image/*", "video/*")


@dataclass(frozen=True)
class Lens:
    role: str
    token_read: tuple[str, ...]
    token_write: tuple[str, ...]
    sidecars: Literal["full", "redacted"]
    resolve: tuple[str, ...]  # mime type patterns the role may turn into presigned URLs

    def may_read_token(self, path: str) -> bool:
        return any(fnmatchcase(path, pattern) for pattern in self.token_read)

    def check_token_write(self, paths: list[str]) -> None:
        for path in paths:
            if not any(fnmatchcase(path, pattern) for pattern in self.token_write):
                raise LensDenied(f"the {self.role} lens may not write token {path!r}", value=path)

    def check_resolve(self, mime_type: str) -> None:
        if not any(fnmatchcase(mime_type, pattern) for pattern in self.resolve):
            raise LensDenied(f"the {self.role} lens may not resolve {mime_type} sidecars", value=mime_type)

    def view(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event as this lens sees it (the input is never changed)."""
        if self.sidecars == "full" and self.token_read == ("*",):
            return event
        seen = dict(event)
        if event.get("type") == "token_patch":
            data = dict(seen.get("data") or {})
            tokens = data.get("tokens") or {}
            kept = {path: value for path, value in tokens.items() if self.may_read_token(path)}
            data["tokens"] = kept
            if len(kept) != len(tokens):
                data["redacted_tokens"] = len(tokens) - len(kept)
            seen["data"] = data
        if self.sidecars == "redacted":
            seen["sidecars"] = [{"redacted": True, "mime_type": s.get("mime_type")} for s in seen["sidecars"]]
            seen["data"] = _scrub_media_uris(seen.get("data") or {})
        return seen


def _scrub_media_uris(value: Any) -> Any:
    """Media URIs inside data are as good as sidecars: a redacting lens removes them too."""
    if isinstance(value, str):
        return REDACTED if value.startswith(_MEDIA_URI_PREFIX) else value
    if isinstance(value, dict):
        return {key: _scrub_media_uris(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_media_uris(item) for item in value]
    return value


DEFAULT_LENSES: dict[str, Lens] = {
    # A person's canvas sees and does everything on its own canvas.
    "canvas": Lens("canvas", ("*",), ("*",), "full", ("*",)),
    # The director composes the visuals: it sees media and may fetch visual sidecars.
    "director": Lens("director", ("*",), ("*",), "full", _VISUAL),
    # The planner reasons over structure: no media, plan and layout tokens only.
    "planner": Lens("planner", ("plan.*", "layout.*", "copy.*"), ("plan.*",), "redacted", ()),
    # The tool router publishes tool outcomes; it reads commands and never fetches media.
    "router": Lens("router", ("*",), ("*",), "full", ()),
}


def lens_for(role: str, lenses: dict[str, Lens] | None = None) -> Lens:
    lens = (lenses or DEFAULT_LENSES).get(role)
    if lens is None:
        raise LensDenied(f"no permission lens for role {role!r}", value=role)
    return lens
