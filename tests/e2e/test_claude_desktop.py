"""`muscle config claude-desktop --import-root DIR` is enough for Claude Desktop: its server
entry, started the way a desktop host starts it (the command and args as written, the entry's
`env` on top of the SDK's minimal default environment, nothing inherited from this shell),
registers a local file from DIR."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from tests.conftest import require
from tests.media_samples import write_tone_wav

pytestmark = pytest.mark.e2e


def test_the_printed_entry_registers_a_file_from_the_import_root(tmp_path: Path) -> None:
    require(shutil.which("uv") is not None, "uv is not on PATH")
    videos = tmp_path / "My Videos"
    write_tone_wav(videos / "tone.wav")
    printed = subprocess.run(
        [
            sys.executable,
            "-m",
            "muscles",
            "config",
            "claude-desktop",
            "--import-root",
            str(videos),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    entry = json.loads(printed.stdout)["mcpServers"]["media_v2"]
    assert entry["env"] == {"ATOMS_DATA_DIR": str(tmp_path / "data"), "ATOMS_IMPORT_ROOTS": str(videos)}
    server = StdioServerParameters(command=entry["command"], args=entry["args"], env=entry["env"])

    async def register() -> dict[str, object]:
        with anyio.fail_after(180):
            async with Client(server) as client:
                result = await client.call_tool("register", {"source": str(videos / "tone.wav")})
        assert not result.is_error, result.content
        assert result.structured_content is not None
        return result.structured_content

    ref = anyio.run(register)
    assert str(ref["uri"]).startswith("atoms://media/") and ref["mime_type"] == "audio/wav"
    assert ref["duration_s"] == pytest.approx(1.0, abs=0.01)
    assert any((tmp_path / "data").rglob("tone.wav"))
