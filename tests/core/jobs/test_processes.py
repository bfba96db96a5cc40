"""Jobs on the data dir's own daemon process and its worker processes: cancel and kill leave no
ffmpeg, a killed worker's job is retried, a killed daemon's jobs are taken up by the next one,
and a job outlives the process that submitted it."""

from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
from pathlib import Path

import anyio
import pytest

from core.jobs import JobEngine
from tests.core.jobs.conftest import (
    ACME,
    WAIT_S,
    is_alive,
    job_settings,
    live_pids_with,
    process_engine,
    wait_gone,
    wait_until,
)
from tests.core.jobs.job_functions import Render, Steps, render, render_slow_first, steps

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc (Linux)"),
]


async def test_cancelling_a_running_render_leaves_no_ffmpeg_and_no_file(tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    async with process_engine(tmp_path / "data", dask_workers=1) as engine:
        job = await engine.submit(ACME, render, Render(output=str(output), seconds=60))
        await wait_until(engine, ACME, job.job_id, lambda s: s.progress > 0)
        (ffmpeg,) = live_pids_with(str(tmp_path / ".out.mp4.part"))
        cancelled = await engine.cancel(ACME, job.job_id)
        assert cancelled.state == "cancelled"
        assert not is_alive(ffmpeg)  # cancel returns once the job has stopped
        assert live_pids_with(str(tmp_path / ".out")) == set()
        assert sorted(path.name for path in tmp_path.iterdir()) == ["data"]  # noqa: ASYNC240 - a test's own tmp dir


async def test_a_killed_worker_is_replaced_and_its_job_retried_without_orphans(tmp_path: Path) -> None:
    spec = Render(dir=str(tmp_path), output=str(tmp_path / "out.mp4"))
    async with process_engine(tmp_path / "data") as engine:
        job = await engine.submit(ACME, render_slow_first, spec)
        await wait_until(engine, ACME, job.job_id, lambda s: s.progress > 0)
        worker = int((tmp_path / "worker-1.pid").read_text())
        (ffmpeg,) = live_pids_with(str(tmp_path / ".out.mp4.part"))
        os.kill(worker, signal.SIGKILL)
        await wait_gone(ffmpeg)  # the worker's watchdog killed it
        done = await engine.wait(ACME, job.job_id, timeout_s=WAIT_S)
        assert (done.state, done.attempts) == ("succeeded", 2)
        assert (await engine.result(ACME, job.job_id))["output"] == str(tmp_path / "out.mp4")
        assert (tmp_path / "out.mp4").stat().st_size > 0
        assert int((tmp_path / "worker-0.pid").read_text()) != worker
    assert live_pids_with(str(tmp_path / ".out")) == set()


async def test_a_killed_daemon_leaves_its_jobs_to_the_next_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with process_engine(data, dask_workers=1) as engine:
        finished = await engine.wait(
            ACME, (await engine.submit(ACME, steps, Steps(count=1, pause_s=0))).job_id, timeout_s=WAIT_S
        )
        unfinished = await engine.submit(ACME, steps, Steps(count=40, pause_s=0.1))
        await wait_until(engine, ACME, unfinished.job_id, lambda s: s.progress > 0)
        daemon = json.loads((data / "jobs" / "daemon.json").read_text())["pid"]
        os.killpg(daemon, signal.SIGKILL)  # the daemon, its cluster and its workers, at once
        await wait_gone(daemon)
        assert await engine.status(ACME, finished.job_id) == finished
        # Waiting finds no daemon, starts one, and it takes the job up again.
        done = await engine.wait(ACME, unfinished.job_id, timeout_s=WAIT_S)
        assert (done.state, done.attempts) == ("succeeded", 2)
        assert done.created_at == unfinished.created_at


SUBMIT_AND_LEAVE = textwrap.dedent(
    """
    import sys
    import anyio
    from pathlib import Path
    from core.jobs import JobEngine
    from core.scope import Scope
    from core.settings import Settings
    from tests.core.jobs.job_functions import Steps, steps

    async def main() -> None:
        async with JobEngine(Settings(data_dir=Path(sys.argv[1]), jobs_idle_s=30)) as engine:
            job = await engine.submit(Scope(tenant_id="acme"), steps, Steps(count=8, pause_s=0.1, label="left"))
            print(job.job_id, flush=True)

    anyio.run(main)
    """
)


async def test_a_job_outlives_the_one_shot_process_that_submitted_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with anyio.fail_after(WAIT_S * 2):
        done = await anyio.run_process([sys.executable, "-c", SUBMIT_AND_LEAVE, str(data)])
    job_id = done.stdout.decode().strip()  # the submitting process has exited: nothing of it is left
    async with process_engine(data) as engine:
        finished = await engine.wait(ACME, job_id, timeout_s=WAIT_S)
        assert (finished.state, finished.attempts) == ("succeeded", 1)
        assert (await engine.result(ACME, job_id))["echo"]["label"] == "left"


async def test_status_needs_no_daemon(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with process_engine(data, dask_workers=1) as engine:
        job = await engine.wait(
            ACME, (await engine.submit(ACME, steps, Steps(count=1, pause_s=0))).job_id, timeout_s=WAIT_S
        )
    assert not (data / "jobs" / "daemon.json").exists()  # stopped
    async with JobEngine(job_settings(data)) as reader:
        assert await reader.status(ACME, job.job_id) == job
    assert not (data / "jobs" / "daemon.json").exists()  # reading started none
