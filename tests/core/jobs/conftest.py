"""Engines on real Dask clusters, and /proc helpers to prove no subprocess outlives its job."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from core.jobs import JobEngine, JobNotFound, JobStatus
from core.scope import Scope
from core.settings import Settings

WAIT_S = 60.0  # the bound on every wait for a job: generous, the machine is shared
ACME, OTHER = Scope(tenant_id="acme"), Scope(tenant_id="other")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Dask's client runs on asyncio only


def job_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, **{"jobs_idle_s": 30, **overrides})  # type: ignore[arg-type]


@pytest.fixture
async def thread_engine(tmp_path: Path) -> AsyncIterator[JobEngine]:
    """An engine hosting its data dir's daemon in this process, with thread workers: starts fast."""
    async with JobEngine(job_settings(tmp_path / "data"), processes=False) as engine:
        yield engine


@contextlib.asynccontextmanager
async def process_engine(data_dir: Path, **overrides: object) -> AsyncIterator[JobEngine]:
    """An engine whose jobs run on the data dir's own daemon process (stopped afterwards)."""
    engine = JobEngine(job_settings(data_dir, **overrides))
    try:
        async with engine:
            yield engine
    finally:
        await engine.stop_daemon()


async def wait_until(engine: JobEngine, scope: Scope, job_id: str, predicate: object) -> JobStatus:
    """Poll status until the job exists and ``predicate(status)`` holds (bounded by WAIT_S)."""
    assert callable(predicate)
    with anyio.fail_after(WAIT_S):
        while True:
            with contextlib.suppress(JobNotFound):  # submitted by another task, not yet
                status = await engine.status(scope, job_id)
                if predicate(status):
                    return status
            await anyio.sleep(0.05)


def live_pids_with(text: str) -> set[int]:
    """Pids of live (not zombie) processes whose command line contains ``text``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and is_alive(int(entry.name)):
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.add(int(entry.name))
    return found


def is_alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (killed, not yet reaped by PID 1) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def wait_gone(pid: int) -> None:
    with anyio.fail_after(WAIT_S):
        while is_alive(pid):  # noqa: ASYNC110 - /proc has nothing to wait on
            await anyio.sleep(0.05)
