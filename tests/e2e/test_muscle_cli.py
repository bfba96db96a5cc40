"""The ``muscle`` command as a user runs it: list, call (a real MCP client), config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client

from core.discovery import project_root
from tests.e2e.conftest import muscle_env, start_http, stop
from tests.media_samples import write_tone_wav


def _muscle(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "muscles", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_list_names_every_muscle_with_its_tools(tmp_path: Path) -> None:
    proc = _muscle("list", "--json", env=muscle_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert rows["media_v2"]["category"] == "media"
    assert "register" in rows["media_v2"]["tools"]


@pytest.mark.parametrize("mode", [[], ["--stdio"]], ids=["in-process", "stdio"])
def test_call_prints_the_structured_result_and_exits_by_outcome(tmp_path: Path, mode: list[str]) -> None:
    env = muscle_env(tmp_path)
    del env["ATOMS_LOG_LEVEL"]
    write_tone_wav(tmp_path / "imports" / "tone.wav")
    ok = _muscle("call", "media_v2", "register", *mode, "--json", '{"source": "tone.wav"}', env=env)
    assert ok.returncode == 0, ok.stderr
    ref = json.loads(ok.stdout)
    assert ref["mime_type"] == "audio/wav" and ref["duration_s"] == 1.0
    assert "INFO" not in ok.stderr  # the server's logs stay quiet unless ATOMS_LOG_LEVEL asks

    failed = _muscle(
        "call", "media_v2", "stat", *mode, "--json", '{"uri": "atoms://media/abc/x.wav"}', env=env
    )
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["error"]["code"] == "asset_not_found"
    listed = _muscle("call", "media_v2", "list_assets", *mode, env=env)
    assert [asset["uri"] for asset in json.loads(listed.stdout)["assets"]] == [ref["uri"]]

    bad_json = _muscle("call", "media_v2", "stat", "--json", "{not json", env=env)
    assert bad_json.returncode != 0 and "not valid JSON" in bad_json.stderr


def test_config_prints_a_claude_desktop_block_that_serves_each_muscle(tmp_path: Path) -> None:
    proc = _muscle("config", "claude-desktop", env=muscle_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    servers = json.loads(proc.stdout)["mcpServers"]
    entry = servers["media_v2"]
    assert entry["args"] == ["run", "--directory", str(project_root()), "muscle", "serve", "media_v2"]


def test_stateless_http_mode_serves_calls(tmp_path: Path) -> None:
    server = start_http(
        ["serve", "media_v2", "--transport", "http"],
        muscle_env(tmp_path, ATOMS_HTTP_STATELESS="true"),
        tmp_path / "server.log",
    )

    async def run() -> object:
        async with Client(f"{server.base_url}/mcp") as client:
            return (await client.call_tool("list_assets", {})).structured_content

    try:
        assert anyio.run(run) == {"assets": [], "count": 0, "next_cursor": None}
    finally:
        stop(server)
