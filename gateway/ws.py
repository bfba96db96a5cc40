"""Upstream-ephemeral WebSocket: gestures and presence, relayed to the canvas's other sockets.

Nothing here is stored. A socket opens with a single-use ticket (``POST .../ws-ticket``,
about 30 s of life); an unknown, used or expired ticket is closed with 1008. The chat thread
alias ``/ws/chat/{thread_id}`` takes tickets too (``POST /ws/chat/{thread_id}/ticket``, or one
issued for that canvas on its ``/v1/...`` path); a ticket for another canvas is closed with 1008. Once the socket
has joined its canvas it is told so (``{"type": "socket_ready"}``): from then on it receives
what the others send. Messages pass the same lenses as events: the sender's lens must allow
what it sends (an ``error`` frame with ``lens_denied`` otherwise), and each receiver gets the
message as its own lens sees it, or not at all.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from core.errors import AtomsError
from gateway.context import GatewayContext
from gateway.envelopes import EphemeralIn, parse_envelope
from gateway.lenses import Lens

__all__ = [
    "POLICY_VIOLATION",
    "Rooms",
    "chat_websocket_endpoint",
    "issue_chat_ticket",
    "issue_ticket",
    "websocket_endpoint",
]

logger = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
_UNSUPPORTED = 1003
_TOO_BIG = 1009


class Rooms:
    """The open sockets of each canvas stream, in this process, each with its reader's lens."""

    def __init__(self) -> None:
        self._members: dict[str, dict[WebSocket, Lens]] = {}

    def join(self, key: str, socket: WebSocket, lens: Lens) -> None:
        self._members.setdefault(key, {})[socket] = lens

    def leave(self, key: str, socket: WebSocket) -> None:
        members = self._members.get(key)
        if members is not None:
            members.pop(socket, None)
            if not members:
                del self._members[key]

    async def broadcast(self, key: str, sender: WebSocket, message: dict[str, Any]) -> None:
        views: dict[str, str | None] = {}  # one rendering per role, not per socket
        for member, lens in list(self._members.get(key, {}).items()):
            if member is sender:
                continue
            if lens.role not in views:
                seen = lens.view(message)
                views[lens.role] = None if seen is None else json.dumps(seen, separators=(",", ":"))
            text = views[lens.role]
            if text is not None:
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


async def issue_chat_ticket(request: Request) -> JSONResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.thread_caller(request)
    ctx.lens(actor)
    value, _ = ctx.tickets.issue(actor, address)
    thread = address.stream_id
    return JSONResponse(
        {"ticket": value, "expires_in_s": ctx.tickets.ttl_s, "url": f"/ws/chat/{thread}?ticket={value}"},
        status_code=201,
    )


async def websocket_endpoint(socket: WebSocket) -> None:
    await _serve(socket, thread=None)


async def chat_websocket_endpoint(socket: WebSocket) -> None:
    await _serve(socket, thread=socket.path_params["thread_id"])


async def _serve(socket: WebSocket, thread: str | None) -> None:
    ctx: GatewayContext = socket.app.state.ctx
    rooms: Rooms = socket.app.state.rooms
    # Accept first, then close: only a close frame carries 1008 to a browser; a refused
    # handshake would surface as a bare HTTP 403.
    await socket.accept()
    ticket = ctx.tickets.redeem(socket.query_params.get("ticket"))
    if ticket is None:
        await socket.close(POLICY_VIOLATION, "ticket unknown, used or expired")
        return
    if thread is not None and (ticket.address.kind != "canvas" or ticket.address.stream_id != thread):
        await socket.close(POLICY_VIOLATION, "the ticket is for another thread")
        return
    key = ticket.address.key
    author = ticket.actor.public()
    options = ctx.config.options
    lens = ctx.lens(ticket.actor)
    rooms.join(key, socket, lens)
    try:
        await socket.send_text(json.dumps({"type": "socket_ready", "actor": author}, separators=(",", ":")))
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
                message = parse_envelope(EphemeralIn, raw, options)
                lens.check_write(message.type, message.data)
            except AtomsError as exc:
                await socket.send_text(json.dumps({"type": "error", "error": exc.to_dict()}))
                continue
            await rooms.broadcast(key, socket, {"type": message.type, "data": message.data, "actor": author})
    except WebSocketDisconnect:
        pass
    finally:
        rooms.leave(key, socket)
