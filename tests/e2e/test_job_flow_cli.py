"""The README's job flow as a shell user runs it: every step is its own ``muscle call`` (a new
process, its stdio server gone when it exits), and the job still finishes, because it runs on
the data dir's job daemon. An HTTP server on the same data dir sees the same jobs, and a job's
coded error reads the same in the client, the server's log and the daemon's log."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from tests.e2e.conftest import muscle_env, start_http, stop
from tests.media_samples import decoded_video, write_test_video
from tests.speech_samples import write_silence_wav

WAIT_S = 180.0
TERMINAL = ("succeeded", "failed", "cancelled")


def muscle_call(
    env: dict[str, str], name: str, tool: str, arguments: dict[str, Any]
) -> tuple[int, Any, float]:
    """``muscle call NAME TOOL --json ...``: exit code, printed JSON, wall seconds."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "muscles", "call", name, tool, "--json", json.dumps(arguments)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - start
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout), elapsed


def poll_until_finished(env: dict[str, str], name: str, job_id: str) -> tuple[dict[str, Any], list[float]]:
    """``job_status`` in fresh processes until the job ends; its last status and each call's time."""
    times = []
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        code, status, elapsed = muscle_call(env, name, "job_status", {"job_id": job_id})
        assert code == 0, status
        times.append(elapsed)
        if status["state"] in TERMINAL:
            return status, times
    pytest.fail(f"job {job_id} did not finish within {WAIT_S:.0f} s")


def stop_daemon(env: dict[str, str]) -> None:
    script = (
        "import anyio\nfrom core.jobs import JobEngine\nfrom core.settings import load_settings\n"
        "async def main():\n    async with JobEngine(load_settings()) as engine:\n"
        "        await engine.stop_daemon()\nanyio.run(main)\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    made = muscle_env(tmp_path)
    yield made
    stop_daemon(made)


def _http_call(url: str, tool: str, arguments: dict[str, Any]) -> Any:
    async def run() -> Any:
        async with Client(url) as client:
            return (await client.call_tool(tool, arguments)).structured_content

    return anyio.run(run)


def test_submit_then_poll_in_later_calls_finishes_with_the_mp4(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imports = tmp_path / "imports"
    write_test_video(imports / "a.mp4", seconds=2)
    write_test_video(imports / "b.mp4", seconds=2, size="320x240")
    uris = []
    for name in ("a.mp4", "b.mp4"):
        code, ref, _ = muscle_call(env, "media_v2", "register", {"source": name})
        assert code == 0, ref
        uris.append(ref["uri"])
    timeline = {
        "tracks": [
            {
                "id": "v",
                "clips": [
                    {"id": "a", "uri": uris[0], "source_out_s": 2},
                    {"id": "b", "uri": uris[1], "start_s": 1.5},
                ],
            }
        ],
        "transitions": [{"from_clip": "a", "to_clip": "b", "duration_s": 0.5}],
        "overlays": [{"id": "t", "text": "Hello", "start_s": 0, "end_s": 1}],
        "output": {"fps": 25, "crf": 30, "preset": "ultrafast"},
    }

    code, submitted, first_s = muscle_call(env, "video_render", "submit_render", {"timeline": timeline})
    assert code == 0, submitted
    job_id = submitted["job_id"]
    status, poll_s = poll_until_finished(env, "video_render", job_id)
    assert status["state"] == "succeeded" and status["attempts"] == 1, status  # never resubmitted
    code, rendered, _ = muscle_call(env, "video_render", "job_result", {"job_id": job_id})
    assert code == 0, rendered
    with capsys.disabled():  # the figures the issue asks for, in the test output
        print(f"\n  submit_render (starts the job daemon) {first_s:.2f} s; job_status calls {poll_s}")

    # The MP4 is in media_v2, and its figures are its own: 2 + 2 - 0.5 s at 25 fps.
    mp4 = rendered["media"]
    code, stat, _ = muscle_call(env, "media_v2", "stat", {"uri": mp4["uri"]})
    assert code == 0 and stat == mp4
    stored = next((tmp_path / "data" / "media").rglob("render.mp4"))
    frames, seconds = decoded_video(stored)
    assert frames == rendered["frame_count"] == 88
    assert abs(seconds - mp4["duration_s"]) < 0.05 and abs(seconds - 3.5) < 0.05

    # An HTTP server on the same data dir reads the same job from the same table.
    server = start_http(["serve", "video_render", "--transport", "http"], env, tmp_path / "server.log")
    try:
        over_http = _http_call(f"{server.base_url}/mcp", "job_status", {"job_id": job_id})
        listed = _http_call(f"{server.base_url}/mcp", "list_jobs", {})
    finally:
        stop(server)
    assert over_http == status
    assert [job["job_id"] for job in listed["jobs"]] == [job_id]


def test_a_jobs_coded_error_is_the_same_in_client_server_and_daemon_logs(
    env: dict[str, str], tmp_path: Path
) -> None:
    write_silence_wav(tmp_path / "imports" / "quiet.wav", seconds=3)
    code, ref, _ = muscle_call(env, "media_v2", "register", {"source": "quiet.wav"})
    assert code == 0, ref
    code, submitted, _ = muscle_call(env, "transcriber", "submit_transcribe", {"uri": ref["uri"]})
    assert code == 0, submitted  # silence has an audio stream: the check lets it through
    status, _ = poll_until_finished(env, "transcriber", submitted["job_id"])
    assert status["state"] == "failed" and status["error"]["code"] == "no_speech", status

    code, failed, _ = muscle_call(env, "transcriber", "job_result", {"job_id": submitted["job_id"]})
    assert code == 1 and failed["error"]["code"] == "no_speech"

    server = start_http(["serve", "transcriber", "--transport", "http"], env, tmp_path / "server.log")
    try:
        over_http = _http_call(f"{server.base_url}/mcp", "job_result", {"job_id": submitted["job_id"]})
    finally:
        stop(server)
    assert over_http == failed
    assert "tool job_result failed: no_speech" in server.log_text()
    daemon_log = (tmp_path / "data" / "jobs" / "daemon.log").read_text()
    assert f"job {submitted['job_id']} (transcriber.transcribe) failed: no_speech" in daemon_log
