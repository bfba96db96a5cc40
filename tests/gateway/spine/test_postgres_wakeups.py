"""PostgreSQL specifics: NOTIFY across instances, a killed LISTEN connection, schema, outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest

from gateway.spine.base import SpineEvent, SpineUnavailable
from gateway.spine.postgres import PostgresSpine
from gateway.spine.postgres_schema import SpineSchemaMissing
from tests.gateway.spine.conftest import create_database, drop_database, dsn_for

pytestmark = pytest.mark.anyio

NO_POLL_S = 3600.0  # so that only a NOTIFY (or a reconnect) can wake a waiter


@pytest.fixture
async def publisher(pg_dsn: str) -> AsyncIterator[PostgresSpine]:
    spine = PostgresSpine(pg_dsn, apply_schema=False)
    await spine.open()
    yield spine
    await spine.close()


async def open_subscriber(dsn: str, **options: float) -> PostgresSpine:
    spine = PostgresSpine(dsn, apply_schema=False, **options)  # type: ignore[arg-type]
    await spine.open()
    return spine


async def test_notify_wakes_a_waiter_on_another_instance(
    publisher: PostgresSpine, pg_dsn: str, stream: str
) -> None:
    subscriber = await open_subscriber(pg_dsn, poll_interval_s=NO_POLL_S)
    try:
        assert subscriber.listener_pid is not None
        waiter = asyncio.create_task(subscriber.wait(stream, 0, timeout_s=NO_POLL_S))
        await asyncio.sleep(0)
        await publisher.append(stream, "tenant-a", "state_patch", {"x": 1})
        await asyncio.wait_for(waiter, 20)
        assert [e.seq for e in await subscriber.read_after(stream, 0)] == [1]
    finally:
        await subscriber.close()


async def test_poll_alone_catches_up_without_notify(
    publisher: PostgresSpine, pg_dsn: str, stream: str
) -> None:
    subscriber = await open_subscriber(pg_dsn, poll_interval_s=0.2)
    try:
        await kill_backend(pg_dsn, subscriber.listener_pid)
        waiter = asyncio.create_task(subscriber.wait(stream, 0, timeout_s=NO_POLL_S))
        await asyncio.sleep(0)
        await publisher.append(stream, "tenant-a", "state_patch", {})
        await asyncio.wait_for(waiter, 20)
    finally:
        await subscriber.close()


async def kill_backend(dsn: str, pid: int | None) -> None:
    assert pid is not None
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        cur = await conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        row = await cur.fetchone()
        assert row is not None and row[0] is True


async def test_listen_connection_killed_mid_stream_loses_nothing(
    publisher: PostgresSpine, pg_dsn: str, stream: str
) -> None:
    total = 5000
    subscriber = await open_subscriber(pg_dsn)
    first_pid = subscriber.listener_pid
    delivered: list[SpineEvent] = []

    async def consume() -> None:
        last = 0
        while last < total:
            await subscriber.wait(stream, last, timeout_s=5)
            batch = await subscriber.read_after(stream, last)
            delivered.extend(batch)
            if batch:
                last = batch[-1].seq

    async def produce() -> None:
        for start in range(0, total, 50):
            if start == 1000:
                await kill_backend(pg_dsn, first_pid)
            await asyncio.gather(
                *(
                    publisher.append(stream, "tenant-a", "token_patch", {"i": i})
                    for i in range(start, start + 50)
                )
            )

    try:
        consumer = asyncio.create_task(consume())
        await produce()
        await asyncio.wait_for(consumer, 120)

        assert [e.seq for e in delivered] == list(range(1, total + 1))  # 0 lost, 0 duplicated, in order
        assert sorted(e.payload["i"] for e in delivered) == list(range(total))
        for _ in range(200):  # the listener comes back on a new backend (bounded: 20 s)
            if subscriber.listener_pid not in (None, first_pid):
                break
            await asyncio.sleep(0.1)
        assert subscriber.listener_pid not in (None, first_pid)
        assert subscriber.listener_connects >= 2
    finally:
        await subscriber.close()


async def test_unreachable_database_is_a_coded_error_without_the_password() -> None:
    spine = PostgresSpine("postgresql://gateway:hunter2-secret@127.0.0.1:1/spine", connect_timeout_s=1)
    with pytest.raises(SpineUnavailable) as caught:
        await spine.open()
    error = caught.value
    assert error.code == "spine_unavailable" and error.http_status == 503
    assert "127.0.0.1:1/spine" in error.message
    assert "hunter2" not in str(error) and "hunter2" not in repr(error.to_dict())
    with pytest.raises(SpineUnavailable):
        await spine.ping()


async def test_ping_fails_once_the_database_goes_away(pg_dsn: str) -> None:
    name = create_database("spine_gone")
    try:
        spine = PostgresSpine(dsn_for(name), connect_timeout_s=2)
        await spine.open()  # applies the migration itself on an empty database
        await spine.ping()
        drop_database(name)
        with pytest.raises(SpineUnavailable) as caught:
            await spine.ping()
        assert caught.value.code == "spine_unavailable"
        await spine.close()
    finally:
        drop_database(name)


# pg_dsn: only for its skip (or CI failure) when PostgreSQL is not reachable.
async def test_schema_verified_or_applied_on_open(pg_dsn: str) -> None:
    name = create_database("spine_schema")
    try:
        strict = PostgresSpine(dsn_for(name), apply_schema=False, connect_timeout_s=2)
        with pytest.raises(SpineSchemaMissing):
            await strict.open()
        # Two replicas starting together on an empty database: one applies, both work.
        replicas = [PostgresSpine(dsn_for(name), connect_timeout_s=5) for _ in range(2)]
        await asyncio.gather(*(r.open() for r in replicas))
        assert (await replicas[0].append("s", "t", "log_line", {})).seq == 1
        assert (await replicas[1].append("s", "t", "log_line", {})).seq == 2
        await asyncio.gather(*(r.close() for r in replicas))
    finally:
        drop_database(name)
