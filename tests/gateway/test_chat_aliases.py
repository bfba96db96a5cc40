"""The platform UI transport's paths: /sse/chat/{thread_id} is the thread's canvas stream and
/ws/chat/{thread_id} its gesture socket, with the scope taken from the token's pins and the
same authentication, scope checks, lenses and resume as the canonical paths."""

from __future__ import annotations

import contextlib
import json

import anyio
import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from gateway.client import GatewayClient, SseEvent
from tests.gateway.conftest import CANVAS, SCOPE, Gateway, auth, token

PINS = {
    "mode": SCOPE.mode,
    "project_id": SCOPE.project_id,
    "surface_id": SCOPE.surface_id,
    "app_id": SCOPE.app_id,
}
USER = token(pinned=PINS)
PLANNER = token(actor="agent", role="planner", pinned=PINS)
DIRECTOR = token(actor="agent", role="director")
THREAD = f"/sse/chat/{SCOPE.canvas_id}"


async def _read(base_url: str, path: str, reader: str, cursor: str | None, n: int) -> list[SseEvent]:
    got: list[SseEvent] = []
    headers = {"Accept": "text/event-stream", **auth(reader)}
    if cursor is not None:
        headers["Last-Event-ID"] = cursor
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(20, read=20)) as http:
        with anyio.fail_after(20):
            async with http.stream("GET", path, headers=headers) as response:
                assert response.status_code == 200, await response.aread()
                event: dict[str, str] = {}
                async for line in response.aiter_lines():
                    if line == "":
                        got.append(
                            SseEvent(event.get("event", "message"), event.get("id"), event.get("data", ""))
                        )
                        event = {}
                        if len(got) >= n:
                            return got
                    elif not line.startswith(":"):
                        name, _, value = line.partition(":")
                        event[name] = value.lstrip(" ")
    return got


def test_the_sse_alias_resumes_with_last_event_id_like_the_canonical_path(gateway: Gateway) -> None:
    async def run() -> tuple[list[SseEvent], ...]:
        async with GatewayClient(gateway.base_url, token=DIRECTOR) as agent:
            for n in range(6):
                await agent.publish(CANVAS, "chat_token", {"token": f"t{n}"})
            await agent.publish(
                CANVAS, "token_patch", {"base_revision": 0, "tokens": {"color.primary": "#f00"}}
            )
        alias = await _read(gateway.base_url, THREAD, USER, "2", 5)
        canonical = await _read(gateway.base_url, f"{CANVAS}/events", USER, "2", 5)
        planner = await _read(gateway.base_url, THREAD, PLANNER, "6", 1)
        fresh = await _read(gateway.base_url, THREAD, USER, None, 1)
        return alias, canonical, planner, fresh

    alias, canonical, planner, fresh = anyio.run(run)
    assert [e.id for e in alias] == ["3", "4", "5", "6", "7"]
    assert [(e.event, e.id, e.data) for e in alias] == [(e.event, e.id, e.data) for e in canonical]
    # The same lens: the planner does not see the color token.
    assert planner[0].event == "canvas_commit" and "color.primary" not in planner[0].data
    assert fresh[0].event == "stream_ready" and json.loads(fresh[0].data) == {"head": 7}


def test_the_sse_alias_needs_a_token_and_one_pinned_to_a_full_scope(gateway: Gateway) -> None:
    with httpx.Client(base_url=gateway.base_url, timeout=10) as http:
        anonymous = http.get(THREAD)
        unpinned = http.get(THREAD, headers=auth(token()))
        other_canvas = http.get(THREAD, headers=auth(token(pinned={**PINS, "canvas_id": "canvas-2"})))
    assert anonymous.status_code == 401
    assert unpinned.status_code == 403 and unpinned.json()["error"]["code"] == "thread_scope_missing"
    assert other_canvas.status_code == 403 and other_canvas.json()["error"]["code"] == "scope_mismatch"


def test_the_ws_alias_opens_with_a_ticket_and_relays_to_the_canonical_socket(gateway: Gateway) -> None:
    ws_url = gateway.base_url.replace("http://", "ws://")
    with httpx.Client(base_url=gateway.base_url, timeout=10) as http:
        chat_ticket = http.post(f"/ws/chat/{SCOPE.canvas_id}/ticket", json={}, headers=auth(USER)).json()
        canonical_ticket = http.post(f"{CANVAS}/ws-ticket", json={}, headers=auth(USER)).json()["ticket"]
        foreign_ticket = http.post(
            CANVAS.replace("canvas-1", "canvas-2") + "/ws-ticket", json={}, headers=auth(USER)
        ).json()["ticket"]

    async def close_code(url: str) -> int | None:
        with anyio.fail_after(10):
            async with connect(url) as socket:
                with contextlib.suppress(ConnectionClosed):
                    await socket.recv()
                return socket.close_code

    async def run() -> tuple[dict[str, object], list[int | None]]:
        with anyio.fail_after(10):
            async with (
                connect(f"{ws_url}{chat_ticket['url']}") as alias,
                connect(f"{ws_url}/v1/ws?ticket={canonical_ticket}") as canonical,
            ):
                assert json.loads(await alias.recv())["type"] == "socket_ready"
                assert json.loads(await canonical.recv())["type"] == "socket_ready"
                await alias.send(json.dumps({"type": "gesture", "data": {"cursor": [1, 2]}}))
                relayed = json.loads(await canonical.recv())
        codes = [
            await close_code(f"{ws_url}{chat_ticket['url']}"),  # used
            await close_code(f"{ws_url}/ws/chat/{SCOPE.canvas_id}?ticket={foreign_ticket}"),  # another thread
            await close_code(f"{ws_url}/ws/chat/{SCOPE.canvas_id}"),  # none
        ]
        return relayed, codes

    relayed, codes = anyio.run(run)
    assert chat_ticket["url"].startswith(f"/ws/chat/{SCOPE.canvas_id}?ticket=")
    assert relayed == {
        "type": "gesture",
        "data": {"cursor": [1, 2]},
        "actor": {"kind": "canvas", "subject": "canvas-user", "role": "canvas"},
    }
    assert codes == [1008, 1008, 1008]
