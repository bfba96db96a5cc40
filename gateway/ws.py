"""Upstream-ephemeral WebSocket: gestures and presence, relayed to the canvas's other sockets.

Nothing here is stored. A socket opens with a single-use ticket (``POST .../ws-ticket``,
about 30 s of life); an unknown, used or expired ticket is closed with 1008.
"""

from __future__ import annotations

import contextlib
import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from core.errors import AtomsError
from gateway.context import GatewayContext
from gateway.envelopes import EphemeralIn, parse_envelope

__all__ = ["POLICY_VIOLATION", "Rooms", "issue_ticket", "websocket_endpoint"]

logger = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
_UNSUPPORTED = 1003
_TOO_BIG = 1009


class Rooms:
    """The open sockets of each canvas stream, in this process."""

    def __init__(self) -> None:
        self._members: dict[str, set[WebSocket]] = {}

    def join(self, key: str, socket: WebSocket) -> None:
        self._members.setdefault(key, set()).add(socket)

    def leave(self, key: str, socket: WebSocket) -> None:
        members = self._members.get(key)
        if members is not None:
            members.discard(socket)
            if not members:
                del self._members[key]

    async def broadcast(self, key: str, sender: WebSocket, text: str) -> None:
        for member in list(self._members.get(key, ())):
            if member is not sender:
                with contextlib.suppress(Exception):  # a peer gone mid-send leaves on its own
                    await member.send_text(text)


async def issue_ticket(request: Request) -> JSONResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, "canvas")
    ctx.lens(actor)
    value, _ = ctx.tickets.issue(actor, address)
    return JSONResponse(
        {"ticket": value, "expires_in_s": ctx.tickets.ttl_s, "url": f"/v1/ws?ticket={value}"}, status_code=201
    )


async def websocket_endpoint(socket: WebSocket) -> None:
    ctx: GatewayContext = socket.app.state.ctx
    rooms: Rooms = socket.app.state.rooms
    # Accept first, then close: only a close frame carries 1008 to a browser; a refused
    # handshake would surface as a bare HTTP 403.
    await socket.accept()
    ticket = ctx.tickets.redeem(socket.query_params.get("ticket"))
    if ticket is None:
        await socket.close(POLICY_VIOLATION, "ticket unknown, used or expired")
        return
    key = ticket.address.key
    author = ticket.actor.public()
    options = ctx.config.options
    rooms.join(key, socket)
    try:
        while True:
            frame = await socket.receive()
            if frame["type"] == "websocket.disconnect":
                return
            text = frame.get("text")
            if text is None:
                await socket.close(_UNSUPPORTED, "binary frames are not accepted: media travel as sidecars")
                return
            raw = text.encode()
            if len(raw) > options.max_envelope_bytes:
                await socket.close(_TOO_BIG, "message over the size limit")
                return
            try:
                message = parse_envelope(
                    EphemeralIn,
                    raw,
                    max_bytes=options.max_envelope_bytes,
                    base64_run_min=options.base64_run_min,
                )
            except AtomsError as exc:
                await socket.send_text(json.dumps({"type": "error", "error": exc.to_dict()}))
                continue
            out = {"type": message.type, "data": message.data, "actor": author}
            await rooms.broadcast(key, socket, json.dumps(out, separators=(",", ":")))
    except WebSocketDisconnect:
        pass
    finally:
        rooms.leave(key, socket)
