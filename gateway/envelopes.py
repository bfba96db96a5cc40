"""Wire envelopes: what agents publish, what canvases send upstream, and the checks on the way in.

Every body is size-checked (413), decoded as UTF-8 JSON within a nesting limit (422), scanned
for inline media (422) and validated against its model (422) before anything reaches the
spine. Media travel only as sidecars: MediaRefs naming an ``atoms://media/...`` asset with its
mime type, size and sha256.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    field_validator,
    model_validator,
)

from core.errors import InvalidInput
from core.media import MediaRef, parse_media_uri
from gateway.canvas.patches import parse_patch
from gateway.errors import EnvelopeTooLarge, InvalidEnvelope
from gateway.inline_media import check_no_inline_media
from gateway.json_body import decode_json_body
from gateway.settings import GatewayOptions

__all__ = [
    "EVENT_TYPES",
    "GATEWAY_WRITTEN",
    "ChatSendIn",
    "CommandIn",
    "EphemeralIn",
    "EventIn",
    "Sidecar",
    "parse_envelope",
]

EventType = Literal[
    "CANVAS_READY",
    "token_patch",
    "state_patch",
    "canvas_commit",
    "snapshot_created",
    "chat_token",
    "log_line",
    "proposal",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
# Types only the gateway appends: commits of patches, and snapshots of canvas state.
GATEWAY_WRITTEN = ("canvas_commit", "snapshot_created")
_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"


class _Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sidecar(MediaRef):
    """A MediaRef riding beside an event: the only way media travel through the gateway."""

    @field_validator("uri")
    @classmethod
    def _media_uri(cls, value: str) -> str:
        try:
            parse_media_uri(value)
        except InvalidInput as exc:
            raise ValueError(f"{exc.message}: sidecars name atoms://media/<asset_id>/<filename>") from None
        return value


class EventIn(_Envelope):
    """An event an agent (or a canvas) publishes to a stream."""

    type: EventType
    data: dict[str, JsonValue] = Field(default_factory=dict)
    sidecars: list[Sidecar] = Field(default_factory=list, max_length=64)

    @model_validator(mode="after")
    def _shape_of_type(self) -> EventIn:
        if self.type in GATEWAY_WRITTEN:
            raise ValueError(
                f"{self.type} is written by the gateway: send a state_patch or token_patch "
                "(or POST .../snapshots for a snapshot)"
            )
        if self.type in ("state_patch", "token_patch"):
            parse_patch(self.type, self.data)
        if self.type == "CANVAS_READY":
            if not isinstance(self.data.get("canvas_type"), str):
                raise ValueError("CANVAS_READY carries data.canvas_type")
            if "tools" in self.data or "revision" in self.data:
                raise ValueError(
                    "CANVAS_READY's tools come from the muscles' canvas_tools and its revision from the "
                    "canvas: send data.canvas_type (and anything else the canvas shows), not tools or revision"
                )
        return self


class CommandIn(_Envelope):
    """A canvas command: ``name`` is a canvas tool id (or any command an agent understands)."""

    idempotency_key: str = Field(pattern=_KEY_PATTERN)
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    args: dict[str, JsonValue] = Field(default_factory=dict)
    sidecars: list[Sidecar] = Field(default_factory=list, max_length=64)


class ChatSendIn(_Envelope):
    """A chat message from the canvas to its agents."""

    idempotency_key: str = Field(pattern=_KEY_PATTERN)
    text: str = Field(min_length=1, max_length=16_000)
    sidecars: list[Sidecar] = Field(default_factory=list, max_length=64)


class EphemeralIn(_Envelope):
    """A WebSocket message: gestures and presence only, never stored."""

    type: Literal["gesture", "presence"]
    data: dict[str, JsonValue] = Field(default_factory=dict)


Model = TypeVar("Model", bound=BaseModel)


def parse_envelope(
    model: type[Model],
    body: bytes,
    options: GatewayOptions,
    defaults: dict[str, Any] | None = None,
) -> Model:
    """Size (413), text and JSON (422), inline media (422), then the model's own checks (422)."""
    if len(body) > options.max_envelope_bytes:
        raise EnvelopeTooLarge(
            f"the envelope is {len(body)} bytes, over the limit", value=options.max_envelope_bytes
        )
    raw = decode_json_body(body, max_depth=options.max_json_depth)
    if not isinstance(raw, dict):
        raise InvalidEnvelope("the envelope must be a JSON object", value=type(raw).__name__)
    check_no_inline_media(raw, base64_run_min=options.base64_run_min)
    if defaults:
        raw = {**defaults, **raw}
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '$'}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise InvalidEnvelope(f"invalid {model.__name__}: {problems}", value=problems) from None
