"""Resume: 10,000 events published while the subscriber is cut off at three random points and
comes back with Last-Event-ID: nothing lost, nothing duplicated, ids strictly increasing.
Once on the embedded SQLite spine, once on PostgreSQL across two ``gateway serve`` processes
(publishing to one, subscribing to the other)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

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

TOTAL = 10_000
PUBLISHERS = 8
DIRECTOR = token(actor="agent", role="director")


async def _publish_all(base_url: str) -> None:
    counter = iter(range(TOTAL))
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {DIRECTOR}"}, timeout=30
    ) as http:

        async def worker() -> None:
            for n in counter:
                response = await http.post(f"{CANVAS}/events", json={"type": "log_line", "data": {"n": n}})
                assert response.status_code == 201, response.text

        async with anyio.create_task_group() as group:
            for _ in range(PUBLISHERS):
                group.start_soon(worker)


async def _subscribe_with_cuts(
    base_url: str, cuts: list[int], started: anyio.Event
) -> tuple[list[int], list[int], int]:
    """Read until TOTAL events arrived, hanging up after each count in ``cuts``; returns (ids, ns, reconnects)."""
    ids: list[int] = []
    ns: list[int] = []
    cursor: str | None = None
    reconnects = 0
    pending_cuts = sorted(cuts)
    async with GatewayClient(base_url, token=DIRECTOR) as client:
        while len(ns) < TOTAL:
            async for event in client.stream_once(CANVAS, cursor):
                cursor = event.id
                if event.event == "stream_ready":
                    started.set()
                    continue
                ids.append(int(event.id or 0))
                ns.append(event.json()["data"]["n"])
                if pending_cuts and len(ns) >= pending_cuts[0]:
                    pending_cuts.pop(0)
                    break  # hang up mid-stream; the publisher keeps going
                if len(ns) >= TOTAL:
                    break
            else:
                continue
            if len(ns) < TOTAL:
                reconnects += 1
                await anyio.sleep(random.uniform(0.0, 0.3))
    return ids, ns, reconnects


def _run_resume(publish_url: str, subscribe_url: str, seed: int) -> tuple[list[int], list[int], int]:
    cuts = sorted(random.Random(seed).sample(range(100, TOTAL - 100), 3))

    async def run() -> tuple[list[int], list[int], int]:
        started = anyio.Event()
        result: list[tuple[list[int], list[int], int]] = []
        with anyio.fail_after(300):
            async with anyio.create_task_group() as group:

                async def subscribe() -> None:
                    result.append(await _subscribe_with_cuts(subscribe_url, cuts, started))

                group.start_soon(subscribe)
                await started.wait()
                await _publish_all(publish_url)
        return result[0]

    return anyio.run(run)


def _assert_complete(ids: list[int], ns: list[int], reconnects: int) -> None:
    assert reconnects == 3
    assert len(ns) == TOTAL and len(set(ns)) == TOTAL, "lost or duplicated events"
    assert sorted(ns) == list(range(TOTAL))
    assert all(a < b for a, b in itertools.pairwise(ids)), "ids not strictly increasing"
    assert ids == list(range(1, TOTAL + 1))


def test_resume_loses_and_repeats_nothing_on_the_sqlite_spine(tmp_path: Path) -> None:
    with serve_gateway(tmp_path) as gw:
        ids, ns, reconnects = _run_resume(gw.base_url, gw.base_url, seed=1)
    _assert_complete(ids, ns, reconnects)


def test_resume_across_two_gateway_processes_on_the_postgresql_spine(
    tmp_path: Path, pg_database: str
) -> None:
    env = gateway_env(tmp_path, ATOMS_DATABASE_URL=pg_database)
    first = start_gateway_process(env, tmp_path / "gw1.log")
    try:
        second = start_gateway_process(env, tmp_path / "gw2.log")
        try:
            ids, ns, reconnects = _run_resume(first.base_url, second.base_url, seed=2)
        finally:
            stop_process(second.process)
    finally:
        stop_process(first.process)
    _assert_complete(ids, ns, reconnects)
