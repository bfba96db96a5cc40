"""Canvas state over HTTP: read it (with the cursor to subscribe from), read a snapshot, take one.

``GET .../canvases/{id}/state`` answers the state as the caller's lens sees it, its revision,
its type, the caller's tool buttons and ``seq``: the stream head read together with the state,
so subscribing with ``Last-Event-ID: seq`` misses no commit and repeats none.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.context import GatewayContext
from gateway.errors import LensDenied, SnapshotNotFound
from gateway.lenses import Lens

__all__ = ["read_snapshot", "read_state", "take_snapshot"]

_MAX_REVISION_DIGITS = 18  # below 2**63: what the spines store


def _require_read(lens: Lens, target: str) -> None:
    if not lens.may_read(target):
        raise LensDenied(f"the {lens.role} lens may not read canvas state", value=target)


async def read_state(request: Request) -> JSONResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, "canvas")
    lens = ctx.lens(actor)
    _require_read(lens, "canvas_commit")
    found = await ctx.canvas.read(address)
    row = found.row
    body: dict[str, Any] = {
        "canvas_type": row.canvas_type,
        "revision": row.revision,
        "seq": found.head,
        "state": lens.view_state(json.loads(row.state_text)),
        "tools": await ctx.manifest.for_actor(actor, lens),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def read_snapshot(request: Request) -> JSONResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, "canvas")
    lens = ctx.lens(actor)
    _require_read(lens, "snapshot_created")
    raw = str(request.path_params["revision"])
    if not (raw.isascii() and raw.isdigit() and len(raw) <= _MAX_REVISION_DIGITS):
        raise SnapshotNotFound("no such snapshot of this canvas", value=raw)
    snap = await ctx.canvas.snapshot_at(address, int(raw))
    state = await ctx.canvas.snapshot_state(address, snap)
    body = {
        "canvas_type": snap.canvas_type,
        "revision": snap.revision,
        "resume_seq": snap.resume_seq,
        "state": lens.view_state(state),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def take_snapshot(request: Request) -> JSONResponse:
    """On demand: the lens must allow writing ``snapshot_created``."""
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, "canvas")
    ctx.lens(actor).check_write("snapshot_created", {})
    snap = await ctx.canvas.snapshot(address, actor.public())
    body = {
        "revision": snap.revision,
        "resume_seq": snap.resume_seq,
        "inline": snap.state_text is not None,
        "size_bytes": snap.size_bytes,
    }
    return JSONResponse(body, status_code=201)
