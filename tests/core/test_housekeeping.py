"""Nothing accumulates without bound: abandoned work folders, stale staged files, unclaimed
uploads and old finished jobs are swept, each after its own retention setting."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio
import pytest
from starlette.testclient import TestClient

from core.jobs.table import JobRow, JobTable
from core.media.store import MediaStore
from core.media.work_folders import sweep_work_folders, work_folder
from core.scope import Scope
from core.serving.app import build_http_app
from core.serving.housekeeping import RENDER_DIR, STAGING_DIR, Housekeeper, sweep
from core.settings import Settings
from core.storage import Storage, open_storage, upload_key
from tests.core.storage.conftest import write_source
from tests.core.storage.test_s3 import s3  # noqa: F401 -- the fixture, on a fresh bucket
from tests.media_samples import write_tone_wav

NOW = 1_800_000_000.0
DAY = 24 * 3600.0

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from core.media.work_folders import work_folder

    with work_folder(Path(sys.argv[1]), "render-") as folder:
        (folder / "out.mp4").write_bytes(b"partial")
        print(folder, flush=True)
        sys.stdin.read()  # hold the folder until killed or told to finish
    """
)


def hold_folder(root: Path) -> tuple[subprocess.Popen[str], Path]:
    """A separate process that makes a work folder under ``root`` and keeps it."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    folder = Path(process.stdout.readline().strip())
    assert folder.is_dir()
    return process, folder


def test_a_folder_held_by_a_live_process_stays_and_a_killed_ones_goes(tmp_path: Path) -> None:
    root = tmp_path / RENDER_DIR
    live, live_folder = hold_folder(root)
    killed, killed_folder = hold_folder(root)
    stored = tmp_path / "asset.mp4"
    stored.write_bytes(b"x" * 4096)
    os.link(stored, killed_folder / "input-0.mp4")  # the hard link a render keeps of its input
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        assert killed_folder.is_dir() and stored.stat().st_nlink == 2  # nothing cleaned up
        removed = sweep_work_folders(root, prefixes=("render-",))
        assert removed == [killed_folder]
        assert not killed_folder.exists() and stored.stat().st_nlink == 1
        assert live_folder.is_dir(), "a live process's folder was swept"
    finally:
        live.communicate("")
    assert not live_folder.exists()  # its owner removed it on the way out


def test_a_folder_of_this_process_in_use_is_not_swept(tmp_path: Path) -> None:
    with work_folder(tmp_path, "audio-") as folder:
        assert sweep_work_folders(tmp_path, prefixes=("audio-",)) == []
        assert folder.is_dir()
    assert not folder.exists()


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": tmp_path / "data", "signing_key": "k"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_staged_files_are_swept_after_their_retention(tmp_path: Path) -> None:
    settings = _settings(tmp_path, staging_retention_s=3600)
    staging = settings.data_dir / STAGING_DIR
    staging.mkdir(parents=True)
    old, fresh, other = staging / "stage-old.part", staging / "stage-new.part", staging / "notes.txt"
    for path in (old, fresh, other):
        path.write_bytes(b"bytes")
    os.utime(old, (NOW - 3601, NOW - 3601))
    os.utime(fresh, (NOW - 60, NOW - 60))
    os.utime(other, (NOW - 10 * DAY, NOW - 10 * DAY))
    report = sweep(settings, open_storage(settings), clock=lambda: NOW)
    assert report.staged_files == 1
    assert not old.exists() and fresh.exists() and other.exists()


def _unclaimed_upload(storage: Storage, tmp_path: Path, tenant: str) -> str:
    key = upload_key(tenant, "local", "up-0123456789abcdef01234567", "clip.mp4")
    storage.put_file(
        key,
        tmp_path / "upload.bin",
        content_type="video/mp4",
        sha256=write_source(tmp_path / "upload.bin", b"u" * 100),
    )
    return key


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_uploads_never_registered_expire(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    settings = _settings(tmp_path, upload_retention_s=DAY)
    if backend == "s3":
        storage: Storage = request.getfixturevalue("s3")
    else:
        storage = open_storage(settings)
    keys = [_unclaimed_upload(storage, tmp_path, tenant) for tenant in ("tenant-a", "tenant-b")]
    store = MediaStore.from_settings(settings)
    asset = store.register_staged(Scope(tenant_id="tenant-a"), store.stage_local(_wav(tmp_path)), "a.wav")
    arrived = storage.head(keys[0])
    assert arrived is not None and arrived.modified_at is not None
    assert sweep(settings, storage, clock=lambda: arrived.modified_at + DAY - 5).uploads == 0
    assert all(storage.head(key) is not None for key in keys)
    assert sweep(settings, storage, clock=lambda: arrived.modified_at + DAY + 60).uploads == 2
    assert all(storage.head(key) is None for key in keys)
    if backend == "local":
        assert store.stat(Scope(tenant_id="tenant-a"), asset.uri) == asset  # assets are never swept


def _wav(tmp_path: Path) -> Path:
    return write_tone_wav(tmp_path / "a.wav", seconds=0.2)


def _job(job_id: str, state: str, updated_at: float) -> JobRow:
    return JobRow(
        job_id=job_id,
        tenant_id="t",
        kind="k",
        function="m:f",
        spec={"n": job_id},
        state=state,
        created_at=updated_at,
        updated_at=updated_at,
    )


def test_finished_jobs_are_forgotten_after_their_retention(tmp_path: Path) -> None:
    table = JobTable(tmp_path / "jobs.sqlite3")
    table.save(
        [
            _job("old-done", "succeeded", NOW - 8 * DAY),
            _job("old-failed", "failed", NOW - 8 * DAY),
            _job("old-running", "running", NOW - 8 * DAY),
            _job("new-done", "succeeded", NOW - DAY),
        ]
    )
    assert sorted(table.delete_finished_before(NOW - 7 * DAY)) == ["old-done", "old-failed"]
    assert sorted(r.job_id for r in table.page("t", before=None, limit=10)) == ["new-done", "old-running"]
    table.close()


def test_a_server_sweeps_what_a_killed_process_left_before_it_serves(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    killed, folder = hold_folder(settings.data_dir / RENDER_DIR)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=10)
    assert folder.is_dir()
    with TestClient(build_http_app([], settings)) as client:
        assert not folder.exists()
        assert client.get("/health/live").status_code == 200


def test_the_sweep_runs_on_a_worker_thread_without_blocking(tmp_path: Path) -> None:
    settings = _settings(tmp_path)

    async def once() -> object:
        return await Housekeeper(settings, open_storage(settings)).sweep_now()

    assert anyio.run(once) is not None
