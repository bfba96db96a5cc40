"""Canvas commits against the stateless relay, on ``gateway serve``: commit throughput and
publish-to-replica latency with 1, 10 and 100 subscribers.

- ours: ``state_patch`` (RFC 6902 against a base revision): the gateway locks the canvas,
  applies and validates the patch, bumps the revision and appends the ``canvas_commit`` in one
  transaction; every subscriber is a reference replica (:class:`gateway.canvas_client.CanvasReplica`)
  that applies the commit and checks its ``state_sha256``. Latency: from the publisher's send
  to the replica having applied it.
- anchor: the relay without state (what ``state_patch`` was before canvas state): a ``log_line``
  carrying the same values, appended and fanned out as is; subscribers parse it. Latency: from
  the send to the subscriber having parsed it.

Both run against the same server in the same run, alternating which goes first. Throughput is
measured twice: one publisher awaiting each reply (serial), and ``--writers`` publishers at once
on disjoint paths (concurrent; no subscribers). SQLite always; PostgreSQL too when reachable
(``--spines sqlite,postgres``).

    uv run python bench/gateway_canvas_bench.py [--events 200] [--subscribers 1,10,100] [--writers 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.canvas_client import CanvasReplica

PREFIX = "/v1/local/edit/p1/s1/app1/canvases/"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "gateway", "serve", "--port", str(port)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1, trust_env=False).raise_for_status()
            return proc
        except (httpx.TransportError, httpx.HTTPStatusError):
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gateway serve did not start")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000


Publish = Callable[[httpx.AsyncClient, str, int], Awaitable[None]]


async def publish_commit(http: httpx.AsyncClient, canvas: str, n: int) -> None:
    ops = [{"op": "replace", "path": "/t", "value": time.time()}, {"op": "replace", "path": "/n", "value": n}]
    body = {"type": "state_patch", "data": {"base_revision": n + 1, "ops": ops}}
    (await http.post(f"{canvas}/events", json=body)).raise_for_status()


async def publish_relay(http: httpx.AsyncClient, canvas: str, n: int) -> None:
    body = {"type": "log_line", "data": {"t": time.time(), "n": n}}
    (await http.post(f"{canvas}/events", json=body)).raise_for_status()


async def prepare(http: httpx.AsyncClient, canvas: str, stateful: bool) -> None:
    if stateful:
        ops = [{"op": "add", "path": "/t", "value": 0}, {"op": "add", "path": "/n", "value": 0}]
        body = {"type": "state_patch", "data": {"base_revision": 0, "ops": ops}}
        (await http.post(f"{canvas}/events", json=body)).raise_for_status()


async def measure(base_url: str, subscribers: int, events: int, stateful: bool) -> tuple[list[float], float]:
    """(latencies, serial publishes per second) for one subscriber count."""
    canvas = PREFIX + uuid.uuid4().hex[:12]
    latencies: list[float] = []
    done = anyio.Event()
    received = [0]
    limits = httpx.Limits(max_connections=subscribers + 4)
    timeout = httpx.Timeout(60, read=None)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits, trust_env=False) as http:
        await prepare(http, canvas, stateful)
        ready = [anyio.Event() for _ in range(subscribers)]

        async def subscribe(i: int) -> None:
            replica = CanvasReplica()
            if stateful:
                body = (await http.get(f"{canvas}/state")).json()
                replica.load(body["canvas_type"], body["revision"], body["state"])
            async with http.stream("GET", f"{canvas}/events") as response:
                event = ""
                async for line in response.aiter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        if event == "stream_ready":
                            ready[i].set()
                            continue
                        data = json.loads(line[5:])["data"]
                        if stateful:
                            replica.apply_commit(data)
                            sent = replica.state["t"]
                        else:
                            sent = data["t"]
                        latencies.append(time.time() - sent)
                        received[0] += 1
                        if received[0] == subscribers * events:
                            done.set()

        async with anyio.create_task_group() as group:
            for i in range(subscribers):
                group.start_soon(subscribe, i)
            for flag in ready:
                await flag.wait()
            publish = publish_commit if stateful else publish_relay
            began = time.perf_counter()
            for n in range(events):
                await publish(http, canvas, n)
            rate = events / (time.perf_counter() - began)
            with anyio.fail_after(300):
                await done.wait()
            group.cancel_scope.cancel()
    return latencies, rate


async def concurrent_rate(base_url: str, writers: int, per_writer: int, stateful: bool) -> float:
    """Publishes per second with ``writers`` publishers at once (commits on disjoint paths, each
    written against revision 1 and rebased), no subscribers."""
    canvas = PREFIX + uuid.uuid4().hex[:12]
    async with httpx.AsyncClient(
        base_url=base_url, timeout=60, limits=httpx.Limits(max_connections=writers + 2), trust_env=False
    ) as http:
        if stateful:
            ops = [{"op": "add", "path": f"/w{w}", "value": 0} for w in range(writers)]
            body = {"type": "state_patch", "data": {"base_revision": 0, "ops": ops}}
            (await http.post(f"{canvas}/events", json=body)).raise_for_status()
        base = [1]

        async def write(w: int) -> None:
            for n in range(per_writer):
                if stateful:
                    ops = [{"op": "replace", "path": f"/w{w}", "value": n}]
                    body = {"type": "state_patch", "data": {"base_revision": base[0], "ops": ops}}
                else:
                    body = {"type": "log_line", "data": {"w": w, "n": n}}
                response = await http.post(f"{canvas}/events", json=body)
                response.raise_for_status()
                if stateful:
                    base[0] = max(base[0], response.json()["revision"])

        began = time.perf_counter()
        async with anyio.create_task_group() as group:
            for w in range(writers):
                group.start_soon(write, w)
        return writers * per_writer / (time.perf_counter() - began)


def run_spine(name: str, env: dict[str, str], args: argparse.Namespace) -> None:
    port = free_port()
    proc = start(env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        print(
            f"\n== {name} spine: {args.events} publishes one after another, {args.rounds} interleaved rounds "
            "per subscriber count (latencies pooled, throughput the median round)"
        )
        for n in (int(x) for x in args.subscribers.split(",")):
            pooled: dict[str, list[float]] = {"relay": [], "commit": []}
            rates: dict[str, list[float]] = {"relay": [], "commit": []}
            order = [("relay", False), ("commit", True)]
            for round_ in range(args.rounds):
                # Alternate which goes first, so machine noise lands on both.
                for label, stateful in order if round_ % 2 else order[::-1]:
                    lat, rate = anyio.run(measure, url, n, args.events, stateful)
                    pooled[label].extend(lat)
                    rates[label].append(rate)
            results = {
                label: (pct(pooled[label], 50), pct(pooled[label], 99), statistics.median(rates[label]))
                for label in pooled
            }
            for label in ("relay", "commit"):
                p50, p99, rate = results[label]
                print(
                    f"  {n:>3} subs  {label:<6} p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  {rate:7.0f} publishes/s"
                )
            (r50, r99, rr), (c50, c99, cr) = results["relay"], results["commit"]
            print(
                f"  {n:>3} subs  commit/relay  p50 {c50 / r50:5.2f}x  p99 {c99 / r99:5.2f}x  throughput {cr / rr:5.2f}x"
            )
        rates = {}
        for label, stateful in (("relay", False), ("commit", True), ("relay", False), ("commit", True)):
            rate = anyio.run(concurrent_rate, url, args.writers, args.per_writer, stateful)
            rates[label] = max(rates.get(label, 0.0), rate)
        print(
            f"  {args.writers} writers at once (best of 2): relay {rates['relay']:7.0f}/s  commit {rates['commit']:7.0f}/s"
            f"  ratio {rates['commit'] / rates['relay']:5.2f}x"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--subscribers", default="1,10,100")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--per-writer", type=int, default=100)
    parser.add_argument("--spines", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMS_")}
    base_env.update(
        {"ATOMS_TENANT_ID": "local", "ATOMS_LOG_LEVEL": "WARNING", "ATOMS_GATEWAY_TOOL_CATALOG": "none"}
    )
    for spine in args.spines.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**base_env, "ATOMS_DATA_DIR": str(Path(tmp) / "data")}
            if spine == "sqlite":
                run_spine("SQLite", env, args)
                continue
            try:
                admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
            except psycopg.Error:
                print("\n== PostgreSQL spine: not reachable at 127.0.0.1:5432, skipped")
                continue
            database = f"gw_bench_{uuid.uuid4().hex[:10]}"
            with admin:
                admin.execute(f'CREATE DATABASE "{database}"'.encode())
            try:
                env["ATOMS_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{database}"
                run_spine("PostgreSQL", env, args)
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'.encode())


if __name__ == "__main__":
    main()
