"""What a call consumes is counted where the work happens: ffmpeg's own CPU time, the bytes
the media store reads and writes; a job's usage (with its actor and request id) is recorded by
the daemon when it ends."""

from __future__ import annotations

from pathlib import Path

import anyio

from core.ffmpeg import run_ffmpeg_sync
from core.jobs import JobEngine
from core.media.store import MediaStore
from core.metering import SqliteLedger, metered
from core.observability.requests import request_id_scope
from core.scope import Scope
from core.settings import Settings
from tests.core.jobs.job_functions import Steps, steps
from tests.media_samples import write_tone_wav


def test_ffmpeg_reports_its_cpu_time_to_the_current_meter_and_nothing_of_it_to_the_tail(
    tmp_path: Path,
) -> None:
    args = ["-f", "lavfi", "-i", "testsrc2=d=1:s=320x240", "-c:v", "libx264", "-y", str(tmp_path / "o.mp4")]
    with metered() as meter:
        result = run_ffmpeg_sync(args)
    assert result.cpu_s is not None and result.cpu_s > 0
    assert meter.cpu_s == result.cpu_s
    assert "bench:" not in result.stderr_tail
    run_ffmpeg_sync(args)  # outside a metered block: counted nowhere, no error


def test_the_media_store_counts_the_bytes_it_takes_in_and_stores(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", import_roots=[tmp_path], signing_key="k")
    store, scope = MediaStore.from_settings(settings), Scope(tenant_id="t1")
    tone = write_tone_wav(tmp_path / "tone.wav")
    with metered() as stored:
        ref = store.register_source(scope, str(tone))
    assert stored.bytes_in == stored.bytes_out == ref.size_bytes == tone.stat().st_size
    with metered() as read:
        store.materialize(scope, ref.uri, tmp_path / "copy.wav")
    assert (read.bytes_in, read.bytes_out) == (ref.size_bytes, 0)


def test_a_finished_job_is_a_usage_record_with_its_actor_and_request_id(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", jobs_idle_s=30)
    scope = Scope(tenant_id="acme")

    async def run() -> str:
        async with JobEngine(settings, processes=False) as engine:
            with request_id_scope("req_job_1"):
                job = await engine.submit(scope, steps, Steps(count=2, pause_s=0.01), actor="agent-7")
            done = await engine.wait(scope, job.job_id, timeout_s=60)
            assert done.state == "succeeded"
            return job.job_id

    job_id = anyio.run(run)  # the engine closed: its in-process daemon wrote its ledger and stopped
    [record] = SqliteLedger(settings.ledger_db_path).records("acme")
    assert (record.job_id, record.actor, record.request_id, record.outcome) == (
        job_id,
        "agent-7",
        "req_job_1",
        "ok",
    )
    assert (record.muscle, record.tool) == ("tests.core.jobs.job_functions", "steps")
    assert record.duration_s > 0 and record.cpu_s >= 0
