"""Pure parts of the job API: ids, the public surface, the context's throttle and the table."""

from __future__ import annotations

from pathlib import Path

import pytest

import core.jobs
from core.jobs import JobCancelled, JobContext, job_id_for
from core.jobs.table import JobRow, JobTable
from core.settings import Settings


def test_the_public_surface_is_deliberate() -> None:
    assert sorted(core.jobs.__all__) == [
        "BatchJob",
        "BatchPage",
        "BatchState",
        "BatchStatus",
        "JobCancelled",
        "JobContext",
        "JobEngine",
        "JobError",
        "JobFailed",
        "JobNotFinished",
        "JobNotFound",
        "JobPage",
        "JobState",
        "JobStatus",
        "ToolJob",
        "job_id_for",
        "run_tool",
    ]


def test_job_ids_hash_the_canonical_spec_per_tenant_and_kind() -> None:
    job_id = job_id_for("acme", "render", {"b": 1, "a": [1, {"y": 2, "x": 1}]})
    assert job_id.startswith("job_")
    assert len(job_id) == 36
    assert int(job_id[4:], 16) >= 0
    assert job_id == job_id_for("acme", "render", {"a": [1, {"x": 1, "y": 2}], "b": 1})
    assert job_id != job_id_for("other", "render", {"b": 1, "a": [1, {"y": 2, "x": 1}]})
    assert job_id != job_id_for("acme", "probe", {"b": 1, "a": [1, {"y": 2, "x": 1}]})


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _context(clock: FakeClock, sent: list[tuple[float, str]], flag: list[bool]) -> JobContext:
    return JobContext(
        job_id="job_x",
        tenant_id="acme",
        settings=Settings(),
        emit=lambda fraction, message: sent.append((fraction, message)),
        cancel_flag=lambda: flag[0],
        clock=clock,
    )


def test_progress_is_throttled_and_the_newest_report_is_kept() -> None:
    clock, sent = FakeClock(), list[tuple[float, str]]()
    ctx = _context(clock, sent, [False])
    ctx.progress(0.1, "a")
    ctx.progress(0.2, "b")  # within 0.2 s: held back
    ctx.progress(1.7, "c")  # clamped, replaces "b"
    assert sent == [(0.1, "a")]
    clock.now += 0.25
    ctx.progress(-1, "d")
    assert sent == [(0.1, "a"), (0.0, "d")]
    ctx.progress(0.5, "e")
    ctx.flush_progress()
    assert sent[-1] == (0.5, "e")


def test_cancelled_asks_at_most_every_period_and_stays_true() -> None:
    clock, flag = FakeClock(), [False]
    asked: list[bool] = []
    ctx = JobContext(
        job_id="job_x",
        tenant_id="acme",
        settings=Settings(),
        emit=lambda fraction, message: None,
        cancel_flag=lambda: asked.append(True) or flag[0],
        clock=clock,
    )
    assert not ctx.cancelled()
    assert asked == []  # the first period is free
    flag[0] = True
    clock.now += 0.25
    assert ctx.cancelled()
    flag[0] = False
    clock.now += 0.25
    assert ctx.cancelled()
    assert len(asked) == 1
    with pytest.raises(JobCancelled) as caught:
        ctx.raise_if_cancelled()
    assert caught.value.code == "job_cancelled"


def test_the_table_round_trips_rows_and_reuses_live_jobs(tmp_path: Path) -> None:
    row = JobRow(
        job_id="job_1",
        tenant_id="acme",
        kind="render",
        function="m:f",
        spec={"a": [1, None, "é"]},
        state="failed",
        created_at=1.0,
        updated_at=2.0,
        progress=0.5,
        message="boom",
        attempts=2,
        error={"code": "x", "message": "boom", "hint": "h"},
    )
    table = JobTable(tmp_path / "sub" / "jobs.sqlite3")
    table.save([row])
    again, new = table.submit(row.but(state="queued", created_at=5.0, attempts=0, error=None))
    assert new and (again.created_at, again.attempts) == (1.0, 2)  # a failed job runs again, same id
    same, new = table.submit(row.but(state="queued", created_at=9.0))
    assert not new and same == again  # a queued one is not queued twice
    table.close()
    reopened = JobTable(tmp_path / "sub" / "jobs.sqlite3")
    assert reopened.get("job_1") == again
    assert reopened.request_cancel("job_1", 10.0).cancel_requested  # type: ignore[union-attr]
    reopened.save([again.but(message="running")])
    assert reopened.get("job_1").cancel_requested  # type: ignore[union-attr]  # the daemon keeps the request
    reopened.close()
