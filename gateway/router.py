"""The reference tool-router agent: canvas commands bound to muscles' canvas tools become MCP calls.

A muscle's ``MuscleSpec`` lists its canvas tools (``import_media`` -> tool ``register``). The
router subscribes to a canvas stream; for each ``command`` whose name is such a canvas tool it
calls the bound tool over MCP with the command's args, and reports the outcome in the canvas
state at ``/commands/<command id>``: a ``state_patch`` marking it running, then one marking it
done (with the tool's result; a media result also rides as a sidecar of that commit) or failed
(with the coded error). Its patches touch only their own command's path, so they rebase onto
whatever else the canvas did meanwhile; it follows the revision from the commits it sees. It
holds no canvas logic and runs no tools itself.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from core.spec import MuscleSpec
from gateway.client import GatewayClient, GatewayError, SseEvent

__all__ = ["Binding", "MuscleEndpoint", "RouterConfig", "ToolRouter", "load_specs", "run_router"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MuscleEndpoint:
    name: str
    url: str  # streamable HTTP MCP endpoint, e.g. http://127.0.0.1:8700/mcp


@dataclass(frozen=True)
class Binding:
    muscle: str
    tool: str


@dataclass(frozen=True)
class RouterConfig:
    gateway_url: str
    canvas_path: str
    specs: Sequence[MuscleSpec]
    endpoints: Mapping[str, MuscleEndpoint]
    token: str | None = None
    muscle_token: str | None = None
    last_event_id: int | None = None


def load_specs(path: Path) -> list[MuscleSpec]:
    """MuscleSpecs from JSON: one object or the array ``sentinel spec`` prints."""
    raw = json.loads(path.read_text())
    items = raw if isinstance(raw, list) else [raw]
    return [MuscleSpec.model_validate(item) for item in items]


def bindings_of(specs: Sequence[MuscleSpec]) -> dict[str, Binding]:
    return {ct.id: Binding(spec.name, ct.tool) for spec in specs for ct in spec.canvas_tools}


def _is_media_ref(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("uri"), str)
        and value["uri"].startswith("atoms://media/")
        and "sha256" in value
        and "mime_type" in value
    )


@dataclass
class ToolRouter:
    gateway: GatewayClient
    canvas: str
    bindings: dict[str, Binding]
    endpoints: Mapping[str, MuscleEndpoint]
    muscle_token: str | None = None
    revision: int = 0  # the newest canvas revision seen: the base of the router's patches
    _sessions: dict[str, Client] = field(default_factory=dict)
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._sessions.clear()

    async def _session(self, muscle: str) -> Client:
        session = self._sessions.get(muscle)
        if session is None:
            endpoint = self.endpoints[muscle]
            headers = {"Authorization": f"Bearer {self.muscle_token}"} if self.muscle_token else None
            transport = streamable_http_client(
                endpoint.url, http_client=create_mcp_http_client(headers=headers)
            )
            session = await self._stack.enter_async_context(Client(transport))
            self._sessions[muscle] = session
        return session

    async def run(self, last_event_id: int | None = None) -> None:
        cursor = str(last_event_id) if last_event_id is not None else None
        async for event in self.gateway.subscribe(self.canvas, cursor):
            if event.event == "command":
                await self.handle(event)
            elif event.event == "canvas_commit":
                self.revision = max(self.revision, int(event.json()["data"]["revision"]))

    async def report(self, command: dict[str, Any], sidecars: list[dict[str, Any]] | None = None) -> None:
        """Write the command's status at /commands/<id> (once per status, however often retried)."""
        op = {"op": "add", "path": f"/commands/{command['id']}", "value": command}
        key = f"router-{command['id']}-{command['status']}"
        for attempt in range(2):
            try:
                reply = await self.gateway.patch(
                    self.canvas, self.revision, [op], idempotency_key=key, sidecars=sidecars
                )
            except GatewayError as exc:
                if attempt or exc.error_code not in ("base_revision_expired", "patch_conflict"):
                    raise
                self.revision = int((await self.gateway.state(self.canvas))["revision"])
                continue
            self.revision = max(self.revision, int(reply["revision"]))
            return

    async def handle(self, event: SseEvent) -> None:
        body = event.json()
        name = body["data"].get("name")
        binding = self.bindings.get(name)
        if binding is None or binding.muscle not in self.endpoints:
            return  # another agent's command
        command = {"id": body["id"], "name": name, "muscle": binding.muscle, "tool": binding.tool}
        await self.report({**command, "status": "running"})
        try:
            session = await self._session(binding.muscle)
            result = await session.call_tool(binding.tool, body["data"].get("args") or {})
        except Exception as exc:  # the boundary: any transport failure becomes a failed state
            logger.exception("calling %s.%s failed", binding.muscle, binding.tool)
            self._sessions.pop(binding.muscle, None)
            error = {"code": "tool_unreachable", "message": type(exc).__name__}
            await self.report({**command, "status": "failed", "error": error})
            return
        content = result.structured_content or {}
        if result.is_error:
            await self.report({**command, "status": "failed", "error": content.get("error", content)})
            return
        refs = [content] if _is_media_ref(content) else [v for v in content.values() if _is_media_ref(v)]
        await self.report({**command, "status": "done", "result": content}, sidecars=refs)


async def run_router(config: RouterConfig) -> None:
    async with GatewayClient(config.gateway_url, token=config.token) as gateway:
        router = ToolRouter(
            gateway, config.canvas_path, bindings_of(config.specs), config.endpoints, config.muscle_token
        )
        if not any(b.muscle in config.endpoints for b in router.bindings.values()):
            logger.warning("no canvas tool of the given specs has a --muscle endpoint: nothing to route")
        logger.info("routing %s on %s", sorted(router.bindings), config.canvas_path)
        try:
            await router.run(config.last_event_id)
        finally:
            await router.aclose()
