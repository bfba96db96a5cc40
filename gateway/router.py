"""The reference tool-router agent: canvas commands bound to muscles' canvas tools become MCP calls.

A muscle's ``MuscleSpec`` lists its canvas tools (``import_media`` -> tool ``register``). The
router subscribes to a canvas stream; for each ``command`` whose name is such a canvas tool it
calls the bound tool over MCP with the command's args, and reports the outcome in the canvas
state at ``/commands/<command id>``: a ``state_patch`` marking it running, then one marking it
done (with the tool's result; a media result also rides as a sidecar of that commit) or failed
(with the coded error). Its patches touch only their own command's path, so they rebase onto
whatever else the canvas did meanwhile; it follows the revision from the commits it sees. It
holds no canvas logic and runs no tools itself.

Governance (:mod:`gateway.proposals`): each command runs at the router's maturity, lowered to
its author's when an agent sends it; a tool too complex for that level is refused (a failed
state naming the level needed), proposed (an INTERN's: a ``proposal`` event a person approves
or rejects; an approval runs the call once) or mirrored to the supervision stream (SUPERVISED).
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

from core.errors import AccessDenied, MaturityTooLow, NotFound
from core.governance import Decision
from core.spec import MuscleSpec
from gateway.client import GatewayClient, GatewayError, SseEvent
from gateway.proposals import APPROVE, REJECT, RouterGovernance

__all__ = ["Binding", "MuscleEndpoint", "RouterConfig", "ToolRouter", "load_specs", "run_router", "tenant_of"]

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
    governance: RouterGovernance | None = None
    supervision_path: str | None = None  # a stream path; None mirrors supervised calls on the canvas


def load_specs(path: Path) -> list[MuscleSpec]:
    """MuscleSpecs from JSON: one object or the array ``sentinel spec`` prints."""
    raw = json.loads(path.read_text())
    items = raw if isinstance(raw, list) else [raw]
    return [MuscleSpec.model_validate(item) for item in items]


def tenant_of(canvas_path: str) -> str:
    """The tenant of a canvas path (``/v1/<tenant>/...``)."""
    parts = canvas_path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else "local"


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
    governance: RouterGovernance = field(default_factory=lambda: RouterGovernance(tenant_id="local"))
    supervision_path: str | None = None
    _sessions: dict[str, Client] = field(default_factory=dict)
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._sessions.clear()
        await self.governance.close()

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
        data = body["data"]
        name = data.get("name")
        if name in (APPROVE, REJECT):
            await self._decide(body, approve=name == APPROVE)
            return
        binding = self.bindings.get(name)
        if binding is None or binding.muscle not in self.endpoints:
            return  # another agent's command
        command = {"id": body["id"], "name": name, "muscle": binding.muscle, "tool": binding.tool}
        author = body.get("actor") or {}
        args = data.get("args") or {}
        decision = self.governance.check(author, binding.muscle, binding.tool)
        if decision.outcome == "refuse":
            await self._failed(command, _refusal(author, binding, decision).to_dict())
            return
        if decision.outcome == "propose":
            proposal = await self.governance.propose(author, binding.muscle, binding.tool, args, decision)
            await self.gateway.publish(self.canvas, "proposal", {**proposal.public(), "command": command})
            await self.report({**command, "status": "proposed", "proposal_id": proposal.proposal_id})
            return
        content = await self._run(command, binding, args)
        if decision.outcome == "supervise":
            mirrored = {
                "kind": "supervision",
                "actor": author.get("subject"),
                "maturity": decision.maturity.name,
                "command": command,
                "arguments": args,
                "outcome": "failed" if content is None else "done",
            }
            await self.gateway.publish(self.supervision_path or self.canvas, "log_line", mirrored)

    async def _run(
        self, command: dict[str, Any], binding: Binding, args: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Call the bound tool and publish its outcome; its structured result (None when it failed)."""
        await self.report({**command, "status": "running"})
        try:
            session = await self._session(binding.muscle)
            result = await session.call_tool(binding.tool, args)
        except Exception as exc:  # the boundary: any transport failure becomes a failed state
            logger.exception("calling %s.%s failed", binding.muscle, binding.tool)
            self._sessions.pop(binding.muscle, None)
            await self._failed(command, {"code": "tool_unreachable", "message": type(exc).__name__})
            return None
        content = result.structured_content or {}
        if result.is_error:
            await self._failed(command, content.get("error", content))
            return None
        refs = [content] if _is_media_ref(content) else [v for v in content.values() if _is_media_ref(v)]
        await self.report({**command, "status": "done", "result": content}, sidecars=refs)
        return content

    async def _decide(self, body: dict[str, Any], *, approve: bool) -> None:
        """A person's approve_proposal / reject_proposal: the first decision wins; an approval
        runs the proposed call once, and deciding again changes nothing."""
        author = body.get("actor") or {}
        args = body["data"].get("args") or {}
        proposal_id = args.get("proposal_id")
        command = {"id": body["id"], "name": body["data"].get("name"), "proposal_id": proposal_id}
        if author.get("kind") != "canvas":
            error = AccessDenied(
                "only a person may approve or reject a proposal", value=author.get("subject")
            )
            await self._failed(command, error.to_dict())
            return
        proposal, run = await self.governance.decide(
            str(proposal_id), approve=approve, by=str(author.get("subject"))
        )
        if proposal is None:
            await self._failed(command, NotFound(f"no proposal {proposal_id}", value=proposal_id).to_dict())
            return
        if run:
            binding = Binding(proposal.muscle, proposal.tool)
            content = await self._run(
                {**command, "muscle": binding.muscle, "tool": binding.tool}, binding, proposal.arguments
            )
            proposal = await self.governance.executed(proposal.proposal_id, {"result": content})
        await self.gateway.publish(self.canvas, "proposal", {**proposal.public(), "ran": run})
        if not run:
            outcome = {"proposal_id": proposal.proposal_id, "state": proposal.state, "ran": False}
            await self.report({**command, "status": "done", "result": outcome})

    async def _failed(self, command: dict[str, Any], error: dict[str, Any]) -> None:
        await self.report({**command, "status": "failed", "error": error})


def _refusal(author: dict[str, Any], binding: Binding, decision: Decision) -> MaturityTooLow:
    return MaturityTooLow(
        f"{author.get('subject', 'the sender')} ({decision.maturity.name}) may not run {binding.tool}, a "
        f"complexity-{decision.complexity} tool: it needs {decision.needed.name}",
        value=decision.needed.name,
        details={
            "maturity": decision.maturity.name,
            "complexity": decision.complexity,
            "needed": decision.needed.name,
        },
    )


async def run_router(config: RouterConfig) -> None:
    async with GatewayClient(config.gateway_url, token=config.token) as gateway:
        router = ToolRouter(
            gateway,
            config.canvas_path,
            bindings_of(config.specs),
            config.endpoints,
            config.muscle_token,
            governance=config.governance or RouterGovernance(tenant_id=tenant_of(config.canvas_path)),
            supervision_path=config.supervision_path,
        )
        if not any(b.muscle in config.endpoints for b in router.bindings.values()):
            logger.warning("no canvas tool of the given specs has a --muscle endpoint: nothing to route")
        logger.info("routing %s on %s", sorted(router.bindings), config.canvas_path)
        try:
            await router.run(config.last_event_id)
        finally:
            await router.aclose()
