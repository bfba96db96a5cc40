"""media_v2 over real streamable HTTP (``muscle serve --all``): tools, uploads through
presigned PUT, the signed /media endpoint, bearer tokens and tenant isolation."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.conftest import RunningServer, muscle_env, start_http, stop
from tests.media_samples import write_test_video, write_tone_wav

TOKENS = '{"tenant-a": "token-for-a-0123456789", "tenant-b": "token-for-b-9876543210"}'


async def _call(client: Client, tool: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    result = await client.call_tool(tool, args)
    assert result.structured_content is not None
    return bool(result.is_error), result.structured_content


def test_http_lists_tools_and_round_trips_an_upload(
    all_muscles: tuple[RunningServer, Path], tmp_path: Path
) -> None:
    server, _imports = all_muscles
    clip = write_test_video(tmp_path / "upload-me.mp4")
    url = f"{server.base_url}/media_v2/mcp"

    async def run() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with Client(url) as client:
            tools = (await client.list_tools()).tools
            out["tools"] = {t.name: t.output_schema is not None for t in tools}
            _, ticket = await _call(
                client, "presign_upload", {"filename": "clip.mp4", "mime_type": "video/mp4"}
            )
            async with httpx.AsyncClient(trust_env=False) as http:
                put = await http.put(ticket["url"], content=clip.read_bytes(), headers=ticket["headers"])
                out["put_status"] = put.status_code
                _, ref = await _call(client, "register", {"source": ticket["source"]})
                out["ref"] = ref
                _, link = await _call(client, "presign_download", {"uri": ref["uri"]})
                got = await http.get(link["url"])
                out["download"] = (got.status_code, hashlib.sha256(got.content).hexdigest())
                tampered = link["url"].replace("clip.mp4", "clip.mp4x")
                bad = await http.get(tampered)
                out["tampered"] = (bad.status_code, bad.json())
            out["again"] = await _call(client, "register", {"source": ticket["source"]})
            out["stat"] = await _call(client, "stat", {"uri": ref["uri"]})
            out["resolve"] = await _call(client, "resolve", {"uri": ref["uri"]})
            out["list"] = await _call(client, "list_assets", {})
            out["delete"] = await _call(client, "delete", {"uri": ref["uri"]})
            out["list_after"] = await _call(client, "list_assets", {})
        return out

    out = anyio.run(run)
    assert out["tools"] == dict.fromkeys(out["tools"], True) and len(out["tools"]) == 7
    assert out["put_status"] in (200, 201)
    ref = out["ref"]
    assert ref["sha256"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert ref["mime_type"] == "video/mp4" and ref["filename"] == "clip.mp4"
    assert out["download"] == (200, ref["sha256"])
    status, body = out["tampered"]
    assert status == 403 and body["error"]["code"] == "presign_invalid" and body["error"]["hint"]
    # The upload was consumed by the first register: a second one is a coded error.
    is_error, again = out["again"]
    assert is_error and again["error"]["code"] == "upload_not_found"
    for name in ("stat", "resolve", "list", "delete", "list_after"):
        assert out[name][0] is False, (name, out[name])
    assert out["stat"][1] == out["delete"][1] == out["resolve"][1]["ref"] == ref
    assert out["list"][1] == {"assets": [ref], "count": 1, "next_cursor": None}
    assert out["list_after"][1] == {"assets": [], "count": 0, "next_cursor": None}


def test_health_endpoints_answer(all_muscles: tuple[RunningServer, Path]) -> None:
    server, _ = all_muscles
    with httpx.Client(trust_env=False) as http:
        assert http.get(f"{server.base_url}/health/live").json() == {"status": "live"}
        ready = http.get(f"{server.base_url}/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_beyond_loopback_calls_need_a_bearer_token_and_the_token_picks_the_tenant(tmp_path: Path) -> None:
    env = muscle_env(tmp_path, ATOMS_AUTH_TOKENS=TOKENS)
    write_tone_wav(tmp_path / "imports" / "tone.wav")
    server = start_http(["serve", "--all"], env, tmp_path / "server.log", host="0.0.0.0")
    url = f"{server.base_url}/media_v2/mcp"
    try:
        with httpx.Client(trust_env=False) as http:
            init = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
            anonymous = http.post(url, json=init, headers={"Accept": "application/json, text/event-stream"})
            wrong = http.post(url, json=init, headers={"Authorization": "Bearer not-a-token"})

        async def as_tenant(token: str, tool: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
            headers = {"Authorization": f"Bearer {token}"}
            async with (
                httpx2.AsyncClient(headers=headers, trust_env=False, timeout=30) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                return await _call(client, tool, args)

        async def run() -> list[tuple[bool, dict[str, Any]]]:
            a_ref = await as_tenant("token-for-a-0123456789", "register", {"source": "tone.wav"})
            return [
                a_ref,
                await as_tenant("token-for-b-9876543210", "list_assets", {}),
                await as_tenant("token-for-b-9876543210", "stat", {"uri": a_ref[1]["uri"]}),
                await as_tenant("token-for-a-0123456789", "list_assets", {}),
            ]

        (a_err, _a_ref), (_, b_list), (b_err, b_stat), (_, a_list) = anyio.run(run)
    finally:
        stop(server)
    for response in (anonymous, wrong):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"
    assert not a_err
    assert b_list == {"assets": [], "count": 0, "next_cursor": None}
    assert b_err and b_stat["error"]["code"] == "asset_not_found"
    assert a_list["count"] == 1
    assert "token-for-a-0123456789" not in server.log_text()


def test_binding_beyond_loopback_without_tokens_refuses_to_start(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "muscles", "serve", "--all", "--host", "0.0.0.0"],
        env=muscle_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "requires authentication" in proc.stderr and "ATOMS_AUTH_TOKENS" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_production_without_s3_fails_at_once_naming_what_is_missing(tmp_path: Path) -> None:
    for args in (["serve", "media_v2"], ["serve", "--all"], ["serve", "media_v2", "--transport", "http"]):
        proc = subprocess.run(
            [sys.executable, "-m", "muscles", *args],
            env=muscle_env(tmp_path, ATOMS_ENV="production"),
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == 2, (args, proc.stderr)
        for name in ("ATOMS_STORAGE=s3", "ATOMS_S3_BUCKET", "ATOMS_S3_REGION", "ATOMS_LEDGER_DATABASE_URL"):
            assert name in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
