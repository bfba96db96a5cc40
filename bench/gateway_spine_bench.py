"""Event spine throughput: our SQLite and PostgreSQL spines against a raw psycopg anchor.

Measures, in the same run and against the same PostgreSQL server:

- serial append latency (one event at a time, each awaited: one commit each);
- concurrent append throughput (``--inflight`` appends in flight on one stream);
- catch-up read throughput (the whole stream read back in pages of 500, ``seq > last``).

- ours: ``PostgresSpine`` (counter row lock + insert + pg_notify in one statement, a LISTEN
  connection and a poll running) and ``SqliteSpine`` (WAL, synchronous=FULL, group commit).
- anchor: raw psycopg on a pool of the same size: a plain ``INSERT`` into an unindexed-but-keyed
  table with a client-side seq (no ordering guarantee, no notify), and a plain ``SELECT`` of the
  same page shape. The ratio ours/anchor is what ordering, notification and the Protocol cost.

Run it with::

    uv run python bench/gateway_spine_bench.py [--events 3000] [--serial 300] [--inflight 50]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
from _timing import Summary, ratio_line
from psycopg_pool import AsyncConnectionPool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gateway.spine.base import Spine
from gateway.spine.postgres import PostgresSpine
from gateway.spine.postgres_schema import MIGRATION_PATHS
from gateway.spine.sqlite import SqliteSpine

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PAYLOAD = {"op": "replace", "path": "/layers/3/opacity", "value": 0.75, "actor": "canvas-user"}


class RawAnchor:
    """The floor: what a bare INSERT/SELECT over the same pool size costs."""

    def __init__(self, dsn: str, pool_size: int) -> None:
        self.pool: AsyncConnectionPool[psycopg.AsyncConnection[tuple[object, ...]]] = AsyncConnectionPool(
            dsn, min_size=pool_size, max_size=pool_size, open=False, kwargs={"autocommit": True}
        )
        self.counter = itertools.count(1)

    async def open(self) -> None:
        await self.pool.open(wait=True)
        async with self.pool.connection() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS raw_events (stream text, seq bigint, type text, tenant_id text, "
                "payload jsonb, created_at timestamptz default now(), primary key (stream, seq))"
            )

    async def append(self, stream: str, tenant_id: str, type: str, payload: dict[str, object]) -> int:
        seq = next(self.counter)
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO raw_events (stream, seq, type, tenant_id, payload) VALUES (%s, %s, %s, %s, %s::jsonb)",
                (stream, seq, type, tenant_id, json.dumps(payload)),
            )
        return seq

    async def read_after(self, stream: str, after: int, limit: int = 500) -> list[tuple[object, ...]]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT seq, type, tenant_id, payload, extract(epoch from created_at)::float8 FROM raw_events "
                "WHERE stream = %s AND seq > %s ORDER BY seq LIMIT %s",
                (stream, after, limit),
            )
            return await cur.fetchall()

    async def close(self) -> None:
        await self.pool.close()


Append = Callable[[str, str, str, dict[str, object]], Awaitable[object]]


async def serial_latency(append: Append, stream: str, n: int) -> Summary:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await append(stream, "tenant-a", "state_patch", PAYLOAD)
        samples.append(time.perf_counter() - start)
    return Summary.of(samples)


async def concurrent_rate(append: Append, stream: str, n: int, inflight: int) -> float:
    start = time.perf_counter()
    for first in range(0, n, inflight):
        await asyncio.gather(
            *(
                append(stream, "tenant-a", "state_patch", PAYLOAD)
                for _ in range(first, min(first + inflight, n))
            )
        )
    return n / (time.perf_counter() - start)


async def catch_up_rate(read: Callable[[str, int], Awaitable[list[object]]], stream: str, n: int) -> float:
    start = time.perf_counter()
    last = got = 0
    while batch := await read(stream, last):
        got += len(batch)
        last = int(batch[-1].seq if hasattr(batch[-1], "seq") else batch[-1][0])  # type: ignore[index]
    assert got == n, (got, n)
    return n / (time.perf_counter() - start)


async def measure(
    name: str, spine_or_anchor: Spine | RawAnchor, args: argparse.Namespace
) -> dict[str, object]:
    tag = uuid.uuid4().hex[:8]
    serial = await serial_latency(spine_or_anchor.append, f"serial-{tag}", args.serial)
    rate = await concurrent_rate(spine_or_anchor.append, f"burst-{tag}", args.events, args.inflight)
    read = await catch_up_rate(spine_or_anchor.read_after, f"burst-{tag}", args.events)  # type: ignore[arg-type]
    return {"name": name, "serial": serial, "append_per_s": rate, "read_per_s": read}


async def main(args: argparse.Namespace) -> None:
    db = f"spine_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db}"'.encode())
    dsn = f"postgresql://postgres@127.0.0.1:5432/{db}"
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for path in MIGRATION_PATHS:
                conn.execute(path.read_bytes())
        with tempfile.TemporaryDirectory() as tmp:
            anchor = RawAnchor(dsn, args.pool)
            ours_pg = PostgresSpine(dsn, apply_schema=False, pool_max_size=args.pool)
            ours_sqlite = SqliteSpine(Path(tmp) / "spine.sqlite3")
            for part in (anchor, ours_pg, ours_sqlite):
                await part.open()
            results = {}
            # Anchor and ours alternate round by round, so machine noise lands on both.
            for round_no in range(args.rounds):
                order = [("anchor", anchor), ("postgres", ours_pg), ("sqlite", ours_sqlite)]
                for name, part in order if round_no % 2 == 0 else reversed(order):
                    results.setdefault(name, []).append(await measure(name, part, args))
            for part in (anchor, ours_pg, ours_sqlite):
                await part.close()
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'.encode())

    def best(name: str, key: str) -> float:
        return max(float(r[key]) for r in results[name])  # type: ignore[arg-type]

    def serial_of(name: str) -> Summary:
        samples = [r["serial"] for r in results[name]]
        return min(samples, key=lambda s: s.p50)  # type: ignore[arg-type, return-value]

    print(
        f"spine bench: {args.events} events per burst, {args.inflight} in flight, "
        f"{args.serial} serial appends, pool {args.pool}, best of {args.rounds} rounds"
    )
    print("serial append latency (one commit each):")
    anchor_serial = serial_of("anchor")
    print(anchor_serial.line("raw pg"))
    for name in ("postgres", "sqlite"):
        print(serial_of(name).line(name))
    print("  postgres vs raw insert:")
    print(ratio_line(serial_of("postgres"), anchor_serial, target=1.5))
    print("throughput (events/s):")
    for key, label in (("append_per_s", "append burst"), ("read_per_s", "catch-up read")):
        raw = best("anchor", key)
        pg, lite = best("postgres", key), best("sqlite", key)
        print(
            f"  {label:<14} raw pg {raw:9.0f}   postgres {pg:9.0f} (x{pg / raw:5.2f} of raw)   "
            f"sqlite {lite:9.0f} (x{lite / raw:5.2f} of raw)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--serial", type=int, default=300)
    parser.add_argument("--inflight", type=int, default=50)
    parser.add_argument("--pool", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
