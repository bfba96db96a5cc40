"""The agent side: subscribe to a stream (resuming by Last-Event-ID), publish events, send commands.

async with GatewayClient("http://127.0.0.1:8800", token=jwt) as gw:
    canvas = canvas_path(scope)                  # /v1/<tenant>/.../canvases/<canvas_id>
    async for event in gw.subscribe(canvas):     # reconnects and resumes by itself
        ...
    state = await gw.state(canvas)              # {"revision", "state", "seq", "tools", ...}
    await gw.patch(canvas, state["revision"], [{"op": "add", "path": "/title", "value": "Draft"}])
    await gw.command(canvas, "import_media", {"source": "clip.mp4"})

A replica of a canvas's state, kept by applying its commits: :mod:`gateway.canvas_client`.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import anyio
import httpx

from core.errors import AtomsError
from core.scope import Scope

__all__ = ["GatewayClient", "GatewayError", "SseEvent", "canvas_path", "run_path"]

logger = logging.getLogger(__name__)


class GatewayError(AtomsError):
    """The gateway answered with a coded error; ``status`` and ``code`` say which."""

    code = "gateway_error"

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        found = body.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        details = error.get("details")
        super().__init__(
            str(error.get("message", f"HTTP {status}")),
            value=error.get("value"),
            hint=error.get("hint"),
            details=details if isinstance(details, dict) else None,
        )
        self.status = status
        self.error_code = str(error.get("code", "unknown"))


@dataclass(frozen=True)
class SseEvent:
    event: str
    id: str | None
    data: str
    fields: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.data)


def _scope_prefix(scope: Scope) -> str:
    parts = (scope.tenant_id, scope.mode, scope.project_id, scope.surface_id, scope.app_id)
    if any(p is None for p in parts):
        raise ValueError("a stream path needs tenant_id, mode, project_id, surface_id and app_id")
    return "/v1/" + "/".join(str(p) for p in parts)


def canvas_path(scope: Scope) -> str:
    if scope.canvas_id is None:
        raise ValueError("a canvas path needs canvas_id")
    return f"{_scope_prefix(scope)}/canvases/{scope.canvas_id}"


def run_path(scope: Scope) -> str:
    if scope.run_id is None:
        raise ValueError("a run path needs run_id")
    return f"{_scope_prefix(scope)}/runs/{scope.run_id}"


async def parse_sse(lines: AsyncIterator[str]) -> AsyncIterator[SseEvent]:
    """WHATWG event-stream parsing: comments skipped, multi-line data joined, dispatch on a blank line."""
    data: list[str] = []
    event, event_id = "message", None
    async for line in lines:
        if line == "":
            if data:
                yield SseEvent(event, event_id, "\n".join(data))
            data, event, event_id = [], "message", None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id" and "\0" not in value:
            event_id = value


class GatewayClient:
    """An async HTTP client for one gateway, acting as one caller (its bearer token).

    ``refresh_token``, when given, is asked for a fresh token each time a stream ends because
    its token expired (the ``token_expired`` event); :meth:`subscribe` then resumes with it.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout_s: float = 30.0,
        refresh_token: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s, trust_env=False
        )
        self.refresh_token = refresh_token

    async def __aenter__(self) -> GatewayClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _post(
        self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        response = await self.http.post(path, json=body, headers=headers)
        payload: dict[str, Any] = response.json() if response.content else {}
        if response.status_code >= 400:
            raise GatewayError(response.status_code, payload)
        return payload

    async def publish(
        self,
        stream: str,
        type: str,
        data: dict[str, Any] | None = None,
        sidecars: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Append one event to a canvas or run stream; returns ``{"id": seq, "type": ...}``."""
        return await self._post(
            f"{stream}/events", {"type": type, "data": data or {}, "sidecars": sidecars or []}
        )

    async def patch(
        self,
        canvas: str,
        base_revision: int,
        ops: list[dict[str, Any]],
        *,
        kind: str = "state_patch",
        idempotency_key: str | None = None,
        sidecars: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Commit RFC 6902 ``ops`` written against ``base_revision`` (``kind="token_patch"``: paths
        relative to /tokens). Returns ``{"id", "type": "canvas_commit", "revision", "replayed"}``;
        a conflict raises GatewayError 409 ``patch_conflict`` naming the paths in ``details``."""
        data: dict[str, Any] = {"base_revision": base_revision, "ops": ops}
        if idempotency_key is not None:
            data["idempotency_key"] = idempotency_key
        return await self.publish(canvas, kind, data, sidecars)

    async def state(self, canvas: str) -> dict[str, Any]:
        """The canvas's state as this caller's lens sees it, its revision, type, tool buttons and
        ``seq`` (subscribe with ``Last-Event-ID: seq`` to follow it from there)."""
        response = await self.http.get(f"{canvas}/state")
        payload: dict[str, Any] = response.json() if response.content else {}
        if response.status_code >= 400:
            raise GatewayError(response.status_code, payload)
        return payload

    async def command(
        self,
        canvas: str,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Send a canvas command; resending with the same key has one effect and the same reply."""
        key = idempotency_key or uuid.uuid4().hex
        return await self._post(
            f"{canvas}/commands", {"idempotency_key": key, "name": name, "args": args or {}}
        )

    async def chat(self, canvas: str, text: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        key = idempotency_key or uuid.uuid4().hex
        return await self._post(f"{canvas}/chat", {"idempotency_key": key, "text": text})

    async def resolve(self, canvas: str, uri: str) -> dict[str, Any]:
        """A presigned URL for a sidecar, if this caller's lens allows it."""
        return await self._post(f"{canvas}/sidecars/resolve", {"uri": uri})

    async def ws_ticket(self, canvas: str) -> dict[str, Any]:
        return await self._post(f"{canvas}/ws-ticket", {})

    async def stream_once(self, stream: str, last_event_id: str | None = None) -> AsyncIterator[SseEvent]:
        """One SSE connection: events until the server or the network ends it."""
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        timeout = httpx.Timeout(30.0, read=None)
        async with self.http.stream("GET", f"{stream}/events", headers=headers, timeout=timeout) as response:
            if response.status_code >= 400:
                await response.aread()
                raise GatewayError(response.status_code, response.json() if response.content else {})
            async for event in parse_sse(response.aiter_lines()):
                yield event

    async def subscribe(
        self,
        stream: str,
        last_event_id: str | None = None,
        *,
        retry_s: float = 0.5,
        max_retries: int | None = None,
    ) -> AsyncIterator[SseEvent]:
        """Events forever, reconnecting after network errors and resuming from the last id seen
        (and, with ``refresh_token``, after the token expired).

        Coded errors (401, 403, 404...) end the iteration by raising GatewayError.
        """
        cursor = last_event_id
        failures = 0
        while True:
            try:
                async for event in self.stream_once(stream, cursor):
                    failures = 0
                    if event.id is not None:
                        cursor = event.id
                    yield event
                    if event.event == "token_expired" and self.refresh_token is not None:
                        self.http.headers["Authorization"] = f"Bearer {await self.refresh_token()}"
            except (httpx.TransportError, httpx.RemoteProtocolError) as exc:
                failures += 1
                if max_retries is not None and failures > max_retries:
                    raise
                logger.info("stream %s dropped (%s); resuming after %s", stream, type(exc).__name__, cursor)
            await anyio.sleep(retry_s)
