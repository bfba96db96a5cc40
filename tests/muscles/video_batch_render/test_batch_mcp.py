"""A batch of renders through the muscle over a real MCP client, on the data dir's own job
daemon and its worker processes: twenty renders in one call with one cancelled mid-render (its
ffmpeg gone, nothing stored) while the rest succeed; a worker killed mid-batch has its job
retried; a restarted server finds its batch and the jobs the next daemon finishes."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from core.media.probe import probe_sync
from core.media.work_folders import sweep_work_folders
from core.serving.housekeeping import WORK_PREFIXES
from tests.core.jobs.conftest import is_alive, wait_gone
from tests.muscles.video_batch_render.conftest import BatchServer
from tests.muscles.video_render.media import ffmpeg_running_under, register_clip

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds processes in /proc (Linux)"
)
WAIT_S = 120.0  # bounds, not expectations: the machine is shared


async def _call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert result.structured_content is not None, result.content
    assert not result.is_error, result.structured_content
    return result.structured_content


def _short(uri: str, filename: str) -> dict[str, Any]:
    clip = {"id": "c", "uri": uri, "source_out_s": 0.4}
    return {
        "timeline": {"tracks": [{"id": "v", "clips": [clip]}], "output": {"preset": "ultrafast"}},
        "filename": filename,
    }


def _long(uri: str, filename: str) -> dict[str, Any]:
    """A render of seconds, not milliseconds: x264's slowest allowed preset over a long clip."""
    clip = {"id": "c", "uri": uri, "source_in_s": 0.04}
    return {
        "timeline": {"tracks": [{"id": "v", "clips": [clip]}], "output": {"preset": "veryslow"}},
        "filename": filename,
    }


def _slow_ffmpeg(server: BatchServer) -> list[int]:
    """The ffmpeg of the long render (the only one asked for the veryslow preset)."""
    found = []
    for pid in ffmpeg_running_under(server.settings.data_dir):
        try:
            if b"veryslow" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


async def _until(client: Client, batch_id: str, predicate: Any) -> dict[str, Any]:
    with anyio.fail_after(WAIT_S):
        while not predicate(status := await _call(client, "batch_status", {"batch_id": batch_id})):  # noqa: ASYNC110 - polls as a client polls
            await anyio.sleep(0.1)
    return status


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_twenty_renders_in_one_call_one_cancelled_mid_render_the_rest_succeed(
    batch_server: BatchServer,
) -> None:
    server = batch_server
    tiny = register_clip(server.store, server.scope, server.media, "tiny.mp4", seconds=1, size="160x90")
    long = register_clip(server.store, server.scope, server.media, "long.mp4", seconds=40, size="160x90")
    renders = [_long(long.uri, "long-cut.mp4")] + [_short(tiny.uri, f"short-{i:02d}.mp4") for i in range(19)]

    async def run() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with server.session() as client:
            queued = await _call(client, "queue_batch", {"renders": renders, "label": "twenty"})
            batch_id, slow_job = queued["batch_id"], queued["jobs"][0]["status"]["job_id"]
            await _until(client, batch_id, lambda s: s["jobs"][0]["status"]["progress"] > 0)
            (ffmpeg,) = _slow_ffmpeg(server)
            cancelled = await _call(client, "cancel_batch", {"batch_id": batch_id, "job_id": slow_job})
            assert not is_alive(ffmpeg), "cancel_batch returns once the job's ffmpeg is gone"
            with anyio.fail_after(WAIT_S):
                done = await _call(client, "wait_batch", {"batch_id": batch_id, "timeout_s": 50})
                while done["state"] == "running":
                    done = await _call(client, "wait_batch", {"batch_id": batch_id, "timeout_s": 50})
            results = await _call(client, "batch_results", {"batch_id": batch_id})
            return queued, cancelled, done, results

    queued, cancelled, done, results = anyio.run(run)
    assert len(queued["jobs"]) == 20 and queued["counts"] == {"queued": 20}
    assert cancelled["jobs"][0]["status"]["state"] == "cancelled"
    assert (done["state"], done["counts"]) == ("partial", {"cancelled": 1, "succeeded": 19})
    assert done["progress"] == 1.0
    first, *rest = results["renders"]
    assert (first["state"], first["render"], first["error"]["code"]) == ("cancelled", None, "job_cancelled")
    assert [render["filename"] for render in rest] == [f"short-{i:02d}.mp4" for i in range(19)]
    for render in rest:
        media = render["render"]["media"]
        stored = server.store.materialize(
            server.scope, media["uri"], server.media / "out" / media["filename"]
        )
        facts = probe_sync(stored)
        assert (facts.width, facts.height, render["render"]["frame_count"]) == (160, 90, 10)
    names = sorted(ref.filename for ref in server.store.list(server.scope))
    assert "long-cut.mp4" not in names and len([n for n in names if n.startswith("short-")]) == 19
    assert server.leftovers() == []
    assert _slow_ffmpeg(server) == []


