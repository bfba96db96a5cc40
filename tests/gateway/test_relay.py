"""Publish and subscribe over real HTTP: event ids, resume, stream_ready, resync, health, metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx

from gateway.client import GatewayClient, SseEvent
from tests.gateway.conftest import CANVAS, Gateway, auth, serve_gateway, token

DIRECTOR = token(actor="agent", role="director")
USER = token(pinned={"mode": "edit", "project_id": "proj-1", "surface_id": "surf-1", "app_id": "app-1"})


async def _collect(
    client: GatewayClient, n: int, last_event_id: str | None = None, first: anyio.Event | None = None
) -> list[SseEvent]:
    """``n`` events of the canvas stream; ``first`` is set once the first one (the stream's
    opening: stream_ready or resync_required) has arrived."""
    got: list[SseEvent] = []
    with anyio.fail_after(30):
        async for event in client.stream_once(CANVAS, last_event_id):
            got.append(event)
            if first is not None:
                first.set()
            if len(got) >= n:
                break
    return got


def test_events_reach_a_subscriber_with_increasing_ids_and_resume_skips_nothing(gateway: Gateway) -> None:
    async def run() -> tuple[list[SseEvent], list[SseEvent], dict[str, Any]]:
        async with (
            GatewayClient(gateway.base_url, token=DIRECTOR) as agent,
            GatewayClient(gateway.base_url, token=USER) as canvas,
        ):
            first: list[SseEvent] = []
            subscribed = anyio.Event()
            async with anyio.create_task_group() as group:

                async def listen() -> None:
                    first.extend(await _collect(canvas, 4, first=subscribed))

                group.start_soon(listen)
                with anyio.fail_after(20):
                    await subscribed.wait()  # stream_ready: what is published now reaches it
                for i in range(3):
                    await agent.publish(CANVAS, "log_line", {"i": i})
            for i in range(3, 6):
                await agent.publish(CANVAS, "log_line", {"line": f"line {i}"})
            resumed = await _collect(canvas, 3, last_event_id=first[-1].id)
            async with httpx.AsyncClient(base_url=gateway.base_url) as http:
                health = {
                    "live": (await http.get("/health/live")).status_code,
                    "ready": (await http.get("/health/ready")).status_code,
                    "metrics": (await http.get("/metrics")).text,
                }
        return first, resumed, health

    first, resumed, health = anyio.run(run)
    assert first[0].event == "stream_ready" and first[0].json() == {"head": 0}
    assert [e.event for e in first[1:]] == ["log_line"] * 3
    assert [e.json()["data"] for e in first[1:]] == [{"i": 0}, {"i": 1}, {"i": 2}]
    assert [e.id for e in first[1:] + resumed] == ["1", "2", "3", "4", "5", "6"]
    assert [e.json()["data"]["line"] for e in resumed] == ["line 3", "line 4", "line 5"]
    assert first[1].json()["actor"] == {"kind": "agent", "subject": "agent-director", "role": "director"}
    assert health["live"] == health["ready"] == 200
    assert (
        "gateway_events_out_total" in health["metrics"] and "gateway_resumes_total 1.0" in health["metrics"]
    )


def test_a_cursor_older_than_retention_gets_resync_required_then_what_is_retained(tmp_path: Path) -> None:
    # A stream without canvas state: nothing to reload, the stream goes on from what is kept.
    # (Canvas snapshots in resyncs: tests/gateway/canvas/test_snapshots.py.)
    async def run(gw: Gateway) -> list[SseEvent]:
        async with GatewayClient(gw.base_url, token=DIRECTOR) as agent:
            for n in range(1, 10):
                await agent.publish(CANVAS, "log_line", {"n": n})  # retention keeps 6..9
            return await _collect(agent, 2, last_event_id="1")

    with serve_gateway(tmp_path, options={"retention_events": 4}) as gw:
        events = anyio.run(run, gw)
    resync = events[0]
    assert resync.event == "resync_required"
    body = resync.json()
    assert body["reason"] == "cursor_older_than_retention" and body["first_retained"] == 6
    assert body["snapshot"] is None and resync.id == "5"
    assert events[1].id == "6" and events[1].json()["data"] == {"n": 6}


def test_a_cursor_ahead_of_the_stream_is_told_to_resync(gateway: Gateway) -> None:
    async def run() -> list[SseEvent]:
        async with GatewayClient(gateway.base_url, token=DIRECTOR) as agent:
            await agent.publish(CANVAS, "log_line", {"n": 1})
            return await _collect(agent, 1, last_event_id="50")

    (event,) = anyio.run(run)
    assert event.event == "resync_required" and event.json()["reason"] == "cursor_ahead_of_stream"
    assert event.id == "0"


def test_sse_headers_disable_proxy_buffering_and_the_query_cursor_works(gateway: Gateway) -> None:
    async def run() -> tuple[httpx.Headers, list[str]]:
        async with GatewayClient(gateway.base_url, token=DIRECTOR) as agent:
            for n in range(3):
                await agent.publish(CANVAS, "chat_token", {"token": str(n)})
        async with httpx.AsyncClient(base_url=gateway.base_url, headers=auth(DIRECTOR)) as http:
            lines: list[str] = []
            with anyio.fail_after(10):
                async with http.stream("GET", f"{CANVAS}/events?last_event_id=1") as response:
                    async for line in response.aiter_lines():
                        lines.append(line)
                        if line.startswith("id: 3"):
                            break
            return response.headers, lines

    headers, lines = anyio.run(run)
    assert headers["x-accel-buffering"] == "no" and headers["content-type"].startswith("text/event-stream")
    assert [line for line in lines if line.startswith("id:")] == ["id: 2", "id: 3"]


def test_comment_pings_keep_an_idle_stream_alive(tmp_path: Path) -> None:
    with serve_gateway(tmp_path, options={"ping_s": 0.2}) as gw:

        async def run() -> list[str]:
            async with httpx.AsyncClient(base_url=gw.base_url, headers=auth(DIRECTOR)) as http:
                lines: list[str] = []
                with anyio.fail_after(10):
                    async with http.stream("GET", f"{CANVAS}/events") as response:
                        async for line in response.aiter_lines():
                            lines.append(line)
                            if line.startswith(":"):
                                break
                return lines

        lines = anyio.run(run)
    assert lines[-1].startswith(": ping")
