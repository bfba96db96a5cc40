"""Publish-to-deliver latency and delivered events per second of ``gateway serve`` against a
bare in-memory sse-starlette broadcast (no persistence, no auth, no lenses: the ceiling).

For 1, 10 and 100 SSE subscribers on one process, the client publishes events one after another
(each POST awaited) and every subscriber timestamps each event it receives; latency is receive
time minus the publisher's send time carried in the event, throughput is deliveries divided
by the time from the first publish to the last delivery.

- ours: ``python -m gateway serve`` (embedded SQLite spine, durable appends, hub fan-out,
  lenses, metrics), loopback without token verification.
- anchor: the Starlette app in this file (``--serve-anchor``): POST appends to every
  subscriber's unbounded in-memory queue, GET streams the queue with EventSourceResponse.

Both servers run as subprocesses at the same time and are measured in the same run. Prints
p50/p99 latency, deliveries/s and the ratios ours/anchor (latency) and anchor/ours (throughput).

    uv run python bench/gateway_relay_bench.py [--events 300] [--subscribers 1,10,100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx

CANVAS = "/v1/local/edit/p1/s1/app1/canvases/bench"


def serve_anchor(port: int) -> None:
    import uvicorn
    from sse_starlette import EventSourceResponse
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    queues: set[asyncio.Queue[str]] = set()
    counter = [0]

    async def publish(request: Request) -> JSONResponse:
        body = await request.body()
        counter[0] += 1
        for queue in queues:
            queue.put_nowait(body.decode())
        return JSONResponse({"id": counter[0]}, status_code=201)

    async def events(_: Request) -> EventSourceResponse:
        queue: asyncio.Queue[str] = asyncio.Queue()
        queues.add(queue)

        async def stream() -> AsyncIterator[dict[str, str]]:
            try:
                yield {"event": "stream_ready", "data": "{}"}
                while True:
                    data = await queue.get()
                    yield {"event": "log_line", "data": data}
            finally:
                queues.discard(queue)

        return EventSourceResponse(stream())

    app = Starlette(
        routes=[Route(f"{CANVAS}/events", events), Route(f"{CANVAS}/events", publish, methods=["POST"])]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1, trust_env=False)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"server {args} did not start")


def _sent_at(body: dict[str, Any]) -> float:
    data = body.get("data", body)
    return float(data["t"]) if "t" in data else float(body["t"])


async def measure(base_url: str, subscribers: int, events: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    done = anyio.Event()
    received = [0]
    last_delivery = [0.0]
    ready = [anyio.Event() for _ in range(subscribers)]
    limits = httpx.Limits(max_connections=subscribers + 4)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=httpx.Timeout(30, read=None), limits=limits, trust_env=False
    ) as http:

        async def subscribe(i: int) -> None:
            async with http.stream("GET", f"{CANVAS}/events") as response:
                event = ""
                async for line in response.aiter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        if event == "stream_ready":
                            ready[i].set()
                            continue
                        now = time.time()
                        latencies.append(now - _sent_at(json.loads(line[5:])))
                        received[0] += 1
                        last_delivery[0] = now
                        if received[0] == subscribers * events:
                            done.set()
                            return

        async with anyio.create_task_group() as group:
            for i in range(subscribers):
                group.start_soon(subscribe, i)
            for event in ready:
                await event.wait()
            first = time.time()
            for n in range(events):
                await http.post(
                    f"{CANVAS}/events", json={"type": "log_line", "data": {"n": n, "t": time.time()}}
                )
            with anyio.fail_after(120):
                await done.wait()
            group.cancel_scope.cancel()
    return latencies, subscribers * events / (last_delivery[0] - first)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else values[0] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve-anchor", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--subscribers", default="1,10,100")
    args = parser.parse_args()
    if args.serve_anchor is not None:
        serve_anchor(args.serve_anchor)
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMS_")}
        env.update(
            {
                "ATOMS_DATA_DIR": str(Path(tmp) / "data"),
                "ATOMS_TENANT_ID": "local",
                "ATOMS_LOG_LEVEL": "WARNING",
            }
        )
        ours_port, anchor_port = free_port(), free_port()
        ours = start(["-m", "gateway", "serve", "--port", str(ours_port)], env, ours_port)
        anchor = start([__file__, "--serve-anchor", str(anchor_port)], env, anchor_port)
        try:
            print(f"gateway relay: {args.events} events published one after another, per subscriber count")
            for n in (int(x) for x in args.subscribers.split(",")):
                results = {}
                # Anchor and ours alternate per subscriber count, so machine noise lands on both.
                for name, port in (("anchor", anchor_port), ("ours", ours_port)):
                    lat, rate = anyio.run(measure, f"http://127.0.0.1:{port}", n, args.events)
                    results[name] = (pct(lat, 50), pct(lat, 99), rate)
                    print(
                        f"  {n:>3} subs  {name:<6} p50 {results[name][0]:8.2f} ms  p99 {results[name][1]:8.2f} ms  {rate:9.0f} deliveries/s"
                    )
                (a50, a99, ar), (o50, o99, orate) = results["anchor"], results["ours"]
                print(
                    f"  {n:>3} subs  ratio  p50 {o50 / a50:8.2f}x    p99 {o99 / a99:8.2f}x    throughput {orate / ar:6.2f}x of anchor"
                )
        finally:
            for proc in (ours, anchor):
                proc.terminate()
                proc.wait(timeout=15)


if __name__ == "__main__":
    main()
