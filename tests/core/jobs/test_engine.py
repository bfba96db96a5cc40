"""The job API, typed (the function itself and a spec model), on a daemon hosted in-process
with thread workers (no process isolation needed here; see test_processes.py for that)."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from core.errors import InvalidArguments, InvalidIdentifier, InvalidInput
from core.jobs import JobCancelled, JobEngine, JobError, JobNotFinished, JobNotFound, job_id_for
from core.jobs.ffmpeg_job import FfmpegJobSpec, run_ffmpeg_job
from core.progress import RecordingProgress
from core.scope import Scope
from tests.core.jobs.conftest import ACME, OTHER, WAIT_S, job_settings, wait_until
from tests.core.jobs.job_functions import Steps, Why, crash, fail, not_a_model, steps

pytestmark = pytest.mark.anyio
KIND = "tests.core.jobs.job_functions.steps"


async def test_submit_returns_queued_and_the_job_completes_with_its_result(thread_engine: JobEngine) -> None:
    spec = Steps(count=2, pause_s=0.1)
    submitted = await thread_engine.submit(ACME, steps, spec)
    assert submitted.state == "queued" and submitted.kind == KIND
    assert submitted.job_id == job_id_for("acme", KIND, spec.model_dump(mode="json"))
    done = await thread_engine.wait(ACME, submitted.job_id, timeout_s=WAIT_S)
    assert (done.state, done.progress, done.attempts, done.error) == ("succeeded", 1.0, 1, None)
    assert await thread_engine.result(ACME, submitted.job_id) == {
        "echo": {"count": 2, "pause_s": 0.1, "label": ""},
        "tenant": "acme",
    }


async def test_status_progress_moves_from_zero_to_one_with_messages(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit(ACME, steps, Steps(count=4, pause_s=0.3))
    seen: list[tuple[float, str]] = []
    with anyio.fail_after(WAIT_S):
        while not (status := await thread_engine.status(ACME, job.job_id)).finished:
            if status.state == "running" and (status.progress, status.message) not in seen:
                seen.append((status.progress, status.message))
            await anyio.sleep(0.02)
    assert status.progress == 1.0
    progress_values = [fraction for fraction, _ in seen]
    assert progress_values == sorted(progress_values)
    assert ("step 2 of 4" in {message for _, message in seen}) or len(seen) >= 2


async def test_wait_forwards_progress_to_a_progress_reporter(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit(ACME, steps, Steps(count=4, pause_s=0.3))
    progress = RecordingProgress()
    done = await thread_engine.wait(ACME, job.job_id, progress, timeout_s=WAIT_S)
    assert done.state == "succeeded"
    messages = [message for _, message in progress.reports]
    assert "step 3 of 4" in messages
    assert progress.reports[-1] == (1.0, "done")
    fractions = [fraction for fraction, _ in progress.reports]
    assert fractions == sorted(fractions)


async def test_the_same_spec_gives_the_same_job(thread_engine: JobEngine) -> None:
    first = await thread_engine.submit(ACME, steps, Steps(count=1, label="x"))
    again = await thread_engine.submit(ACME, steps, Steps(label="x", count=1))
    assert again.job_id == first.job_id
    done = await thread_engine.wait(ACME, first.job_id, timeout_s=WAIT_S)
    after = await thread_engine.submit(ACME, steps, Steps(count=1, label="x"))
    assert after == done  # a succeeded job is not run again
    assert (await thread_engine.submit(OTHER, steps, Steps(count=1, label="x"))).job_id != first.job_id


async def test_unknown_ids_and_other_tenants_jobs_are_not_found(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit(ACME, steps, Steps(count=1, pause_s=0))
    await thread_engine.wait(ACME, job.job_id, timeout_s=WAIT_S)
    for scope, job_id in ((ACME, "job_" + "0" * 32), (OTHER, job.job_id), (ACME, "../../etc")):
        for call in (thread_engine.status, thread_engine.result, thread_engine.cancel, thread_engine.wait):
            with pytest.raises(JobNotFound) as caught:
                await call(scope, job_id)
            assert caught.value.to_dict()["code"] == "job_not_found"
            assert caught.value.value == job_id


async def test_result_before_the_job_finished_is_job_not_finished(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit(ACME, steps, Steps(count=10, pause_s=0.2))
    with pytest.raises(JobNotFinished) as caught:
        await thread_engine.result(ACME, job.job_id)
    assert caught.value.code == "job_not_finished" and "status" in caught.value.hint
    await thread_engine.cancel(ACME, job.job_id)


async def test_an_atoms_error_in_the_job_fails_it_with_that_error(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit(ACME, fail, Why(why="testing"))
    done = await thread_engine.wait(ACME, job.job_id, timeout_s=WAIT_S)
    assert done.state == "failed" and done.attempts == 1
    assert done.error == JobError(
        code="invalid_input",
        message="the spec asks for failure",
        hint="Do not ask for failure.",
        value="testing",
    )
    with pytest.raises(InvalidInput) as caught:  # the job's own error class and code, raised again
        await thread_engine.result(ACME, job.job_id)
    assert caught.value.to_dict() == done.error.model_dump()


async def test_a_failed_job_runs_again_when_submitted_again(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit(ACME, fail, Why(why="again"))
    await thread_engine.wait(ACME, job.job_id, timeout_s=WAIT_S)
    again = await thread_engine.submit(ACME, fail, Why(why="again"))
    assert (again.job_id, again.state, again.attempts, again.error) == (job.job_id, "queued", 1, None)
    assert (await thread_engine.wait(ACME, job.job_id, timeout_s=WAIT_S)).state == "failed"


async def test_a_bug_in_the_job_fails_it_without_a_traceback(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit(ACME, crash, Why())
    done = await thread_engine.wait(ACME, job.job_id, timeout_s=WAIT_S)
    assert done.state == "failed" and done.error is not None
    assert done.error.code == "internal_error" and "RuntimeError" in done.error.message
    assert "Traceback" not in str(done.error)


async def test_a_job_function_breaking_the_contract_fails_with_a_code(thread_engine: JobEngine) -> None:
    job = await thread_engine.submit(ACME, not_a_model, Why())
    done = await thread_engine.wait(ACME, job.job_id, timeout_s=WAIT_S)
    assert done.state == "failed" and done.error is not None and done.error.code == "contract_violation"


async def test_bad_submissions_are_refused_with_a_code(thread_engine: JobEngine) -> None:
    def nested(ctx: object, spec: Steps) -> Steps:
        return spec

    with pytest.raises(InvalidArguments, match="importable by name"):
        await thread_engine.submit(ACME, nested, Steps())  # type: ignore[arg-type]
    with pytest.raises(InvalidArguments, match="Steps spec"):
        await thread_engine.submit(ACME, steps, Why())
    with pytest.raises(InvalidArguments, match="JSON"):
        await thread_engine.submit(ACME, steps, Steps(pause_s=float("nan")))
    with pytest.raises(InvalidIdentifier):
        Scope(tenant_id="../etc")


async def test_cancelling_a_queued_job_drops_it(tmp_path: Path) -> None:
    settings = job_settings(tmp_path, dask_workers=1)
    async with JobEngine(settings, processes=False) as engine:
        busy = await engine.submit(ACME, steps, Steps(count=200, pause_s=0.05))
        await wait_until(engine, ACME, busy.job_id, lambda s: s.state == "running")
        queued = await engine.submit(ACME, steps, Steps(count=1, label="queued"))
        cancelled = await engine.cancel(ACME, queued.job_id)
        assert (cancelled.state, cancelled.attempts) == ("cancelled", 0)
        assert cancelled.error is not None and cancelled.error.code == "job_cancelled"
        with pytest.raises(JobCancelled):
            await engine.result(ACME, queued.job_id)
        stopped = await engine.cancel(ACME, busy.job_id)
        assert stopped.state == "cancelled" and stopped.progress < 1.0


async def test_cancelling_the_caller_of_run_cancels_the_job(thread_engine: JobEngine) -> None:
    spec = Steps(count=200, pause_s=0.05)
    job_id = job_id_for("acme", KIND, spec.model_dump(mode="json"))
    async with anyio.create_task_group() as group:
        group.start_soon(thread_engine.run, ACME, steps, spec)
        await wait_until(thread_engine, ACME, job_id, lambda s: s.progress > 0)
        group.cancel_scope.cancel()
    assert (await thread_engine.status(ACME, job_id)).state == "cancelled"


async def test_jobs_are_listed_newest_first_a_page_at_a_time(thread_engine: JobEngine) -> None:
    ids = [
        (await thread_engine.submit(ACME, steps, Steps(count=1, pause_s=0, label=str(n)))).job_id
        for n in range(5)
    ]
    await thread_engine.submit(OTHER, steps, Steps(count=1, pause_s=0))
    first = await thread_engine.list_jobs(ACME, limit=2)
    second = await thread_engine.list_jobs(ACME, cursor=first.next_cursor, limit=2)
    third = await thread_engine.list_jobs(ACME, cursor=second.next_cursor, limit=2)
    listed = [job.job_id for page in (first, second, third) for job in page.jobs]
    assert sorted(listed) == sorted(ids) and third.next_cursor is None
    created = [job.created_at for page in (first, second, third) for job in page.jobs]
    assert created == sorted(created, reverse=True)
    with pytest.raises(InvalidArguments):
        await thread_engine.list_jobs(ACME, cursor="not-a-cursor!")
    with pytest.raises(InvalidArguments):
        await thread_engine.list_jobs(ACME, limit=0)


async def test_the_generic_ffmpeg_job_runs_ffmpeg(thread_engine: JobEngine) -> None:
    args = ["-f", "lavfi", "-i", "testsrc=d=0.5:s=160x120", "-f", "null", "-"]
    job = await thread_engine.submit(ACME, run_ffmpeg_job, FfmpegJobSpec(args=args))
    done = await thread_engine.wait(ACME, job.job_id, timeout_s=WAIT_S)
    assert done.state == "succeeded"
    assert float((await thread_engine.result(ACME, job.job_id))["elapsed_s"]) > 0
