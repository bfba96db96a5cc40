"""A request id follows a call into its job, across processes: the client's X-Request-Id is on
the server's JSON log line of the submit call, on the job daemon's JSON log lines of the job
that call submitted, and on the job's usage record in the ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from core.jobs import JobEngine
from core.media.store import MediaStore
from core.metering import SqliteLedger
from core.scope import Scope
from core.settings import Settings
from tests.e2e.conftest import muscle_env, start_http, stop
from tests.muscles.video_render.media import register_clip

REQUEST_ID = "req-e2e-job-1"


def _json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_the_request_id_of_a_submit_call_is_on_its_log_line_its_jobs_log_lines_and_its_usage_record(
    tmp_path: Path,
) -> None:
    env = muscle_env(tmp_path, ATOMS_LOG_FORMAT="json", ATOMS_DASK_WORKERS="1")
    settings = Settings(data_dir=tmp_path / "data", tenant_id="tenant-a", signing_key="e2e-signing-key")
    clip = register_clip(
        MediaStore.from_settings(settings), Scope(tenant_id="tenant-a"), tmp_path, "a.mp4", seconds=1
    )
    server = start_http(["serve", "video_render", "--transport", "http"], env, tmp_path / "server.log")
    timeline = {"tracks": [{"id": "v", "clips": [{"id": "c", "uri": clip.uri, "source_in_s": 0.2}]}]}

    async def run() -> str:
        async with (
            httpx2.AsyncClient(headers={"X-Request-Id": REQUEST_ID}, timeout=60) as tagged,
            Client(streamable_http_client(f"{server.base_url}/mcp", http_client=tagged)) as client,
        ):
            submitted = await client.call_tool("submit_render", {"timeline": timeline})
            job_id: str = submitted.structured_content["job_id"]  # type: ignore[index]
        async with Client(f"{server.base_url}/mcp") as poller:  # other requests, other ids
            with anyio.fail_after(120):
                while True:
                    status = (await poller.call_tool("job_status", {"job_id": job_id})).structured_content
                    assert status is not None
                    if status["state"] not in ("queued", "running"):
                        assert status["state"] == "succeeded", status
                        return job_id
                    await anyio.sleep(0.2)

    try:
        job_id = anyio.run(run)
    finally:
        stop(server)
        anyio.run(JobEngine(settings).stop_daemon)  # a clean stop: the daemon writes its ledger

    calls = [line for line in _json_lines(server.log) if line["message"].startswith("call video_render.")]
    submit = [line for line in calls if "submit_render" in line["message"]]
    assert [line["request_id"] for line in submit] == [REQUEST_ID]
    assert all(line["request_id"] != REQUEST_ID for line in calls if "job_status" in line["message"])
    daemon = [
        line for line in _json_lines(tmp_path / "data" / "jobs" / "daemon.log") if job_id in line["message"]
    ]
    assert daemon and all(line["request_id"] == REQUEST_ID for line in daemon), daemon
    assert any("ended ok" in line["message"] for line in daemon)
    usage = SqliteLedger(settings.ledger_db_path).records("tenant-a")
    job_record = next(record for record in usage if record.job_id == job_id and record.tool == "render")
    assert job_record.request_id == REQUEST_ID and job_record.outcome == "ok" and job_record.cpu_s > 0
    assert job_record.bytes_in == clip.size_bytes and job_record.bytes_out > 0
