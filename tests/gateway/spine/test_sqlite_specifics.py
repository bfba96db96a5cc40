"""SQLite specifics: wake-ups across instances on one file (by poll), and an unusable path."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.spine.base import SpineUnavailable
from gateway.spine.sqlite import SqliteSpine

pytestmark = pytest.mark.anyio


async def test_poll_wakes_a_waiter_on_another_instance(tmp_path: Path) -> None:
    path = tmp_path / "spine.sqlite3"
    writer, reader = SqliteSpine(path), SqliteSpine(path, poll_interval_s=0.1)
    await writer.open()
    await reader.open()
    try:
        waiter = asyncio.create_task(reader.wait("s", 0, timeout_s=3600))
        await asyncio.sleep(0)
        await writer.append("s", "tenant-a", "log_line", {"n": 1})
        await asyncio.wait_for(waiter, 20)
        assert [e.payload for e in await reader.read_after("s", 0)] == [{"n": 1}]
    finally:
        await reader.close()
        await writer.close()


async def test_events_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "spine.sqlite3"
    first = SqliteSpine(path)
    await first.open()
    await first.append("s", "tenant-a", "log_line", {"n": 1})
    await first.append_command("s", "tenant-a", "k", "sha", "command", {})
    await first.close()

    again = SqliteSpine(path)
    await again.open()
    try:
        assert [e.seq for e in await again.read_after("s", 0)] == [1, 2]
        assert (await again.append("s", "tenant-a", "log_line", {})).seq == 3
        record, first_time = await again.append_command("s", "tenant-a", "k", "sha", "command", {})
        assert not first_time and record.seq == 2
    finally:
        await again.close()


async def test_unusable_path_is_a_coded_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    spine = SqliteSpine(blocker / "spine.sqlite3")
    with pytest.raises(SpineUnavailable) as caught:
        await spine.open()
    assert caught.value.code == "spine_unavailable"
    with pytest.raises(SpineUnavailable):
        await spine.ping()
    with pytest.raises(SpineUnavailable):
        await spine.append("s", "tenant-a", "log_line", {})


async def test_closed_spine_refuses_politely(tmp_path: Path) -> None:
    spine = SqliteSpine(tmp_path / "spine.sqlite3")
    await spine.open()
    await spine.close()
    with pytest.raises(SpineUnavailable):
        await spine.read_after("s", 0)
    with pytest.raises(SpineUnavailable):
        await spine.ping()


async def test_open_spine_picks_sqlite_under_data_dir(tmp_path: Path) -> None:
    from gateway.spine import open_spine

    spine = open_spine(None, tmp_path)
    assert isinstance(spine, SqliteSpine)
    assert spine.path.parent == tmp_path
    await spine.open()
    try:
        await spine.ping()
    finally:
        await spine.close()
