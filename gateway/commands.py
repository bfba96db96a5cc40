"""Upstream commands and chat messages: idempotent by key, within the sender's own scope.

A key belongs to one caller on one stream: the spine records ``(tenant, scoped key) -> body
hash, event``, the scoped key naming the stream (tenant, scope, canvas), the caller's subject
and the key, in the same transaction as the event. So the same key and body from the same
caller make one event however many times (or however concurrently) they are sent, and every
reply is the original one; the same key with another body is a 409; and the same key from
another user or on another canvas is simply another command (it neither collides with nor
reveals the first). Records are forgotten after ``ATOMS_GATEWAY_COMMAND_RETENTION_S``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from core.errors import InvalidInput
from gateway.context import GatewayContext
from gateway.envelopes import ChatSendIn, CommandIn
from gateway.errors import IdempotencyConflict
from gateway.publish import stored_payload
from gateway.spine import CommandRecord

__all__ = ["IDEMPOTENCY_HEADER", "chat_send", "send_command"]

IDEMPOTENCY_HEADER = "idempotency-key"


def body_sha256(stream: str, kind: str, payload: dict[str, Any]) -> str:
    """The identity of a command's effect: its stream, type and canonical body (author included)."""
    canonical = json.dumps([stream, kind, payload], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def scoped_key(stream: str, subject: str, key: str) -> str:
    """The key as the spine stores it: one caller's, on one stream (fixed length, opaque)."""
    return hashlib.sha256("\n".join((stream, subject, key)).encode()).hexdigest()


def reply_of(record: CommandRecord, kind: str, key: str) -> dict[str, Any]:
    # Built from the stored record and the caller's own key, so a replay's reply is
    # byte-for-byte the original.
    return {
        "status": "accepted",
        "type": kind,
        "idempotency_key": key,
        "id": record.seq,
        "accepted_at": record.created_at,
    }


async def _accept(request: Request, kind: str) -> JSONResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, "canvas")
    lens = ctx.lens(actor)
    header_key = request.headers.get(IDEMPOTENCY_HEADER)
    defaults = {"idempotency_key": header_key} if header_key else None
    if kind == "command":
        command = await ctx.envelope(request, CommandIn, defaults)
        key, sidecars = command.idempotency_key, command.sidecars
        data: dict[str, Any] = {"name": command.name, "args": dict(command.args)}
    else:
        chat = await ctx.envelope(request, ChatSendIn, defaults)
        key, sidecars = chat.idempotency_key, chat.sidecars
        data = {"text": chat.text}
    if header_key is not None and header_key != key:
        raise InvalidInput(
            "the Idempotency-Key header and the body's idempotency_key differ", value=header_key
        )
    lens.check_write(kind, data)
    data["idempotency_key"] = key
    payload = stored_payload(actor, data, sidecars)
    digest = body_sha256(address.key, kind, payload)
    record, created = await ctx.spine.append_command(
        address.key, address.tenant_id, scoped_key(address.key, actor.subject, key), digest, kind, payload
    )
    if record.body_sha256 != digest:
        raise IdempotencyConflict("this idempotency key was already used with another body", value=key)
    if created:
        ctx.metrics.events_in.labels(kind).inc()
    headers = {} if created else {"Idempotent-Replayed": "true"}
    return JSONResponse(reply_of(record, kind, key), status_code=202, headers=headers)


async def send_command(request: Request) -> JSONResponse:
    return await _accept(request, "command")


async def chat_send(request: Request) -> JSONResponse:
    return await _accept(request, "chat_send")
