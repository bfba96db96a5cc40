"""Slow consumers and shutdown: a subscriber that cannot keep up is cut off past its queue limit
while the others get every event; SIGTERM with open streams ends the process within its grace
period, and a reconnect to a new process on the same spine loses nothing."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import httpx

from gateway.client import GatewayClient
from tests.gateway.conftest import (
    CANVAS,
    gateway_env,
    serve_gateway,
    start_gateway_process,
    stop_process,
    token,
)

DIRECTOR = token(actor="agent", role="director")
PADDING = " ".join(f"word{i % 97}" for i in range(600))  # ~4 KB of prose per event


def _open_slow_socket(base_url: str) -> socket.socket:
    """A raw HTTP client with a tiny receive buffer, so the server's writes back up quickly."""
    parts = urlsplit(base_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname or "127.0.0.1", parts.port or 80))
    request = (
        f"GET {CANVAS}/events HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: text/event-stream\r\n"
        f"Authorization: Bearer {DIRECTOR}\r\n\r\n"
    )
    sock.sendall(request.encode())
    return sock


def test_a_slow_subscriber_is_cut_off_while_fast_ones_get_everything(tmp_path: Path) -> None:
    total, fast_count = 3000, 3
    with serve_gateway(tmp_path, options={"queue_limit": 100}) as gw:
        slow = _open_slow_socket(gw.base_url)
        slow.settimeout(5)
        assert slow.recv(64).startswith(b"HTTP/1.1 200")

        async def run() -> tuple[list[int], float]:
            counts = [0] * fast_count
            async with anyio.create_task_group() as group:
                ready = [anyio.Event() for _ in range(fast_count)]

                async def fast(i: int) -> None:
                    async with GatewayClient(gw.base_url, token=DIRECTOR) as client:
                        with anyio.fail_after(240):
                            async for event in client.stream_once(CANVAS):
                                if event.event == "stream_ready":
                                    ready[i].set()
                                    continue
                                counts[i] += 1
                                if counts[i] == total:
                                    return

                async def slow_reader() -> None:
                    # One small read a second, like a consumer handling one event per second.
                    while gw.ctx.metrics.drops._value.get() == 0:
                        await anyio.to_thread.run_sync(slow.recv, 64)
                        await anyio.sleep(1.0)

                for i in range(fast_count):
                    group.start_soon(fast, i)
                for event in ready:
                    await event.wait()
                group.start_soon(slow_reader)
                async with httpx.AsyncClient(
                    base_url=gw.base_url, headers={"Authorization": f"Bearer {DIRECTOR}"}, timeout=30
                ) as http:
                    for n in range(total):
                        response = await http.post(
                            f"{CANVAS}/events", json={"type": "log_line", "data": {"n": n, "line": PADDING}}
                        )
                        assert response.status_code == 201
            return counts, gw.ctx.metrics.drops._value.get()

        counts, drops = anyio.run(run)
        # The cut-off connection ends: what was buffered drains, then EOF.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and slow.recv(65536):
            pass
        closed = time.monotonic() < deadline
        slow.close()
    assert counts == [total] * fast_count
    assert drops == 1
    assert closed


def test_sigterm_drains_open_streams_and_a_new_process_loses_nothing(tmp_path: Path) -> None:
    env = gateway_env(tmp_path, ATOMS_GATEWAY_SHUTDOWN_GRACE_S="2")
    first = start_gateway_process(env, tmp_path / "gw1.log")
    streams = 5

    async def before() -> tuple[list[list[int]], list[str | None]]:
        seen: list[list[int]] = [[] for _ in range(streams)]
        cursors: list[str | None] = [None] * streams
        async with anyio.create_task_group() as group:
            ready = [anyio.Event() for _ in range(streams)]

            async def listen(i: int) -> None:
                async with GatewayClient(first.base_url, token=DIRECTOR) as client:
                    with anyio.fail_after(60):
                        try:
                            async for event in client.stream_once(CANVAS):
                                cursors[i] = event.id
                                if event.event == "stream_ready":
                                    ready[i].set()
                                else:
                                    seen[i].append(event.json()["data"]["n"])
                        except httpx.TransportError:
                            pass  # the server went away mid-stream: resume below

            for i in range(streams):
                group.start_soon(listen, i)
            for event in ready:
                await event.wait()
            async with GatewayClient(first.base_url, token=DIRECTOR) as agent:
                for n in range(200):
                    await agent.publish(CANVAS, "log_line", {"n": n})
            started = time.monotonic()
            first.process.send_signal(signal.SIGTERM)
            exit_code = await anyio.to_thread.run_sync(lambda: first.process.wait(timeout=30))
            elapsed = time.monotonic() - started
        # uvicorn finishes its graceful shutdown, then re-raises the signal it caught.
        assert exit_code in (0, -signal.SIGTERM)
        assert elapsed < 2 + 1 + 5  # grace, uvicorn's extra second, slack for a loaded machine
        return seen, cursors

    try:
        seen, cursors = anyio.run(before)
    finally:
        stop_process(first.process)
    second = start_gateway_process(env, tmp_path / "gw2.log")

    async def after() -> list[list[int]]:
        async with GatewayClient(second.base_url, token=DIRECTOR) as agent:
            for n in range(200, 300):
                await agent.publish(CANVAS, "log_line", {"n": n})
            for i in range(streams):
                with anyio.fail_after(60):
                    async for event in agent.stream_once(CANVAS, cursors[i]):
                        seen[i].append(event.json()["data"]["n"])
                        if len(seen[i]) == 300:
                            break
        return seen

    try:
        final = anyio.run(after)
    finally:
        stop_process(second.process)
    assert final == [list(range(300))] * streams
