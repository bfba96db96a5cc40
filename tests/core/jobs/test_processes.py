"""The job API on real worker processes: cancel and kill leave no ffmpeg, restarts resume."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from core.jobs import JobEngine
from tests.core.jobs.conftest import WAIT_S, fn, is_alive, job_settings, live_pids_with, wait_gone, wait_until

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc (Linux)"),
]


async def test_cancelling_a_running_render_leaves_no_ffmpeg_and_no_file(tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    spec = {"output": str(output), "seconds": 60}
    async with JobEngine(job_settings(tmp_path / "data", dask_workers=1)) as engine:
        job = await engine.submit("acme", "render", fn("render"), spec)
        await wait_until(engine, "acme", job.job_id, lambda s: s.progress > 0)
        (ffmpeg,) = live_pids_with(str(tmp_path / ".out.mp4.part"))
        cancelled = await engine.cancel("acme", job.job_id)
        assert cancelled.state == "cancelled"
        assert not is_alive(ffmpeg)  # cancel returns once the job has stopped
        assert live_pids_with(str(tmp_path)) == set()
        assert sorted(path.name for path in tmp_path.iterdir()) == ["data"]  # noqa: ASYNC240 - a test's own tmp dir


async def test_a_killed_worker_is_replaced_and_its_job_retried_without_orphans(tmp_path: Path) -> None:
    spec = {"dir": str(tmp_path), "output": str(tmp_path / "out.mp4")}
    async with JobEngine(job_settings(tmp_path / "data")) as engine:
        job = await engine.submit("acme", "render", fn("render_slow_first"), spec)
        await wait_until(engine, "acme", job.job_id, lambda s: s.progress > 0)
        worker = int((tmp_path / "worker-1.pid").read_text())
        (ffmpeg,) = live_pids_with(str(tmp_path / ".out.mp4.part"))
        os.kill(worker, signal.SIGKILL)
        await wait_gone(ffmpeg)  # the worker's watchdog killed it
        done = await engine.wait("acme", job.job_id, timeout_s=WAIT_S)
        assert (done.state, done.attempts) == ("succeeded", 2)
        assert done.result is not None
        assert done.result["output"] == str(tmp_path / "out.mp4")
        assert (tmp_path / "out.mp4").stat().st_size > 0
        assert int((tmp_path / "worker-0.pid").read_text()) != worker
    assert live_pids_with(str(tmp_path)) == set()


async def test_a_restarted_engine_keeps_the_table_and_resubmits_unfinished_jobs(tmp_path: Path) -> None:
    settings = job_settings(tmp_path / "data", dask_workers=1)
    async with JobEngine(settings) as engine:
        finished = await engine.submit("acme", "test", fn("steps"), {"count": 1, "pause_s": 0})
        finished = await engine.wait("acme", finished.job_id, timeout_s=WAIT_S)
        unfinished = await engine.submit("acme", "test", fn("steps"), {"count": 40, "pause_s": 0.1})
        await wait_until(engine, "acme", unfinished.job_id, lambda s: s.progress > 0)
    # The engine closed with the job still running: the table says so, and a new engine resumes it.
    async with JobEngine(settings) as engine:
        assert await engine.status("acme", finished.job_id) == finished
        resumed = await engine.status("acme", unfinished.job_id)
        assert resumed.state in ("queued", "running")
        done = await engine.wait("acme", unfinished.job_id, timeout_s=WAIT_S)
        assert (done.state, done.attempts) == ("succeeded", 2)
        assert done.created_at == unfinished.created_at
