"""ATOMS_DASK_ADDRESS: the same engine code on a separate `dask scheduler` and `dask worker`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dask
import pytest

from core.errors import ConfigError
from core.jobs import JobEngine
from tests.conftest import free_port, require
from tests.core.jobs.conftest import ACME, WAIT_S, job_settings, process_engine
from tests.core.jobs.job_functions import Steps, steps

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]


def _dask(*args: str, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [_dask_cli(), *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _dask_cli() -> str:
    found = shutil.which("dask", path=str(Path(sys.executable).parent))
    require(found is not None, "the dask CLI is not installed in this environment")
    assert found is not None
    return found


@pytest.fixture
def remote_scheduler(tmp_path: Path) -> Iterator[str]:
    """A real scheduler and one worker process on loopback; yields the scheduler address."""
    address = f"tcp://127.0.0.1:{free_port()}"
    # The worker imports job functions from this checkout and reads its own ATOMS_* settings.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ATOMS_DATA_DIR": str(tmp_path / "worker-data")}
    scheduler = _dask(
        "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard",
        log=tmp_path / "scheduler.log", env=env,
    )  # fmt: skip
    worker = _dask(
        "worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
        log=tmp_path / "worker.log", env=env,
    )  # fmt: skip
    try:
        yield address
    finally:
        for process in (worker, scheduler):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def test_jobs_run_on_a_remote_scheduler_given_by_its_address(
    remote_scheduler: str, tmp_path: Path
) -> None:
    async with process_engine(tmp_path / "server-data", dask_address=remote_scheduler) as engine:
        job = await engine.submit(ACME, steps, Steps(count=3, pause_s=0.1))
        done = await engine.wait(ACME, job.job_id, timeout_s=WAIT_S)
        result = await engine.result(ACME, job.job_id)
    assert (done.state, done.progress, done.attempts) == ("succeeded", 1.0, 1)
    assert result == {"echo": {"count": 3, "pause_s": 0.1, "label": ""}, "tenant": "acme"}


async def test_an_unreachable_scheduler_is_a_config_error(tmp_path: Path) -> None:
    settings = job_settings(tmp_path, dask_address=f"tcp://127.0.0.1:{free_port()}")
    engine = JobEngine(settings, processes=False)
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), pytest.raises(ConfigError) as caught:
        await engine.submit(ACME, steps, Steps())
    assert caught.value.value == settings.dask_address
    await engine.close()
