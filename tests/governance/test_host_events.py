"""The muscle host publishes governance to the canvas gateway: an INTERN's proposal as a
``proposal`` event on the canvas its token names, a SUPERVISED agent's calls as supervision
log lines on the supervision stream."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from core.serving import MountedMuscle, build_http_app
from core.settings import Settings
from gateway.client import GatewayClient, SseEvent
from tests.gateway.conftest import CANVAS, serve_gateway, token
from tests.governance.probe import serve
from tests.servers import uvicorn_in_thread

RUN = CANVAS.rsplit("/canvases/", 1)[0] + "/runs/supervision"
INTERN, SUPERVISED = "intern-token-0123456789", "supervised-token-0123456789"


async def _read(reader: GatewayClient, stream: str, end: str) -> list[SseEvent]:
    await reader.publish(stream, "log_line", {"line": end})
    seen: list[SseEvent] = []
    async with contextlib.aclosing(reader.stream_once(stream, "0")) as events:
        async for event in events:
            seen.append(event)
            if event.event == "log_line" and event.json()["data"].get("line") == end:
                break
    return seen


def test_proposals_and_supervised_calls_reach_the_canvas_gateway(tmp_path: Path) -> None:
    with serve_gateway(tmp_path / "gateway") as gateway:
        settings = Settings(
            data_dir=tmp_path / "muscle",
            signing_key="k",
            auth_tokens={
                "tenant-a": [
                    {"token": INTERN, "actor": "intern", "maturity": "INTERN", "canvas": CANVAS},
                    {"token": SUPERVISED, "actor": "supervised", "maturity": "SUPERVISED"},
                ]
            },
            governance_gateway_url=gateway.base_url,
            governance_gateway_token=token(actor="agent", role="router", subject="muscle-host"),
            governance_supervision_stream=RUN,
        )
        runtime, server = serve(settings)
        app = build_http_app([MountedMuscle("probe", server, runtime)], settings, single=True)

        async def call(url: str, bearer: str, tool: str, args: dict[str, Any]) -> Any:
            async with (
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {bearer}"}, timeout=30) as http,
                Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
            ):
                return await client.call_tool(tool, args)

        async def run(url: str) -> tuple[Any, list[SseEvent], list[SseEvent]]:
            proposed = await call(url, INTERN, "write", {"note": "hi"})
            await call(url, SUPERVISED, "look", {})
            async with GatewayClient(gateway.base_url, token=token()) as person:
                return proposed, await _read(person, CANVAS, "end"), await _read(person, RUN, "end")

        with uvicorn_in_thread(app) as url:
            proposed, canvas, supervision = anyio.run(run, url)

    proposal_id = proposed.structured_content["error"]["value"]
    [event] = [e.json() for e in canvas if e.event == "proposal"]
    assert event["data"]["proposal_id"] == proposal_id and event["data"]["state"] == "pending"
    assert event["data"]["tool"] == "write" and event["data"]["arguments"] == {"note": "hi"}
    assert event["actor"]["subject"] == "muscle-host"
    [line] = [e.json()["data"] for e in supervision if e.event == "log_line" and e.json()["data"].get("kind")]
    assert (line["kind"], line["actor"], line["tool"], line["outcome"]) == (
        "supervision",
        "supervised",
        "look",
        "ok",
    )
