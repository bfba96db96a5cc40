"""WebSocket: gestures and presence relayed between a canvas's sockets; a reused, unknown or
expired ticket is closed with 1008, every time."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import anyio
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.gateway.conftest import CANVAS, Gateway, auth, serve_gateway, token

USER = token()


def _ticket(http: httpx.Client, user: str = USER) -> str:
    response = http.post(f"{CANVAS}/ws-ticket", json={}, headers=auth(user))
    assert response.status_code == 201
    value: str = response.json()["ticket"]
    return value


async def _close_code(ws_url: str, ticket: str) -> int | None:
    with anyio.fail_after(10):
        async with connect(f"{ws_url}/v1/ws?ticket={ticket}") as socket:
            with contextlib.suppress(ConnectionClosed):
                await socket.recv()
            return socket.close_code


def test_gestures_reach_the_other_sockets_of_the_canvas(gateway: Gateway) -> None:
    ws_url = gateway.base_url.replace("http://", "ws://")
    with httpx.Client(base_url=gateway.base_url, timeout=10) as http:
        t1, t2 = _ticket(http), _ticket(http)

    async def run() -> tuple[dict[str, object], dict[str, object]]:
        with anyio.fail_after(10):
            async with (
                connect(f"{ws_url}/v1/ws?ticket={t1}") as a,
                connect(f"{ws_url}/v1/ws?ticket={t2}") as b,
            ):
                # Each socket is told when it has joined the canvas: from then on it hears the others.
                assert json.loads(await a.recv())["type"] == "socket_ready"
                assert json.loads(await b.recv())["type"] == "socket_ready"
                await a.send(json.dumps({"type": "gesture", "data": {"x": 1, "y": 2}}))
                relayed = json.loads(await b.recv())
                await b.send(json.dumps({"type": "gesture", "data": {"image": "data:image/png;base64,AAAA"}}))
                refused = json.loads(await b.recv())
                return relayed, refused

    relayed, refused = anyio.run(run)
    assert relayed == {
        "type": "gesture",
        "data": {"x": 1, "y": 2},
        "actor": {"kind": "canvas", "subject": "canvas-user", "role": "canvas"},
    }
    assert refused["type"] == "error" and refused["error"]["code"] == "inline_media"


def test_a_reused_or_unknown_ticket_is_closed_with_1008_every_time(gateway: Gateway) -> None:
    ws_url = gateway.base_url.replace("http://", "ws://")
    with httpx.Client(base_url=gateway.base_url, timeout=10) as http:
        tickets = [_ticket(http) for _ in range(20)]

    async def run() -> tuple[list[int | None], list[int | None]]:
        first, reused = [], []
        for ticket in tickets:
            async with connect(f"{ws_url}/v1/ws?ticket={ticket}") as socket:
                await socket.send(json.dumps({"type": "presence", "data": {"here": True}}))
            first.append(1000)
            reused.append(await _close_code(ws_url, ticket))
        reused.append(await _close_code(ws_url, "never-issued"))
        reused.append(await _close_code(ws_url, ""))
        return first, reused

    _, reused = anyio.run(run)
    assert reused == [1008] * 22


@pytest.mark.parametrize("attempt", range(3))
def test_an_expired_ticket_is_closed_with_1008(tmp_path: Path, attempt: int) -> None:
    now = [1000.0]
    with serve_gateway(tmp_path, clock=lambda: now[0], options={"ws_ticket_ttl_s": 30}) as gw:
        ws_url = gw.base_url.replace("http://", "ws://")
        with httpx.Client(base_url=gw.base_url, timeout=10) as http:
            tickets = [_ticket(http) for _ in range(10)]
        now[0] += 30.0 + attempt  # exactly at expiry, and past it

        async def run() -> list[int | None]:
            return [await _close_code(ws_url, t) for t in tickets]

        codes = anyio.run(run)
    assert codes == [1008] * 10