def test_a_worker_killed_mid_batch_has_its_job_retried(batch_server: BatchServer) -> None:
    server = batch_server
    tiny = register_clip(server.store, server.scope, server.media, "tiny.mp4", seconds=1, size="160x90")
    long = register_clip(server.store, server.scope, server.media, "long.mp4", seconds=12, size="160x90")
    renders = [_long(long.uri, "long-cut.mp4")] + [_short(tiny.uri, f"short-{i}.mp4") for i in range(3)]

    async def run() -> tuple[int, dict[str, Any]]:
        async with server.session() as client:
            batch_id = (await _call(client, "queue_batch", {"renders": renders}))["batch_id"]
            await _until(client, batch_id, lambda s: s["jobs"][0]["status"]["progress"] > 0)
            (ffmpeg,) = _slow_ffmpeg(server)
            worker = _parent(ffmpeg)
            os.kill(worker, signal.SIGKILL)
            await wait_gone(ffmpeg)  # the worker's watchdog took its ffmpeg with it
            with anyio.fail_after(WAIT_S):
                done = await _call(client, "wait_batch", {"batch_id": batch_id, "timeout_s": 50})
                while done["state"] == "running":
                    done = await _call(client, "wait_batch", {"batch_id": batch_id, "timeout_s": 50})
            return worker, await _call(client, "batch_results", {"batch_id": batch_id})

    worker, results = anyio.run(run)
    assert not is_alive(worker)
    slow, *short = results["renders"]
    assert (slow["state"], slow["attempts"]) == ("succeeded", 2)
    assert slow["render"]["frame_count"] == 299  # 12 s at 25 fps, less the first frame
    assert [(render["state"], render["attempts"]) for render in short] == [("succeeded", 1)] * 3
    # The killed worker could not clean up its work folder; the housekeeping sweep removes it.
    assert len(sweep_work_folders(server.settings.data_dir / "work", prefixes=WORK_PREFIXES)) == 1
    assert server.leftovers() == []


def test_a_restarted_server_keeps_the_batch_and_the_next_daemon_finishes_it(
    batch_server: BatchServer,
) -> None:
    server = batch_server
    tiny = register_clip(server.store, server.scope, server.media, "tiny.mp4", seconds=1, size="160x90")
    long = register_clip(server.store, server.scope, server.media, "long.mp4", seconds=12, size="160x90")
    renders = [_long(long.uri, "long-cut.mp4"), _short(tiny.uri, "short.mp4")]

    async def before() -> dict[str, Any]:
        async with server.session(stop_daemon=False) as client:
            queued = await _call(client, "queue_batch", {"renders": renders, "priority": 7, "label": "kept"})
            await _until(client, queued["batch_id"], lambda s: s["jobs"][0]["status"]["progress"] > 0)
            (ffmpeg,) = _slow_ffmpeg(server)
            # The whole job daemon goes at once (its cluster, its workers): a crashed machine.
            daemon = json.loads((server.settings.data_dir / "jobs" / "daemon.json").read_text())["pid"]
            os.killpg(daemon, signal.SIGKILL)
            await wait_gone(ffmpeg)
            return queued

    async def after(batch_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        async with server.session() as client:  # a new server: it knows the batch from the table
            found = await _call(client, "batch_status", {"batch_id": batch_id})
            with anyio.fail_after(WAIT_S):
                done = await _call(client, "wait_batch", {"batch_id": batch_id, "timeout_s": 50})
                while done["state"] == "running":
                    done = await _call(client, "wait_batch", {"batch_id": batch_id, "timeout_s": 50})
            return found, done

    queued = anyio.run(before)
    found, done = anyio.run(after, queued["batch_id"])
    assert (found["label"], found["priority"], [job["name"] for job in found["jobs"]]) == (
        "kept",
        7,
        ["long-cut.mp4", "short.mp4"],
    )
    assert [job["status"]["job_id"] for job in found["jobs"]] == [
        job["status"]["job_id"] for job in queued["jobs"]
    ]
    assert (done["state"], done["counts"]) == ("succeeded", {"succeeded": 2}), str(done)
    assert done["jobs"][0]["status"]["attempts"] == 2  # the next daemon ran it again
    sweep_work_folders(server.settings.data_dir / "work", prefixes=WORK_PREFIXES)  # the killed run's
    assert server.leftovers() == []
