"""Batches on the job engine: one submit for many jobs, status and progress of the whole, cancel
of one job or all, a batch read back by a new engine on the same data dir (a restart)."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest

from core.errors import InvalidArguments
from core.jobs import JobEngine, JobNotFound
from core.jobs.batches import batch_id_for
from tests.core.jobs.conftest import ACME, OTHER, WAIT_S, job_settings, wait_until
from tests.core.jobs.job_functions import Steps, steps

pytestmark = pytest.mark.anyio
KIND = "tests.core.jobs.job_functions.steps"


async def _until_finished(engine: JobEngine, batch_id: str) -> None:
    with anyio.fail_after(WAIT_S):
        await engine.batches.wait(ACME, batch_id)


async def test_a_batch_runs_every_job_and_reports_the_whole(thread_engine: JobEngine) -> None:
    specs = [(f"job-{i}", Steps(count=1, pause_s=0, label=str(i))) for i in range(6)]
    batch = await thread_engine.batches.submit(ACME, steps, specs, priority=5, label="six")
    assert (batch.kind, batch.label, batch.priority, len(batch.jobs)) == (KIND, "six", 5, 6)
    assert batch.batch_id == batch_id_for(
        "acme", KIND, [n for n, _ in specs], [j.status.job_id for j in batch.jobs]
    )
    assert [job.name for job in batch.jobs] == [name for name, _ in specs]
    await _until_finished(thread_engine, batch.batch_id)
    done = await thread_engine.batches.status(ACME, batch.batch_id)
    assert (done.state, done.progress, done.counts) == ("succeeded", 1.0, {"succeeded": 6})
    results = await thread_engine.batches.results(ACME, batch.batch_id)
    assert [result["echo"]["label"] for _, _, result in results if result] == [str(i) for i in range(6)]
    again = await thread_engine.batches.submit(ACME, steps, specs, priority=5, label="six")
    assert again.batch_id == batch.batch_id and again.state == "succeeded"  # the same batch, not rerun


async def test_cancel_one_job_then_the_rest_of_the_batch(thread_engine: JobEngine) -> None:
    specs = [(f"slow-{i}", Steps(count=200, pause_s=0.05, label=str(i))) for i in range(3)]
    batch = await thread_engine.batches.submit(ACME, steps, specs)
    first = batch.jobs[0].status.job_id
    one = await thread_engine.batches.cancel(ACME, batch.batch_id, first)
    assert one.jobs[0].status.state == "cancelled"
    assert {job.status.state for job in one.jobs[1:]} <= {"queued", "running"}
    whole = await thread_engine.batches.cancel(ACME, batch.batch_id)
    assert (whole.state, whole.counts) == ("cancelled", {"cancelled": 3})


async def test_batches_are_refused_when_empty_or_named_twice_and_hidden_from_other_tenants(
    thread_engine: JobEngine,
) -> None:
    with pytest.raises(InvalidArguments) as empty:
        await thread_engine.batches.submit(ACME, steps, [])
    assert empty.value.value == 0
    with pytest.raises(InvalidArguments) as twice:
        await thread_engine.batches.submit(ACME, steps, [("a", Steps()), ("a", Steps(count=2))])
    assert twice.value.value == "a"
    batch = await thread_engine.batches.submit(ACME, steps, [("a", Steps(count=1, pause_s=0))])
    with pytest.raises(JobNotFound):
        await thread_engine.batches.status(OTHER, batch.batch_id)
    with pytest.raises(JobNotFound):
        await thread_engine.batches.status(ACME, "batch_nope")
    with pytest.raises(JobNotFound):
        await thread_engine.batches.cancel(ACME, batch.batch_id, "job_" + "0" * 32)


async def test_a_batch_outlives_its_engine(tmp_path: Path) -> None:
    settings = job_settings(tmp_path / "data")
    async with JobEngine(settings, processes=False) as engine:
        batch = await engine.batches.submit(ACME, steps, [("a", Steps(count=1, pause_s=0))], label="kept")
        await _until_finished(engine, batch.batch_id)
    async with JobEngine(settings, processes=False) as engine:  # a restarted server: only the table
        found = await engine.batches.status(ACME, batch.batch_id)
    assert (found.label, found.state, [job.name for job in found.jobs]) == ("kept", "succeeded", ["a"])


async def test_a_higher_priority_batch_overtakes_a_queued_one(tmp_path: Path) -> None:
    async with JobEngine(job_settings(tmp_path / "data", dask_workers=1), processes=False) as engine:
        low = await engine.batches.submit(
            ACME, steps, [(f"low-{i}", Steps(count=1, pause_s=0.3, label=f"low-{i}")) for i in range(6)]
        )
        await wait_until(engine, ACME, low.jobs[0].status.job_id, lambda s: s.state == "running")
        high = await engine.batches.submit(
            ACME,
            steps,
            [(f"high-{i}", Steps(count=1, pause_s=0.3, label=f"high-{i}")) for i in range(2)],
            priority=10,
        )
        with anyio.fail_after(WAIT_S):
            low_done = await engine.batches.wait(ACME, low.batch_id)
            high_done = await engine.batches.wait(ACME, high.batch_id)
    assert low_done.state == high_done.state == "succeeded"
    low_ends = sorted(job.status.updated_at for job in low_done.jobs)
    high_end = max(job.status.updated_at for job in high_done.jobs)
    # One worker, busy with low-0: the high batch runs next (without its priority it runs last).
    assert high_end < low_ends[-2]


async def test_batches_are_listed_newest_first_and_forgotten_with_their_jobs(tmp_path: Path) -> None:
    settings = job_settings(tmp_path / "data", job_retention_s=60)
    later = [0.0]  # a clock that runs (waiters watch updated_at change), moved on for the sweep
    async with JobEngine(settings, processes=False, clock=lambda: time.time() + later[0]) as engine:
        made = []
        for index in range(3):
            batch = await engine.batches.submit(
                ACME, steps, [(f"b{index}", Steps(count=1, pause_s=0, label=str(index)))]
            )
            made.append(batch.batch_id)
            await _until_finished(engine, batch.batch_id)
        first = await engine.batches.list(ACME, limit=2)
        assert [b.batch_id for b in first.batches] == made[::-1][:2] and first.next_cursor is not None
        rest = await engine.batches.list(ACME, cursor=first.next_cursor, limit=2)
        assert [b.batch_id for b in rest.batches] == [made[0]] and rest.next_cursor is None
        assert (await engine.batches.list(OTHER)).batches == []
        later[0] = 3600.0  # every job finished long before the retention period
        assert len(await engine.sweep()) == 3
        assert (await engine.batches.list(ACME)).batches == []
        with pytest.raises(JobNotFound):
            await engine.batches.status(ACME, made[0])
