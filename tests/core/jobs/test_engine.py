"""The job API on an embedded cluster whose workers are threads (no process isolation needed)."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from core.errors import InvalidArguments, InvalidIdentifier
from core.jobs import JobEngine, JobNotFinished, JobNotFound, job_id_for
from core.progress import RecordingProgress
from tests.core.jobs.conftest import WAIT_S, fn, job_settings, wait_until

pytestmark = pytest.mark.anyio


async def test_submit_returns_queued_and_the_job_completes_with_its_result(thread_engine: JobEngine) -> None:
    submitted = await thread_engine.submit("acme", "test", fn("steps"), {"count": 2, "pause_s": 0.1})
    assert submitted.state == "queued"
    assert submitted.job_id == job_id_for("acme", "test", {"count": 2, "pause_s": 0.1})
    done = await thread_engine.wait("acme", submitted.job_id, timeout_s=WAIT_S)
    assert done.state == "succeeded"
    assert done.result == {"echo": {"count": 2, "pause_s": 0.1}, "tenant": "acme"}
    assert (done.progress, done.attempts, done.error) == (1.0, 1, None)
    assert await thread_engine.result("acme", submitted.job_id) == done


async def test_status_progress_moves_from_zero_to_one_with_messages(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit("acme", "test", fn("steps"), {"count": 4, "pause_s": 0.3})
    seen: list[tuple[float, str]] = []
    with anyio.fail_after(WAIT_S):
        while not (status := await thread_engine.status("acme", job.job_id)).finished:
            if status.state == "running" and (status.progress, status.message) not in seen:
                seen.append((status.progress, status.message))
            await anyio.sleep(0.02)
    assert status.progress == 1.0
    progress_values = [fraction for fraction, _ in seen]
    assert progress_values == sorted(progress_values)
    assert ("step 2 of 4" in {message for _, message in seen}) or len(seen) >= 2


async def test_wait_forwards_progress_to_a_progress_reporter(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit("acme", "test", fn("steps"), {"count": 4, "pause_s": 0.3})
    progress = RecordingProgress()
    done = await thread_engine.wait("acme", job.job_id, progress, timeout_s=WAIT_S)
    assert done.state == "succeeded"
    messages = [message for _, message in progress.reports]
    assert "step 3 of 4" in messages
    assert progress.reports[-1] == (1.0, "done")
    fractions = [fraction for fraction, _ in progress.reports]
    assert fractions == sorted(fractions)


async def test_the_same_spec_gives_the_same_job(thread_engine: JobEngine) -> None:
    first = await thread_engine.submit("acme", "test", fn("steps"), {"count": 1, "b": [1, 2], "a": "x"})
    again = await thread_engine.submit("acme", "test", fn("steps"), {"a": "x", "b": [1, 2], "count": 1})
    assert again.job_id == first.job_id
    done = await thread_engine.wait("acme", first.job_id, timeout_s=WAIT_S)
    after = await thread_engine.submit("acme", "test", fn("steps"), {"count": 1, "a": "x", "b": [1, 2]})
    assert after == done  # a succeeded job is not run again
    other_tenant = await thread_engine.submit(
        "other", "test", fn("steps"), {"count": 1, "a": "x", "b": [1, 2]}
    )
    assert other_tenant.job_id != first.job_id


async def test_unknown_ids_and_other_tenants_jobs_are_not_found(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit("acme", "test", fn("steps"), {"count": 1, "pause_s": 0})
    await thread_engine.wait("acme", job.job_id, timeout_s=WAIT_S)
    for tenant, job_id in (("acme", "job_" + "0" * 32), ("other", job.job_id)):
        for call in (thread_engine.status, thread_engine.result, thread_engine.cancel, thread_engine.wait):
            with pytest.raises(JobNotFound) as caught:
                await call(tenant, job_id)
            assert caught.value.to_dict()["code"] == "job_not_found"
            assert caught.value.value == job_id


async def test_result_before_the_job_finished_is_job_not_finished(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit("acme", "test", fn("steps"), {"count": 10, "pause_s": 0.2})
    with pytest.raises(JobNotFinished) as caught:
        await thread_engine.result("acme", job.job_id)
    assert caught.value.code == "job_not_finished"
    assert "status" in caught.value.hint
    await thread_engine.cancel("acme", job.job_id)


async def test_an_atoms_error_in_the_job_fails_it_with_that_error(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit("acme", "test", fn("fail"), {"why": "testing"})
    done = await thread_engine.wait("acme", job.job_id, timeout_s=WAIT_S)
    assert done.state == "failed"
    assert done.error == {
        "code": "invalid_input",
        "message": "the spec asks for failure",
        "hint": "Do not ask for failure.",
        "value": "testing",
    }
    assert done.attempts == 1
    assert (await thread_engine.result("acme", job.job_id)).error == done.error


async def test_a_failed_job_runs_again_when_submitted_again(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit("acme", "test", fn("fail"), {"why": "again"})
    await thread_engine.wait("acme", job.job_id, timeout_s=WAIT_S)
    again = await thread_engine.submit("acme", "test", fn("fail"), {"why": "again"})
    assert (again.job_id, again.state, again.attempts, again.error) == (job.job_id, "queued", 0, None)
    assert (await thread_engine.wait("acme", job.job_id, timeout_s=WAIT_S)).state == "failed"


async def test_a_bug_in_the_job_fails_it_without_a_traceback(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit("acme", "test", fn("crash"), {})
    done = await thread_engine.wait("acme", job.job_id, timeout_s=WAIT_S)
    assert done.state == "failed"
    assert done.error is not None
    assert done.error["code"] == "internal_error"
    assert "RuntimeError" in str(done.error["message"])
    assert "Traceback" not in str(done.error)


@pytest.mark.parametrize(
    ("function", "code"),
    [
        (fn("not_a_dict"), "contract_violation"),
        ("tests.core.jobs.job_functions:missing", "contract_violation"),
    ],
)
async def test_a_job_function_breaking_the_contract_fails_with_a_code(
    thread_engine: JobEngine, function: str, code: str
) -> None:
    job = await thread_engine.submit("acme", "test", function, {})
    done = await thread_engine.wait("acme", job.job_id, timeout_s=WAIT_S)
    assert done.state == "failed"
    assert done.error is not None
    assert done.error["code"] == code


async def test_bad_submissions_are_refused_with_a_code(thread_engine: JobEngine) -> None:
    with pytest.raises(InvalidArguments, match=r"package\.module:function"):
        await thread_engine.submit("acme", "test", "no_colon", {})
    with pytest.raises(InvalidArguments, match="JSON"):
        await thread_engine.submit("acme", "test", fn("steps"), {"x": float("nan")})
    with pytest.raises(InvalidIdentifier):
        await thread_engine.submit("../etc", "test", fn("steps"), {})


async def test_cancelling_a_queued_job_drops_it(tmp_path: Path) -> None:
    settings = job_settings(tmp_path, dask_workers=1)
    async with JobEngine(settings, processes=False) as engine:
        busy = await engine.submit("acme", "test", fn("steps"), {"count": 200, "pause_s": 0.05})
        await wait_until(engine, "acme", busy.job_id, lambda s: s.state == "running")
        queued = await engine.submit("acme", "test", fn("steps"), {"count": 1, "tag": "queued"})
        cancelled = await engine.cancel("acme", queued.job_id)
        assert (cancelled.state, cancelled.attempts) == ("cancelled", 0)
        assert cancelled.error is not None
        assert cancelled.error["code"] == "job_cancelled"
        assert (await engine.result("acme", queued.job_id)).state == "cancelled"
        stopped = await engine.cancel("acme", busy.job_id)
        assert stopped.state == "cancelled"
        assert stopped.progress < 1.0


async def test_cancelling_the_caller_of_run_cancels_the_job(thread_engine: JobEngine) -> None:
    spec = {"count": 200, "pause_s": 0.05}
    job_id = job_id_for("acme", "test", spec)
    async with anyio.create_task_group() as group:
        group.start_soon(thread_engine.run, "acme", "test", fn("steps"), spec)
        await wait_until(thread_engine, "acme", job_id, lambda s: s.progress > 0)
        group.cancel_scope.cancel()
    status = await thread_engine.status("acme", job_id)
    assert status.state == "cancelled"


async def test_the_generic_ffmpeg_job_runs_ffmpeg_and_checks_its_spec(thread_engine: JobEngine) -> None:
    args = ["-f", "lavfi", "-i", "testsrc=d=0.5:s=160x120", "-f", "null", "-"]
    job = await thread_engine.submit("acme", "ffmpeg", "core.jobs.ffmpeg_job:run_ffmpeg_job", {"args": args})
    done = await thread_engine.wait("acme", job.job_id, timeout_s=WAIT_S)
    assert done.state == "succeeded"
    assert done.result is not None
    assert float(str(done.result["elapsed_s"])) > 0
    bad = await thread_engine.submit("acme", "ffmpeg", "core.jobs.ffmpeg_job:run_ffmpeg_job", {"argv": "x"})
    failed = await thread_engine.wait("acme", bad.job_id, timeout_s=WAIT_S)
    assert failed.error is not None
    assert failed.error["code"] == "invalid_arguments"
