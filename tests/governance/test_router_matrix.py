"""Governance by maturity through the gateway's tool router: agents (their maturity in their
JWT, stamped on their events by the gateway) send a command for a tool of each complexity; the
router runs it, refuses it (a failed state, coded, naming the level needed) or proposes it (a
``proposal`` event); a person's approve_proposal runs the call once, even sent twice; an agent
may not approve; supervised calls are mirrored as supervision log lines."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import anyio
import jwt

from core.metering import DecisionRecord
from core.serving import MountedMuscle, build_http_app
from core.settings import Settings
from gateway.client import GatewayClient, SseEvent
from gateway.proposals import RouterGovernance
from gateway.router import Binding, MuscleEndpoint, ToolRouter
from tests.gateway.conftest import CANVAS, SECRET, serve_gateway, token
from tests.governance.probe import TOOLS, GovProbe, serve
from tests.servers import uvicorn_in_thread

LEVELS = ("STUDENT", "INTERN", "SUPERVISED", "AUTONOMOUS")
EXPECTED = {  # level -> the state of look (1), watch (2), write (3), wipe (4)
    "STUDENT": ["done", "failed", "failed", "failed"],
    "INTERN": ["done", "done", "proposed", "proposed"],
    "SUPERVISED": ["done", "done", "done", "failed"],
    "AUTONOMOUS": ["done", "done", "done", "done"],
}


def agent_token(level: str) -> str:
    claims = {
        "sub": f"agent-{level.lower()}",
        "tenant_id": "tenant-a",
        "actor": "agent",
        "agent_role": "director",
        "maturity": level,
        "exp": int(time.time() + 3600),
    }
    return jwt.encode(claims, SECRET, algorithm="HS256")


async def _handle_commands(router: ToolRouter, reader: GatewayClient, after: str, count: int) -> str:
    """Let the router handle the next ``count`` commands after event ``after``; the last id."""
    handled, last = 0, after
    # The router opens its MCP session inside handle() and keeps it until aclose(): no cancel
    # scope may close around it here (the whole run is bounded by the test's own deadline).
    async with contextlib.aclosing(reader.subscribe(CANVAS, after)) as events:
        async for event in events:
            last = event.id or last
            if event.event == "command":
                await router.handle(event)
                handled += 1
                if handled == count:
                    break
    return last


async def _events(reader: GatewayClient, end: str) -> list[SseEvent]:
    """Every event of the canvas, up to the log line ``end`` this publishes."""
    await reader.publish(CANVAS, "log_line", {"line": end})
    seen: list[SseEvent] = []
    async with contextlib.aclosing(reader.stream_once(CANVAS, "0")) as events:
        async for event in events:
            seen.append(event)
            if event.event == "log_line" and event.json()["data"].get("line") == end:
                break
    return seen


def test_each_level_against_each_complexity_through_the_router_and_an_approval_twice_runs_once(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "muscle", signing_key="k")
    runtime, server = serve(settings)
    app = build_http_app([MountedMuscle("probe", server, runtime)], settings, single=True)
    decisions: list[DecisionRecord] = []

    async def run(gateway_url: str, muscle_url: str) -> tuple[dict[str, str], list[SseEvent]]:
        governance = RouterGovernance(
            tenant_id="tenant-a",
            complexity={(runtime.name, tool): runtime.complexity(tool) for tool in TOOLS},
            store_path=tmp_path / "router" / "proposals.sqlite3",
            record=decisions.append,
        )
        ids: dict[str, str] = {}
        with anyio.fail_after(180):
            return await _scenario(gateway_url, muscle_url, governance, ids)

    async def _scenario(
        gateway_url: str, muscle_url: str, governance: RouterGovernance, ids: dict[str, str]
    ) -> tuple[dict[str, str], list[SseEvent]]:
        async with (
            GatewayClient(gateway_url, token=token(actor="agent", role="router", subject="router")) as gw,
            GatewayClient(gateway_url, token=token()) as person,
        ):
            router = ToolRouter(
                gw,
                CANVAS,
                {tool: Binding(runtime.name, tool) for tool in TOOLS},
                {runtime.name: MuscleEndpoint(runtime.name, f"{muscle_url}/mcp")},
                governance=governance,
            )
            try:
                for level in LEVELS:
                    async with GatewayClient(gateway_url, token=agent_token(level)) as agent:
                        for tool in TOOLS:
                            args = {"note": level[:5].lower()} if tool == "write" else {}
                            reply = await agent.command(CANVAS, tool, args)
                            ids[str(reply["id"])] = f"{level}:{tool}"
                last = await _handle_commands(router, person, "0", len(ids))
                proposals = [
                    e.json()["data"] for e in await _events(person, "first") if e.event == "proposal"
                ]
                write = next(p for p in proposals if p["tool"] == "write")
                async with GatewayClient(gateway_url, token=agent_token("AUTONOMOUS")) as agent:
                    reply = await agent.command(
                        CANVAS, "approve_proposal", {"proposal_id": write["proposal_id"]}
                    )
                    ids[str(reply["id"])] = "agent:approve"
                for n in (1, 2):
                    reply = await person.command(
                        CANVAS, "approve_proposal", {"proposal_id": write["proposal_id"]}
                    )
                    ids[str(reply["id"])] = f"person:approve{n}"
                await _handle_commands(router, person, last, 3)
                return ids, await _events(person, "second")
            finally:
                await router.aclose()

    with serve_gateway(tmp_path / "gateway") as gateway, uvicorn_in_thread(app) as muscle_url:
        ids, events = anyio.run(run, gateway.base_url, muscle_url)

    final: dict[str, dict[str, Any]] = {}
    for event in events:  # the router reports each command's status at /commands/<id>
        if event.event == "canvas_commit":
            for op in event.json()["data"]["ops"]:
                if op["path"].startswith("/commands/"):
                    final[ids[str(op["value"]["id"])]] = op["value"]
    for level, expected in EXPECTED.items():
        assert [final[f"{level}:{tool}"]["status"] for tool in TOOLS] == expected, level
    refused = final["STUDENT:watch"]["error"]
    assert refused["code"] == "maturity_too_low" and refused["value"] == "INTERN"
    assert final["SUPERVISED:wipe"]["error"]["value"] == "AUTONOMOUS"

    assert final["agent:approve"]["status"] == "failed"
    assert final["agent:approve"]["error"]["code"] == "access_denied"
    assert final["person:approve1"]["status"] == "done" and final["person:approve1"]["result"] == {
        "result": 3
    }
    assert final["person:approve2"]["result"]["ran"] is False
    assert GovProbe.writes == ["super", "auton", "inter"]  # the approved write ran once

    proposal_events = [e.json()["data"] for e in events if e.event == "proposal"]
    assert [(p["tool"], p["state"]) for p in proposal_events] == [
        ("write", "pending"),
        ("wipe", "pending"),
        ("write", "executed"),
        ("write", "executed"),
    ]
    assert [p.get("ran") for p in proposal_events[2:]] == [True, False]
    supervised = [e.json()["data"] for e in events if e.event == "log_line" and e.json()["data"].get("kind")]
    assert [(s["actor"], s["command"]["tool"]) for s in supervised] == [
        ("agent-supervised", "look"),
        ("agent-supervised", "watch"),
        ("agent-supervised", "write"),
    ]
    assert len(decisions) == 16
    assert {(d.actor, d.tool, d.outcome) for d in decisions} >= {
        ("agent-student", "wipe", "refuse"),
        ("agent-intern", "write", "propose"),
        ("agent-supervised", "write", "supervise"),
    }
