"""The muscles host's /metrics parses with prometheus_client's own parser and moves with calls;
/health/ready checks storage, the job engine and the ledger and names what failed; every
request has an id (the caller's, or a fresh one), echoed back and carried by JSON log lines."""

from __future__ import annotations

import importlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client
from prometheus_client.parser import text_string_to_metric_families

from core.observability import JsonFormatter, RequestIdFilter, request_id_scope
from core.serving import MountedMuscle, build_http_app
from core.settings import Settings
from tests.servers import uvicorn_in_thread


def _app(settings: Settings) -> Any:
    module = importlib.reload(importlib.import_module("muscles.media.media_v2.mcp"))
    module.runtime.configure(settings)
    return build_http_app([MountedMuscle("media_v2", module.server, module.runtime)], settings)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_parse_and_move_with_calls_and_errors(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", signing_key="k")

    async def run(url: str) -> tuple[str, str, httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30) as http:
            before = (await http.get("/metrics")).text
            async with Client(f"{url}/media_v2/mcp") as client:
                for _ in range(3):
                    assert not (await client.call_tool("list_assets", {})).is_error
                assert (await client.call_tool("stat", {"uri": "not-a-uri"})).is_error
            after = (await http.get("/metrics")).text
            echoed = await http.get("/health/live", headers={"X-Request-Id": "req-from-caller.1"})
            fresh = await http.get("/health/live", headers={"X-Request-Id": "bad id with spaces"})
        return before, after, echoed, fresh

    with uvicorn_in_thread(_app(settings)) as url:
        before_text, after_text, echoed, fresh = anyio.run(run, url)
    before, after = _samples(before_text), _samples(after_text)
    ok = ("atoms_tool_calls_total", (("muscle", "media_v2"), ("outcome", "ok"), ("tool", "list_assets")))
    assert before.get(ok, 0) == 0 and after[ok] == 3
    assert after[("atoms_tool_errors_total", (("code", "invalid_input"), ("muscle", "media_v2")))] == 1
    count = ("atoms_tool_call_duration_seconds_count", (("muscle", "media_v2"), ("tool", "list_assets")))
    assert after[count] == 3
    assert after[("atoms_jobs", (("state", "queued"),))] == 0 and ("atoms_job_queue_depth", ()) in after
    assert after[("atoms_governance_decisions_total", (("outcome", "allow"),))] == 4
    assert echoed.headers["x-request-id"] == "req-from-caller.1"
    assert fresh.headers["x-request-id"].startswith("req_")


def test_ready_names_the_job_engine_and_then_the_storage_when_they_fail(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("a file where the job table's folder should be")
    settings = Settings(
        data_dir=tmp_path / "data", signing_key="k", jobs_db=tmp_path / "not-a-folder" / "jobs.sqlite3"
    )

    async def run(url: str) -> list[tuple[int, dict[str, Any]]]:
        seen = []
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30) as http:
            answer = await http.get("/health/ready")
            seen.append((answer.status_code, answer.json()))
            media = tmp_path / "data" / "media"
            shutil.rmtree(media, ignore_errors=True)
            media.write_text("a file where the media root should be")
            answer = await http.get("/health/ready")
            seen.append((answer.status_code, answer.json()))
        return seen

    with uvicorn_in_thread(_app(settings)) as url:
        (first_status, first), (second_status, second) = anyio.run(run, url)
    assert first_status == 503 and first["status"] == "not ready" and set(first["problems"]) == {"jobs"}
    assert second_status == 503 and set(second["problems"]) == {"jobs", "storage"}
    assert second["problems"]["storage"] == "storage_error"
    assert "not-a-folder" not in json.dumps(second)  # no path reaches the probe's answer


def test_json_log_lines_carry_the_current_request_id() -> None:
    formatter, stamp = JsonFormatter(), RequestIdFilter()
    record = logging.LogRecord("core.serving.host", logging.INFO, __file__, 1, "call %s", ("x",), None)
    with request_id_scope("req_abc"):
        stamp.filter(record)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "req_abc" and line["message"] == "call x" and line["level"] == "INFO"
    assert line["ts"].endswith("Z")
