"""Two gateway processes appending to one stream (and one command) at once, on both backends."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from gateway.spine.base import Spine, SpineEvent

pytestmark = pytest.mark.anyio

WORKER = Path(__file__).with_name("append_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[3]


async def read_all(spine: Spine, stream: str) -> list[SpineEvent]:
    events: list[SpineEvent] = []
    after = 0
    while batch := await spine.read_after(stream, after):
        events.extend(batch)
        after = batch[-1].seq
    return events


def start_worker(backend: str, target: str, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), backend, target, *args],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "READY"
    return proc


async def finish_worker(proc: subprocess.Popen[str]) -> list[str]:
    out, _ = await asyncio.to_thread(proc.communicate, timeout=300)
    assert proc.returncode == 0, out
    return out.split()


def target_of(backend: str, dsn: str | None, spine: Spine) -> str:
    if backend == "postgres":
        assert dsn is not None
        return dsn
    return str(spine.path)  # type: ignore[attr-defined]


async def test_two_processes_append_gap_free(
    spine: Spine, backend: str, backend_dsn: str | None, stream: str
) -> None:
    per_writer = 1500
    total = 2 * per_writer
    tailed: list[int] = []

    async def tail() -> None:
        # A reader catching up while both write: had it ever seen N+1 before N committed, its
        # cursor would have jumped past N and N would be missing here.
        last = 0
        while last < total:
            await spine.wait(stream, last, timeout_s=1)
            batch = await spine.read_after(stream, last)
            tailed.extend(e.seq for e in batch)
            if batch:
                last = batch[-1].seq

    proc = start_worker(backend, target_of(backend, backend_dsn, spine), stream, str(per_writer), "other")
    assert proc.stdin is not None
    tailer = asyncio.create_task(tail())
    proc.stdin.write("go\n")
    proc.stdin.flush()
    for start in range(0, per_writer, 20):
        await asyncio.gather(
            *(
                spine.append(stream, "tenant-a", "state_patch", {"by": "here", "i": i})
                for i in range(start, start + 20)
            )
        )
    assert (await finish_worker(proc))[-1] == "DONE"
    await asyncio.wait_for(tailer, 120)
    assert tailed == list(range(1, total + 1))

    events = await read_all(spine, stream)
    assert [e.seq for e in events] == list(range(1, total + 1))
    seen = Counter((e.payload["by"], e.payload["i"]) for e in events)
    assert set(seen.values()) == {1}
    assert {by for by, _ in seen} == {"here", "other"}
    # The writers really interleaved (a serial run would prove nothing about locking).
    labels = [e.payload["by"] for e in events]
    assert sum(1 for a, b in pairwise(labels) if a != b) > 1


async def test_same_command_from_two_processes_lands_once(
    spine: Spine, backend: str, backend_dsn: str | None, stream: str
) -> None:
    proc = start_worker(
        backend, target_of(backend, backend_dsn, spine), stream, "50", "other", "command", "k", "sha"
    )
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    outcomes = await asyncio.gather(
        *(spine.append_command(stream, "tenant-a", "k", "sha", "command", {"by": "here"}) for _ in range(50))
    )
    words = await finish_worker(proc)
    firsts_there = int(words[words.index("FIRST") + 1])
    firsts_here = sum(1 for _, first in outcomes if first)

    assert firsts_here + firsts_there == 1
    assert len(await read_all(spine, stream)) == 1
    assert len({record for record, _ in outcomes}) == 1
