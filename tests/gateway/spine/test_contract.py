"""The Spine contract, run against both backends (SQLite file, real PostgreSQL)."""

from __future__ import annotations

import asyncio
import time

import pytest

from core.errors import InvalidArguments
from gateway.spine.base import Spine, SpineEvent

pytestmark = pytest.mark.anyio


async def read_all(spine: Spine, stream: str, after_seq: int = 0) -> list[SpineEvent]:
    events: list[SpineEvent] = []
    while batch := await spine.read_after(stream, after_seq, limit=500):
        events.extend(batch)
        after_seq = batch[-1].seq
    return events


async def test_append_then_read_in_order(spine: Spine, stream: str) -> None:
    assert await spine.head(stream) == 0
    assert await spine.read_after(stream, 0) == []
    appended = [await spine.append(stream, "tenant-a", "state_patch", {"n": n, "s": "é"}) for n in range(5)]

    assert [e.seq for e in appended] == [1, 2, 3, 4, 5]
    assert await spine.head(stream) == 5
    read = await spine.read_after(stream, 0)
    assert read == appended
    assert [e.payload["n"] for e in await spine.read_after(stream, 2, limit=2)] == [2, 3]
    assert read[0].stream == stream and read[0].tenant_id == "tenant-a" and read[0].type == "state_patch"
    assert read[0].created_at > 0


async def test_streams_are_independent(spine: Spine, stream: str) -> None:
    other = stream + "-other"
    await spine.append(stream, "tenant-a", "log_line", {})
    event = await spine.append(other, "tenant-b", "log_line", {})
    assert event.seq == 1
    assert [e.stream for e in await spine.read_after(other, 0)] == [other]


async def test_ten_thousand_events_none_lost_none_duplicated(spine: Spine, stream: str) -> None:
    total = 10_000
    for start in range(0, total, 100):
        await asyncio.gather(
            *(spine.append(stream, "tenant-a", "token_patch", {"i": i}) for i in range(start, start + 100))
        )

    events = await read_all(spine, stream)
    seqs = [e.seq for e in events]
    assert seqs == list(range(1, total + 1))  # strictly increasing, no gaps
    assert sorted(e.payload["i"] for e in events) == list(range(total))  # 0 lost, 0 duplicated
    assert await spine.head(stream) == total


async def test_resume_from_any_cursor(spine: Spine, stream: str) -> None:
    for n in range(30):
        await spine.append(stream, "tenant-a", "chat_token", {"n": n})
    for cursor in (0, 1, 17, 29, 30):
        assert [e.seq for e in await read_all(spine, stream, cursor)] == list(range(cursor + 1, 31))


async def test_command_sent_100_times_concurrently_appends_once(spine: Spine, stream: str) -> None:
    outcomes = await asyncio.gather(
        *(
            spine.append_command(stream, "tenant-a", "key-1", "sha-a", "command", {"do": "render"})
            for _ in range(100)
        )
    )

    assert sum(1 for _, first in outcomes if first) == 1
    assert len({record for record, _ in outcomes}) == 1
    record = outcomes[0][0]
    assert (record.tenant_id, record.idempotency_key, record.body_sha256) == ("tenant-a", "key-1", "sha-a")
    assert (record.stream, record.seq) == (stream, 1)
    events = await spine.read_after(stream, 0)
    assert [(e.seq, e.type, e.payload) for e in events] == [(1, "command", {"do": "render"})]


async def test_command_replay_returns_the_stored_body_hash(spine: Spine, stream: str) -> None:
    first, inserted = await spine.append_command(stream, "tenant-a", "key-2", "sha-a", "command", {"v": 1})
    again, inserted_again = await spine.append_command(
        stream, "tenant-a", "key-2", "sha-b", "command", {"v": 2}
    )
    assert inserted and not inserted_again
    assert again == first and again.body_sha256 == "sha-a"  # the caller sees the mismatch (409)
    # The key is scoped by tenant: another tenant's same key is another command.
    _, other_tenant_first = await spine.append_command(stream, "tenant-b", "key-2", "sha-a", "command", {})
    assert other_tenant_first
    assert await spine.head(stream) == 2


