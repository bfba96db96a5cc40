"""The transcriber as a real stdio server: a video's speech transcribed for the official MCP
client, with progress notifications arriving while the call runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests.conftest import require
from tests.e2e.conftest import muscle_env
from tests.speech_samples import espeak_available, normalise_words, write_speech_video

CALL_TIMEOUT_S = 300.0


def _register(tmp: Path, env: dict[str, str], video: Path) -> str:
    """Store the input the way media_v2 would, in the data dir the server will read."""
    settings = Settings(
        data_dir=Path(env["ATOMS_DATA_DIR"]),
        tenant_id=env["ATOMS_TENANT_ID"],
        signing_key=env["ATOMS_SIGNING_KEY"],
    )
    store = MediaStore.from_settings(settings)
    scope = Scope(tenant_id=settings.tenant_id)
    return store.register_staged(scope, store.stage_local(video), video.name).uri


def test_progress_notifications_arrive_during_a_transcription_over_stdio(tmp_path: Path) -> None:
    require(espeak_available(), "espeak-ng is not installed")
    env = muscle_env(tmp_path)
    uri = _register(tmp_path, env, write_speech_video(tmp_path / "memo.mp4"))
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "muscles", "serve", "transcriber"], env=env, cwd=str(tmp_path)
    )
    notes: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        notes.append((progress, message))

    async def run() -> tuple[bool, Any, int]:
        with anyio.fail_after(CALL_TIMEOUT_S):
            async with Client(params) as client:
                result = await client.call_tool(
                    "transcribe", {"uri": uri, "word_timestamps": False}, progress_callback=on_progress
                )
                # Notifications that came before the result, as the client saw them.
                return bool(result.is_error), result.structured_content, len(notes)

    is_error, content, seen_before_result = anyio.run(run)
    assert not is_error, content
    assert "weekly report" in normalise_words(content["text"])
    assert content["srt"]["filename"] == "memo.srt"
    assert seen_before_result >= 3, notes  # extraction, start of decoding, decoded segments, done
    values = [value for value, _ in notes]
    assert values == sorted(values) and values[-1] == 1.0
    assert any((message or "").startswith("transcribed") for _, message in notes)
