"""Idempotent commands: 100 concurrent sends of one command make one spine entry and one effect
and all get the original reply; the same key with another body gets 409."""

from __future__ import annotations

import anyio
import httpx

from gateway.client import GatewayClient, SseEvent
from tests.gateway.conftest import CANVAS, Gateway, auth, token

USER = token()
DIRECTOR = token(actor="agent", role="director")


def test_the_same_command_100_times_concurrently_has_one_effect_and_one_reply(gateway: Gateway) -> None:
    body = {"idempotency_key": "cmd-0001", "name": "import_media", "args": {"source": "clip.mp4"}}

    async def run() -> tuple[list[httpx.Response], list[SseEvent], httpx.Response, httpx.Response]:
        seen: list[SseEvent] = []
        async with httpx.AsyncClient(base_url=gateway.base_url, headers=auth(USER), timeout=30) as http:
            replies: list[httpx.Response] = []

            async def send() -> None:
                replies.append(await http.post(f"{CANVAS}/commands", json=body))

            async with anyio.create_task_group() as group:
                for _ in range(100):
                    group.start_soon(send)
            other = await http.post(f"{CANVAS}/commands", json={**body, "args": {"source": "other.mp4"}})
            by_header = await http.post(
                f"{CANVAS}/commands",
                json={k: v for k, v in body.items() if k != "idempotency_key"},
                headers={"Idempotency-Key": "cmd-0001"},
            )
            # Mark the end of the stream, then read everything it holds.
            async with GatewayClient(gateway.base_url, token=DIRECTOR) as agent:
                await agent.publish(CANVAS, "log_line", {"line": "end"})
                with anyio.fail_after(20):
                    async for event in agent.stream_once(CANVAS, "0"):
                        seen.append(event)
                        if event.event == "log_line":
                            break
        return replies, seen, other, by_header

    replies, seen, other, by_header = anyio.run(run)
    assert {r.status_code for r in replies} == {202}
    assert len({r.content for r in replies}) == 1
    assert sum(1 for r in replies if r.headers.get("idempotent-replayed") != "true") == 1
    commands = [e for e in seen if e.event == "command"]
    assert len(commands) == 1
    assert commands[0].json()["data"] == {
        "name": "import_media",
        "args": {"source": "clip.mp4"},
        "idempotency_key": "cmd-0001",
    }
    assert replies[0].json()["id"] == int(commands[0].id or 0)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
    assert by_header.status_code == 202 and by_header.content == replies[0].content


def test_chat_send_is_idempotent_too_and_keys_are_per_tenant(gateway: Gateway) -> None:
    with httpx.Client(base_url=gateway.base_url, timeout=10) as http:
        first = http.post(
            f"{CANVAS}/chat", json={"idempotency_key": "m1", "text": "hello"}, headers=auth(USER)
        )
        again = http.post(
            f"{CANVAS}/chat", json={"idempotency_key": "m1", "text": "hello"}, headers=auth(USER)
        )
        changed = http.post(
            f"{CANVAS}/chat", json={"idempotency_key": "m1", "text": "bye"}, headers=auth(USER)
        )
        b_path = CANVAS.replace("/tenant-a/", "/tenant-b/")
        other_tenant = http.post(
            f"{b_path}/chat", json={"idempotency_key": "m1", "text": "hello"}, headers=auth(token("tenant-b"))
        )
        mismatch = http.post(
            f"{CANVAS}/chat",
            json={"idempotency_key": "m2", "text": "x"},
            headers={**auth(USER), "Idempotency-Key": "m3"},
        )
    assert first.status_code == again.status_code == 202 and first.content == again.content
    assert again.headers["idempotent-replayed"] == "true"
    assert changed.status_code == 409
    assert other_tenant.status_code == 202 and other_tenant.headers.get("idempotent-replayed") is None
    assert mismatch.status_code == 400
