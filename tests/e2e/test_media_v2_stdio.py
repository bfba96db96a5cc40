"""media_v2 over real stdio: the official MCP client lists and calls every tool, and the
server's stdout carries JSON-RPC and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from tests.e2e.conftest import muscle_env
from tests.media_samples import write_test_video, write_tone_wav

EXPECTED_TOOLS = {
    "register",
    "stat",
    "resolve",
    "presign_download",
    "presign_upload",
    "list_assets",
    "delete",
}


def _server(tmp: Path) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "muscles", "serve", "media_v2"], env=muscle_env(tmp), cwd=str(tmp)
    )


def test_stdio_lists_every_tool_with_schemas_and_calls_each(tmp_path: Path) -> None:
    params = _server(tmp_path)
    write_tone_wav(tmp_path / "imports" / "tone.wav")
    write_test_video(tmp_path / "imports" / "clip.mp4")

    async def run() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
            seen["tools"] = {t.name: (t.input_schema, t.output_schema) for t in tools}

            async def call(name: str, args: dict[str, Any]) -> Any:
                result = await client.call_tool(name, args)
                assert not result.is_error, (name, result.structured_content)
                assert result.structured_content is not None, name
                seen[name] = result.structured_content
                return result.structured_content

            video = await call("register", {"source": "clip.mp4"})
            seen["video"] = video
            await call(
                "register", {"source": str(tmp_path / "imports" / "tone.wav"), "filename": "a tone.wav"}
            )
            await call("stat", {"uri": video["uri"]})
            await call("resolve", {"uri": video["uri"]})
            await call("presign_download", {"uri": video["uri"], "ttl_s": 60})
            await call("presign_upload", {"filename": "later.wav", "mime_type": "audio/wav"})
            await call("list_assets", {})
            await call("delete", {"uri": video["uri"]})
            seen["after_delete"] = (await client.call_tool("list_assets", {})).structured_content
        return seen

    seen = anyio.run(run)
    assert set(seen["tools"]) == EXPECTED_TOOLS
    for name, (input_schema, output_schema) in seen["tools"].items():
        assert input_schema["type"] == "object", name
        assert output_schema is not None and output_schema["type"] == "object", name
    video = seen["video"]
    assert video == seen["stat"] == seen["delete"] == seen["resolve"]["ref"]
    assert video["mime_type"] == "video/mp4" and (video["width"], video["height"]) == (320, 240)
    assert abs(video["duration_s"] - 2.0) < 0.1 and video["fps"] == 25.0
    assert seen["resolve"]["key"] == f"tenants/tenant-a/local/media_v2/{video['asset_id']}/clip.mp4"
    assert seen["presign_download"]["method"] == "GET" and "signature=" in seen["presign_download"]["url"]
    assert seen["presign_upload"]["source"].startswith("upload://up-")
    assert seen["list_assets"]["count"] == 2
    assert [a["filename"] for a in seen["after_delete"]["assets"]] == ["a tone.wav"]


def _rpc(message_id: int, method: str, params: dict[str, Any]) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": message_id, "method": method, "params": params})


def test_stdio_stdout_carries_only_json_rpc(tmp_path: Path) -> None:
    write_tone_wav(tmp_path / "imports" / "tone.wav")
    requests = [
        _rpc(
            1,
            "initialize",
            {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "raw-test", "version": "0"},
            },
        ),
        json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        _rpc(2, "tools/list", {}),
        _rpc(3, "tools/call", {"name": "register", "arguments": {"source": "tone.wav"}}),  # logs on stderr
        _rpc(4, "tools/call", {"name": "stat", "arguments": {"uri": "atoms://media/../x"}}),  # a tool error
        _rpc(5, "tools/call", {"name": "register", "arguments": {"source": 7}}),  # invalid arguments
    ]
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "muscles", "serve", "media_v2"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=muscle_env(tmp_path),
        )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("\n".join(requests) + "\n")
    proc.stdin.flush()
    messages: list[dict[str, Any]] = []
    try:
        # Read until every request has its reply; stdin stays open meanwhile, since EOF ends
        # the session (and would cancel calls still running).
        while len([m for m in messages if "id" in m]) < 5:
            line = proc.stdout.readline()
            assert line, f"server closed stdout early; stderr:\n{stderr_path.read_text()}"
            if line.strip():
                messages.append(json.loads(line))  # any non-JSON line fails here
    finally:
        proc.stdin.close()
        rest = proc.stdout.read()
        proc.wait(timeout=30)
    assert rest.strip() == "", f"unexpected trailing stdout: {rest!r}"
    assert all(m.get("jsonrpc") == "2.0" for m in messages)
    replies = {m["id"]: m for m in messages if "id" in m}
    assert set(replies) == {1, 2, 3, 4, 5}
    assert replies[3]["result"]["isError"] is False
    assert replies[4]["result"]["structuredContent"]["error"]["code"] == "invalid_identifier"
    assert replies[5]["result"]["structuredContent"]["error"]["code"] == "invalid_arguments"
    assert "tool stat failed" in stderr_path.read_text()  # the log went to stderr, where it belongs
