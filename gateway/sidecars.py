"""Resolving a sidecar to a presigned download URL, as the caller's lens allows."""

from __future__ import annotations

import anyio
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse

from core.scope import Scope
from gateway.context import GatewayContext

__all__ = ["resolve_sidecar"]

_TTL_S = 300


class ResolveIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    uri: str = Field(max_length=512)
    ttl_s: int = Field(default=_TTL_S, ge=1, le=3600)


async def resolve_sidecar(request: Request) -> JSONResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, "canvas")
    lens = ctx.lens(actor)
    if not lens.resolve:
        lens.check_resolve("any")  # refuse before looking anything up: no existence oracle
    body = await ctx.envelope(request, ResolveIn)
    tenant = Scope(tenant_id=address.tenant_id)
    store = ctx.store
    ref = await anyio.to_thread.run_sync(store.stat, tenant, body.uri)
    lens.check_resolve(ref.mime_type)
    link = await anyio.to_thread.run_sync(lambda: store.presign_download(tenant, body.uri, ttl_s=body.ttl_s))
    return JSONResponse(
        {
            "uri": body.uri,
            "mime_type": ref.mime_type,
            "url": link.url,
            "method": link.method,
            "expires_at": link.expires_at,
            "headers": dict(link.headers),
        }
    )
