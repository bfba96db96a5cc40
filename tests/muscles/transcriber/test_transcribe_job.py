"""The transcriber's job path over MCP, on a recording of a few minutes: ``submit_transcribe``
returns at once, ``job_status`` shows the decoding advance, ``job_result`` is the transcript,
and ``cancel_job`` on a second job stops it with nothing stored and no ffmpeg left.

The jobs run on the data dir's job daemon (a detached process with one Dask worker), as they
do for a client that cuts every call at 60 s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import jiwer
import pytest
from mcp import Client

from tests.media_samples import ffmpeg_running_under
from tests.muscles.transcriber.conftest import AudioServer, call, make_server
from tests.speech_samples import PARAGRAPH, normalise_words, write_speech_wav

pytestmark = pytest.mark.anyio

REPEATS = 8  # PARAGRAPH is ~19 s: eight of it make a recording of about two and a half minutes
WAIT_S = 300.0
TERMINAL = ("succeeded", "failed", "cancelled")


@pytest.fixture(scope="module")
def recording(speech_dir: Path) -> Path:
    return write_speech_wav(speech_dir / "long.wav", " ".join([PARAGRAPH] * REPEATS))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[AudioServer]:
    made = make_server("muscles.audio.transcriber.mcp", tmp_path, dask_workers=1, jobs_idle_s=60)
    yield made


async def _poll(client: Client, job_id: str, until: Any) -> list[dict[str, Any]]:
    """Every distinct status of the job until ``until(status)`` holds."""
    seen: list[dict[str, Any]] = []
    with anyio.fail_after(WAIT_S):
        while True:
            is_error, status = await call(client, "job_status", {"job_id": job_id})
            assert not is_error, status
            if not seen or (status["progress"], status["state"]) != (seen[-1]["progress"], seen[-1]["state"]):
                seen.append(status)
            if until(status):
                return seen
            await anyio.sleep(0.2)


async def test_a_long_recording_is_transcribed_as_a_job_and_a_second_one_cancelled(
    server: AudioServer, recording: Path
) -> None:
    ref = server.register(recording)
    assert ref.duration_s is not None and ref.duration_s > 120
    try:
        async with server.client() as client:
            is_error, submitted = await call(client, "submit_transcribe", {"uri": ref.uri})
            assert not is_error, submitted
            assert (
                submitted["state"] in ("queued", "running") and submitted["kind"] == "transcriber.transcribe"
            )
            job_id = submitted["job_id"]

            statuses = await _poll(client, job_id, lambda s: s["state"] in TERMINAL)
            assert statuses[-1]["state"] == "succeeded", statuses[-1]
            progress = [s["progress"] for s in statuses if s["state"] == "running"]
            assert progress == sorted(progress)  # never goes back
            inside = [p for p in progress if 0.05 < p < 1.0]
            assert len(inside) >= 3, progress  # decoding advances visibly between polls
            assert any(s["message"].startswith("transcribed ") for s in statuses)

            is_error, transcript = await call(client, "job_result", {"job_id": job_id})
            assert not is_error, transcript
            assert abs(transcript["duration_s"] - ref.duration_s) < 0.1
            error_rate = jiwer.wer(
                normalise_words(" ".join([PARAGRAPH] * REPEATS)), normalise_words(transcript["text"])
            )
            assert error_rate <= 0.10, error_rate
            assert transcript["segments"][-1]["end"] > ref.duration_s - 10  # the end is transcribed too
            stored = server.asset_names()
            assert stored == ["long.srt", "long.vtt", "long.wav"]

            # The same call again is the same job, done: no second transcription.
            is_error, again = await call(client, "submit_transcribe", {"uri": ref.uri})
            assert not is_error and again["job_id"] == job_id and again["state"] == "succeeded"

            # Another job (greedy decoding), cancelled once decoding is under way.
            is_error, second = await call(client, "submit_transcribe", {"uri": ref.uri, "beam_size": 1})
            assert not is_error and second["job_id"] != job_id
            await _poll(client, second["job_id"], lambda s: s["progress"] > 0.1 or s["state"] in TERMINAL)
            is_error, cancelled = await call(client, "cancel_job", {"job_id": second["job_id"]})
            assert not is_error, cancelled
            assert cancelled["state"] == "cancelled"
            assert cancelled["error"]["code"] == "job_cancelled"
            is_error, result = await call(client, "job_result", {"job_id": second["job_id"]})
            assert is_error and result["error"]["code"] == "job_cancelled"

            listed = await call(client, "list_jobs", {})
            assert [job["job_id"] for job in listed[1]["jobs"]] == [second["job_id"], job_id]
    finally:
        await server.module.runtime.jobs.stop_daemon()
        await server.module.runtime.stop()
    assert server.asset_names() == stored  # the cancelled job stored nothing
    assert server.leftovers() == []
    assert ffmpeg_running_under(server.settings.data_dir) == []
