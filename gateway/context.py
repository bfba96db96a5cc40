"""What every route shares: configuration, the spine, hubs, metrics, identity and lenses."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import HTTPConnection, Request

from core.discovery import project_root
from core.errors import InvalidInput, Unauthenticated
from core.media import MediaStore
from gateway.browser import check_browser_write
from gateway.canvas.catalog import (
    RegistryCatalog,
    SentinelCatalog,
    SpecsFileCatalog,
    StaticCatalog,
    ToolCatalog,
)
from gateway.canvas.commit import CanvasLimits
from gateway.canvas.documents import SnapshotDocuments
from gateway.canvas.manifest import Manifest, ToolGate, maturity_gate
from gateway.canvas.service import CanvasService
from gateway.canvas.types import CanvasTypes
from gateway.dev_tokens import read_dev_secret
from gateway.envelopes import Model, parse_envelope
from gateway.errors import EnvelopeTooLarge, ThreadScopeMissing
from gateway.hub import HubRegistry
from gateway.identity import Actor, TokenVerifier, local_actor
from gateway.lenses import DEFAULT_LENSES, Lens, lens_for
from gateway.metrics import GatewayMetrics
from gateway.settings import GatewayConfig
from gateway.spine import RetainedSpine, Spine
from gateway.streams import StreamAddress, StreamKind, authorize
from gateway.tickets import TicketBook

__all__ = ["GatewayContext", "open_catalog"]

TOKEN_COOKIE = "atoms_gateway_token"  # noqa: S105 -- a cookie name, not a secret
# What a chat thread path needs from the token's atoms_scope pins (the tenant is its own claim).
THREAD_SCOPE_FIELDS = ("mode", "project_id", "surface_id", "app_id")
_HUB_POLL_S = 1.0
_MAX_LENGTH_DIGITS = 18


@dataclass
class GatewayContext:
    """``spine`` is wrapped so retention applies to every write; ``clock`` (monotonic) times
    tickets, ``now`` (epoch seconds) compares with stored times and token expiry."""

    config: GatewayConfig
    spine: Spine
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], float] = time.time
    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)
    lenses: dict[str, Lens] = field(default_factory=lambda: dict(DEFAULT_LENSES))
    catalog: ToolCatalog | None = None
    tool_gate: ToolGate = maturity_gate
    hubs: HubRegistry = field(init=False)
    canvas: CanvasService = field(init=False)
    manifest: Manifest = field(init=False)
    tickets: TicketBook = field(init=False)
    verifier: TokenVerifier | None = field(init=False)
    _store: MediaStore | None = field(default=None, init=False)
    _dev: TokenVerifier | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        options = self.config.options
        retained = RetainedSpine(
            self.spine,
            keep_events=options.retention_events,
            command_ttl_s=options.command_retention_s,
            now=self.now,
        )
        self.spine = retained
        limits = CanvasLimits(
            rebase_window=options.rebase_window,
            max_state_bytes=options.max_state_bytes,
            snapshot_every=options.snapshot_every,
            snapshot_inline_bytes=options.snapshot_inline_bytes,
        )
        self.canvas = CanvasService(self.spine, CanvasTypes(), limits, SnapshotDocuments(lambda: self.store))
        retained.floor = self.canvas.retention_floor
        self.manifest = Manifest(self.catalog or open_catalog(self.config), self.tool_gate)
        self.hubs = HubRegistry(self.spine, poll_s=_HUB_POLL_S, on_drop=self.metrics.drops.inc)
        self.tickets = TicketBook(ttl_s=options.ws_ticket_ttl_s, clock=self.clock)
        if options.jwt_secret is not None:
            self.verifier = TokenVerifier(
                secret=options.jwt_secret.get_secret_value(), audience=options.jwt_audience
            )
        elif options.jwks_url:
            self.verifier = TokenVerifier(jwks_url=options.jwks_url, audience=options.jwt_audience)
        else:
            self.verifier = None

    @property
    def store(self) -> MediaStore:
        """Core storage, for turning sidecars into presigned URLs (opened on first use)."""
        if self._store is None:
            self._store = MediaStore.from_settings(self.config.settings)
        return self._store

    async def authenticate(self, conn: HTTPConnection) -> Actor:
        """The verified caller (401 otherwise); a write must also pass the browser checks."""
        header = conn.headers.get("authorization", "")
        bearer = (header[7:].strip() if header.lower().startswith("bearer ") else "") or None
        token = bearer or conn.cookies.get(TOKEN_COOKIE)
        via_cookie = bearer is None and token is not None
        check_browser_write(conn, via_cookie=via_cookie, allowed_origins=self.config.options.allowed_origins)
        if self.verifier is None:
            if token is None:
                return local_actor(self.config.settings.tenant_id)
            return await self._dev_verifier().verify(token)
        if not token:
            raise Unauthenticated(
                "missing bearer token",
                hint="Send 'Authorization: Bearer <JWT>' (or the atoms_gateway_token cookie for EventSource).",
            )
        return await self.verifier.verify(token)

    def _dev_verifier(self) -> TokenVerifier:
        """A local gateway without a configured secret verifies bearer tokens against the data
        dir's development secret (``gateway token``); read once it exists."""
        if self._dev is None:
            secret = read_dev_secret(self.config.settings)
            if secret is None:
                raise Unauthenticated(
                    "this local gateway has no token secret",
                    hint="Mint a development token with `gateway token` (it makes the secret), "
                    "or send no token to act as the local tenant.",
                )
            self._dev = TokenVerifier(secret=secret, audience=self.config.options.jwt_audience)
        return self._dev

    def lens(self, actor: Actor) -> Lens:
        return lens_for(actor.role, self.lenses)

    async def caller(self, conn: HTTPConnection, kind: StreamKind) -> tuple[Actor, StreamAddress]:
        """Authenticate, address the stream from the path, and check the scope (401/403)."""
        actor = await self.authenticate(conn)
        address = StreamAddress.from_path(kind, conn.path_params)
        authorize(actor, address)
        return actor, address

    async def thread_caller(self, conn: HTTPConnection) -> tuple[Actor, StreamAddress]:
        """For ``/sse/chat/{thread_id}`` and ``/ws/chat/{thread_id}``: the thread is a canvas, the
        rest of its scope comes from the token's pins (401/403 as for the canonical path)."""
        actor = await self.authenticate(conn)
        params = {**actor.pinned, "tenant_id": actor.tenant_id, "canvas_id": conn.path_params["thread_id"]}
        missing = [name for name in THREAD_SCOPE_FIELDS if not params.get(name)]
        if missing:
            raise ThreadScopeMissing(
                f"the token pins no {', '.join(missing)}: a chat thread path carries only the thread id",
                value=missing[0],
            )
        address = StreamAddress.from_path("canvas", params)
        authorize(actor, address)
        return actor, address

    async def envelope(
        self, request: Request, model: type[Model], defaults: dict[str, str] | None = None
    ) -> Model:
        body = await read_limited(request, self.config.options.max_envelope_bytes)
        return parse_envelope(model, body, self.config.options, defaults)


def open_catalog(config: GatewayConfig) -> ToolCatalog:
    """The tool catalog the settings name (see GatewayOptions.tool_catalog)."""
    options = config.options
    choice = options.tool_catalog
    if choice == "registry" or (choice is None and options.database_url is not None):
        if options.database_url is None:
            return StaticCatalog()
        return RegistryCatalog(
            options.database_url.get_secret_value(), refresh_s=options.tool_catalog_refresh_s
        )
    if choice in (None, "sentinel"):
        return SentinelCatalog(project_root())
    if choice == "none":
        return StaticCatalog()
    return SpecsFileCatalog(Path(choice))


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refusing (413) as soon as it passes ``limit`` instead of buffering it all."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise InvalidInput("Content-Length is not a number", value=declared)
        if len(declared) > _MAX_LENGTH_DIGITS or int(declared) > limit:
            raise EnvelopeTooLarge(f"the envelope is {declared} bytes, over the limit", value=limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise EnvelopeTooLarge("the envelope is over the limit", value=limit)
        chunks.append(chunk)
    return b"".join(chunks)