async def test_wait_wakes_on_append(spine: Spine, stream: str) -> None:
    await spine.append(stream, "tenant-a", "log_line", {})
    waiter = asyncio.create_task(spine.wait(stream, 1, timeout_s=60))
    await asyncio.sleep(0)
    assert not waiter.done()
    await spine.append(stream, "tenant-a", "log_line", {})
    await asyncio.wait_for(waiter, 20)  # woken by the append, long before its own timeout
    assert [e.seq for e in await spine.read_after(stream, 1)] == [2]


async def test_wait_returns_at_timeout_without_events(spine: Spine, stream: str) -> None:
    await asyncio.wait_for(spine.wait(stream, 0, timeout_s=0.05), 20)
    assert await spine.read_after(stream, 0) == []


async def test_trim_keeps_the_newest_and_reports_first_retained(spine: Spine, stream: str) -> None:
    assert (await spine.first_retained(stream), await spine.trim(stream, 3)) == (0, 0)
    for n in range(10):
        await spine.append(stream, "tenant-a", "log_line", {"n": n})
    assert await spine.first_retained(stream) == 1

    assert await spine.trim(stream, 3) == 7
    assert await spine.first_retained(stream) == 8
    assert await spine.head(stream) == 10
    assert [e.seq for e in await spine.read_after(stream, 0)] == [8, 9, 10]
    assert await spine.trim(stream, 3) == 0
    # Numbering continues after a trim: seq is never reused.
    assert (await spine.append(stream, "tenant-a", "log_line", {})).seq == 11

    assert await spine.trim(stream, 0) == 4
    assert (await spine.first_retained(stream), await spine.head(stream)) == (0, 11)


async def test_trim_commands_forgets_records_older_than_a_time(spine: Spine, stream: str) -> None:
    record, _ = await spine.append_command(stream, "tenant-t", "key-old", "sha-a", "command", {})
    assert await spine.trim_commands(record.created_at - 60) == 0
    assert (await spine.append_command(stream, "tenant-t", "key-old", "sha-a", "command", {}))[1] is False

    assert await spine.trim_commands(time.time() + 1) >= 1
    again, inserted = await spine.append_command(stream, "tenant-t", "key-old", "sha-b", "command", {})
    assert inserted and again.seq == record.seq + 1 and again.body_sha256 == "sha-b"
    with pytest.raises(InvalidArguments):
        await spine.trim_commands(float("nan"))


@pytest.mark.parametrize(
    ("stream_name", "payload"),
    [("", {}), ("s", {"x": float("nan")}), ("s", {"x": object()}), ("s", {"x": "a\x00b"}), ("x" * 600, {})],
)
async def test_bad_input_is_a_coded_error(spine: Spine, stream_name: str, payload: dict[str, object]) -> None:
    with pytest.raises(InvalidArguments):
        await spine.append(stream_name, "tenant-a", "log_line", payload)
    with pytest.raises(InvalidArguments):
        await spine.read_after("s", -1)
    with pytest.raises(InvalidArguments):
        await spine.trim("s", -1)


async def test_ping_answers_when_reachable(spine: Spine) -> None:
    await spine.ping()


async def test_concurrent_appends_take_seq_in_call_order(spine: Spine, stream: str) -> None:
    appended = await asyncio.gather(
        *(spine.append(stream, "tenant-a", "chat_token", {"i": i}) for i in range(300))
    )
    assert [e.seq for e in appended] == list(range(1, 301))
    assert [e.payload["i"] for e in await read_all(spine, stream)] == list(range(300))


async def test_a_cancelled_caller_leaves_the_stream_whole(spine: Spine, stream: str) -> None:
    tasks = [asyncio.create_task(spine.append(stream, "tenant-a", "log_line", {"i": i})) for i in range(50)]
    await asyncio.sleep(0)
    tasks[10].cancel()
    done = await asyncio.gather(*tasks, return_exceptions=True)
    assert sum(1 for d in done if isinstance(d, asyncio.CancelledError)) <= 1
    # The cancelled append may or may not have landed; either way seq stays gap-free.
    await spine.append(stream, "tenant-a", "log_line", {"i": "last"})
    seqs = [e.seq for e in await read_all(spine, stream)]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) in (50, 51)
