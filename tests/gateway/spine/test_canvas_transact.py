"""The canvas transaction on both spines: two spine instances on one store (two replicas of
the gateway) increment one canvas's counter concurrently and no increment is lost; a decision
that raises writes nothing; a patch key is applied once; the revisions after a base are handed
to the decision in order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import anyio
import pytest

from gateway.spine.base import Spine
from gateway.spine.canvas_rows import CanvasRow, CanvasWrite, Decide, RevisionRecord, RevisionRow
from tests.gateway.spine.conftest import make_spine

TENANT = "tenant-a"


def _increment(key: str | None = None, seen: list[list[int]] | None = None) -> Decide:
    def decide(row: CanvasRow | None, intervening: Sequence[RevisionRow]) -> CanvasWrite:
        if seen is not None:
            seen.append([r.revision for r in intervening])
        count = 0 if row is None else json.loads(row.state_text)["n"]
        revision = 0 if row is None else row.revision
        return CanvasWrite(
            canvas_type="generic",
            revision=revision + 1,
            state_text=json.dumps({"n": count + 1}),
            event_type="canvas_commit",
            payload={"data": {"revision": revision + 1}},
            record=RevisionRecord(("/n",), key, "sha" if key else None),
        )

    return decide


def test_two_spines_lose_no_increment(
    backend: str, backend_dsn: str | None, tmp_path: Path, stream: str
) -> None:
    async def run() -> tuple[int, int, list[int]]:
        first = make_spine(backend, backend_dsn, tmp_path / "spine.sqlite3")
        second = make_spine(backend, backend_dsn, tmp_path / "spine.sqlite3")
        await first.open()
        await second.open()
        try:
            async with anyio.create_task_group() as group:
                for spine in (first, second):
                    for _ in range(4):

                        async def work(spine: Spine = spine) -> None:
                            for _ in range(25):
                                await spine.canvas_transact(stream, TENANT, _increment())

                        group.start_soon(work)
            read = await first.canvas_read(stream)
            assert read is not None
            events = await second.read_after(stream, 0, 1000)
            return (
                json.loads(read.row.state_text)["n"],
                read.row.revision,
                [e.payload["data"]["revision"] for e in events],
            )
        finally:
            await first.close()
            await second.close()

    count, revision, commits = anyio.run(run)
    assert count == revision == 200
    assert commits == list(range(1, 201))  # one event per revision, in revision order


def test_a_raising_decision_writes_nothing_and_a_key_applies_once(
    backend: str, backend_dsn: str | None, tmp_path: Path, stream: str
) -> None:
    def refuse(row: CanvasRow | None, intervening: Sequence[RevisionRow]) -> CanvasWrite:
        raise ValueError("no")

    async def run() -> tuple[list[list[int]], int, int, bool, int]:
        spine = make_spine(backend, backend_dsn, tmp_path / "spine.sqlite3")
        await spine.open()
        try:
            for _ in range(3):
                await spine.canvas_transact(stream, TENANT, _increment())
            with pytest.raises(ValueError, match="no"):
                await spine.canvas_transact(stream, TENANT, refuse)
            seen: list[list[int]] = []
            await spine.canvas_transact(
                stream, TENANT, _increment("k", seen), since_revision=1, patch_key="k"
            )
            again = await spine.canvas_transact(
                stream, TENANT, _increment("k", seen), since_revision=1, patch_key="k"
            )
            read = await spine.canvas_read(stream)
            assert read is not None and again.replay is not None
            return (
                seen,
                read.row.revision,
                await spine.head(stream),
                again.write is None,
                again.replay.revision,
            )
        finally:
            await spine.close()

    seen, revision, head, nothing_written, replayed_revision = anyio.run(run)
    assert seen == [[2, 3]]  # decided once: the replay never reached the decision
    assert revision == 4 and head == 4 and nothing_written and replayed_revision == 4
