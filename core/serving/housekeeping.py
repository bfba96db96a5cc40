"""Housekeeping: what accumulates on disk and in storage is removed after its retention.

A serving process sweeps when it starts and then every ``ATOMS_SWEEP_INTERVAL_S``:

- work folders under ``work/`` (and ``staging/``, ``render/`` of earlier releases) that no live process holds (a process killed
  mid-call left them; see :mod:`core.work_folders`);
- staged files (``staging/*.part``, uploads still arriving under the media root's
  ``.staging/``) untouched for ``ATOMS_STAGING_RETENTION_S``: a live transfer keeps writing;
- presigned uploads that arrived but were never registered, ``ATOMS_UPLOAD_RETENTION_S``
  after they arrived;
- finished jobs ``ATOMS_JOB_RETENTION_S`` after they ended, and MCP tasks past their TTL
  (``ATOMS_TASK_TTL_S``);
- usage-ledger records (and governance decisions) older than ``ATOMS_LEDGER_RETENTION_S``,
  proposals and supervised calls older than ``ATOMS_GOVERNANCE_RETENTION_S``.
Every step is idempotent, so two processes sweeping one data dir do no harm.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import anyio

from core.governance import GovernanceStore
from core.jobs.table import JobTable
from core.media.work_folders import sweep_work_folders
from core.media.workspace import WORK_DIR
from core.metering import open_ledger
from core.serving.tasks.store import TaskTable
from core.settings import Settings
from core.storage import LocalStorage, Storage
from core.storage.keys import UPLOADS_NAMESPACE, tenant_prefix

__all__ = ["RENDER_DIR", "STAGING_DIR", "Housekeeper", "SweepReport", "sweep"]

logger = logging.getLogger(__name__)

STAGING_DIR: Final = "staging"
RENDER_DIR: Final = "render"
WORK_PREFIXES: Final = ("audio-", "render-", "work-")
_STAGED_PATTERNS: Final = ("*.part", "*.upload")


@dataclass(frozen=True)
class SweepReport:
    work_folders: int = 0
    staged_files: int = 0
    uploads: int = 0
    jobs: int = 0
    tasks: int = 0
    usage_records: int = 0
    governance: int = 0


def sweep(settings: Settings, storage: Storage, *, clock: Callable[[], float] = time.time) -> SweepReport:
    """One pass of every sweep above (blocking: run it on a worker thread)."""
    folders = 0
    for root in (
        settings.data_dir / STAGING_DIR,
        settings.data_dir / RENDER_DIR,
        settings.data_dir / WORK_DIR,
    ):
        folders += len(sweep_work_folders(root, prefixes=WORK_PREFIXES, clock=clock))
    staging_roots = [settings.data_dir / STAGING_DIR]
    if isinstance(storage, LocalStorage):
        staging_roots.append(storage.root / ".staging")
    staged = sum(_sweep_old_files(root, settings.staging_retention_s, clock) for root in staging_roots)
    uploads = _sweep_uploads(storage, settings.env, settings.upload_retention_s, clock)
    jobs, tasks = _sweep_jobs_and_tasks(settings, clock)
    ledger = open_ledger(settings)
    try:
        usage = ledger.delete_before(clock() - settings.ledger_retention_s)
    finally:
        ledger.close()
    report = SweepReport(
        work_folders=folders,
        staged_files=staged,
        uploads=uploads,
        jobs=jobs,
        tasks=tasks,
        usage_records=usage,
        governance=_sweep_governance(settings, clock),
    )
    if report != SweepReport():
        logger.info("housekeeping removed %s", report)
    return report


def _sweep_old_files(root: Path, retention_s: float, clock: Callable[[], float]) -> int:
    if not root.is_dir():
        return 0
    cutoff = clock() - retention_s
    removed = 0
    for pattern in _STAGED_PATTERNS:
        for path in root.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                if not path.is_symlink() and path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
    return removed


def _sweep_uploads(storage: Storage, env: str, retention_s: float, clock: Callable[[], float]) -> int:
    cutoff = clock() - retention_s
    removed = 0
    for tenant in storage.tenant_ids():
        for info in storage.list(tenant_prefix(tenant, env, UPLOADS_NAMESPACE)):
            if info.modified_at is not None and info.modified_at < cutoff:
                storage.delete(info.key)
                removed += 1
    return removed


def _sweep_jobs_and_tasks(settings: Settings, clock: Callable[[], float]) -> tuple[int, int]:
    if not settings.jobs_db_path.exists():
        return 0, 0
    now = clock()
    jobs = JobTable(settings.jobs_db_path)
    try:
        forgotten = len(jobs.delete_finished_before(now - settings.job_retention_s))
    finally:
        jobs.close()
    tasks = TaskTable(settings.jobs_db_path)
    try:
        expired = tasks.delete_expired(now)
    finally:
        tasks.close()
    return forgotten, expired


def _sweep_governance(settings: Settings, clock: Callable[[], float]) -> int:
    path = settings.data_dir / "governance.sqlite3"
    if not path.exists():
        return 0
    store = GovernanceStore(path)
    try:
        return store.delete_before(clock() - settings.governance_retention_s)
    finally:
        store.close()


class Housekeeper:
    """Runs :func:`sweep` on a worker thread: once as a server starts, then every interval."""

    def __init__(
        self, settings: Settings, storage: Storage, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.clock = clock

    async def sweep_now(self) -> SweepReport | None:
        """One sweep; a failure is logged (and retried at the next interval), never raised."""
        try:
            # Abandoned on cancel: a process exiting mid-sweep loses nothing (each step is idempotent).
            return await anyio.to_thread.run_sync(
                lambda: sweep(self.settings, self.storage, clock=self.clock), abandon_on_cancel=True
            )
        except Exception:
            logger.exception("housekeeping sweep failed; retrying in %.0f s", self.settings.sweep_interval_s)
            return None

    async def run_periodically(self) -> None:
        while True:
            await anyio.sleep(self.settings.sweep_interval_s)
            await self.sweep_now()
