"""End to end over real processes: a canvas command -> ``gateway serve`` -> ``gateway route`` ->
media_v2 over MCP (streamable HTTP) -> the command's status in the canvas state (``canvas_commit``),
the done one carrying the MediaRef as a sidecar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from gateway.client import GatewayClient, SseEvent
from tests.e2e.conftest import muscle_env, start_http, stop
from tests.gateway.conftest import CANVAS, gateway_env, start_gateway_process, stop_process, token
from tests.media_samples import write_test_video

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _spec(tmp: Path) -> Path:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sentinel",
            "spec",
            str(ROOT / "muscles" / "media" / "media_v2" / "service.py"),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    path = tmp / "specs.json"
    path.write_bytes(out.stdout)
    return path


def test_a_canvas_command_becomes_an_mcp_call_and_a_snapshot_on_the_canvas(tmp_path: Path) -> None:
    muscle_tmp = tmp_path / "muscle"
    muscle_tmp.mkdir()
    env = muscle_env(muscle_tmp)
    clip = write_test_video(muscle_tmp / "imports" / "clip.mp4", seconds=1.0)
    muscle = start_http(["serve", "media_v2", "--transport", "http"], env, tmp_path / "muscle.log")
    gateway = start_gateway_process(gateway_env(tmp_path), tmp_path / "gateway.log")
    token_file = tmp_path / "router.jwt"
    token_file.write_text(token(actor="agent", role="router", subject="tool-router"))
    router_log = tmp_path / "router.log"
    with router_log.open("wb") as out:
        router = subprocess.Popen(
            [
                sys.executable, "-m", "gateway", "route",
                "--gateway", gateway.base_url,
                "--canvas", CANVAS,
                "--spec", str(_spec(tmp_path)),
                "--muscle", f"media_v2={muscle.base_url}/mcp",
                "--token-file", str(token_file),
                "--last-event-id", "0",
            ],
            env=gateway_env(tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    async def run() -> list[SseEvent]:
        seen: list[SseEvent] = []
        async with GatewayClient(gateway.base_url, token=token()) as canvas:
            reply = await canvas.command(
                CANVAS, "import_media", {"source": "clip.mp4"}, idempotency_key="import-1"
            )
            assert reply["status"] == "accepted"
            with anyio.fail_after(60):
                async for event in canvas.subscribe(CANVAS, "0"):
                    seen.append(event)
                    if event.event == "canvas_commit":
                        status = event.json()["data"]["ops"][0]["value"]["status"]
                        if status in ("done", "failed"):
                            return seen
        return seen

    try:
        events = anyio.run(run)
    finally:
        stop_process(router)
        stop_process(gateway.process)
        stop(muscle)
    logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in (router_log, tmp_path / "gateway.log"))
    kinds = [e.event for e in events]
    assert kinds == ["command", "canvas_commit", "canvas_commit"], (kinds, logs)
    running, done = (e.json()["data"]["ops"][0]["value"] for e in events[1:3])
    assert [e.json()["data"]["ops"][0]["path"] for e in events[1:3]] == ["/commands/1"] * 2
    assert (
        running["status"] == "running" and running["tool"] == "register" and running["muscle"] == "media_v2"
    )
    assert done["status"] == "done" and done["result"]["mime_type"] == "video/mp4"
    (ref,) = events[2].json()["sidecars"]
    assert (
        ref == done["result"] and ref["filename"] == "clip.mp4" and ref["size_bytes"] == clip.stat().st_size
    )
    assert events[2].json()["actor"] == {"kind": "agent", "subject": "tool-router", "role": "router"}
