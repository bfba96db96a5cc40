"""Nothing grows without bound: retention applies to every stream however it is written to
(commands and chat included), and idempotency records are forgotten after their life.
On the embedded SQLite spine and on PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import httpx

from gateway.client import GatewayClient
from tests.gateway.conftest import CANVAS, auth, serve_gateway, token

USER = auth(token())


def test_commands_and_chat_keep_only_the_retention(tmp_path: Path, spine_options: dict[str, Any]) -> None:
    async def resync(base_url: str) -> dict[str, Any]:
        async with GatewayClient(base_url, token=token()) as client:
            with anyio.fail_after(20):
                async for event in client.stream_once(CANVAS, "1"):
                    assert event.event == "resync_required"
                    body: dict[str, Any] = event.json()
                    return body
        raise AssertionError("the stream ended without an event")

    with serve_gateway(tmp_path, options={**spine_options, "retention_events": 10}) as gw:
        with httpx.Client(base_url=gw.base_url, headers=USER, timeout=10) as http:
            for i in range(100):
                assert (
                    http.post(
                        f"{CANVAS}/commands", json={"idempotency_key": f"c{i}", "name": "noop"}
                    ).status_code
                    == 202
                )
                assert (
                    http.post(f"{CANVAS}/chat", json={"idempotency_key": f"m{i}", "text": "hi"}).status_code
                    == 202
                )
        body = anyio.run(resync, gw.base_url)
    assert (body["head"], body["first_retained"]) == (200, 191)


def test_idempotency_records_are_forgotten_after_the_command_retention(
    tmp_path: Path, spine_options: dict[str, Any]
) -> None:
    offset = [0.0]

    def now() -> float:
        return time.time() + offset[0]

    def send(http: httpx.Client, key: str) -> httpx.Response:
        return http.post(f"{CANVAS}/commands", json={"idempotency_key": key, "name": "noop"})

    options = {"command_retention_s": 60}
    with (
        serve_gateway(tmp_path, now=now, options={**spine_options, **options}) as gw,
        httpx.Client(base_url=gw.base_url, headers=USER, timeout=10) as http,
    ):
        first = send(http, "k-old")
        within = send(http, "k-old")
        offset[0] = 61.0  # a minute and a second later, as the gateway's clock has it
        send(http, "k-new")
        after = send(http, "k-old")
        replayed_new = send(http, "k-new")
    assert within.headers.get("idempotent-replayed") == "true" and within.content == first.content
    assert after.status_code == 202 and after.headers.get("idempotent-replayed") is None
    assert after.json()["id"] > first.json()["id"]
    assert replayed_new.headers.get("idempotent-replayed") == "true"
