"""A cancelled transcription stops at the next segment and leaves no asset and no temp file."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from core.progress import Progress
from tests.muscles.transcriber.conftest import AudioServer

pytestmark = pytest.mark.anyio

WAIT_S = 120.0


async def test_cancel_during_decoding_stops_at_the_next_segment(
    transcriber: AudioServer, speech_dir: Path
) -> None:
    ref = transcriber.register(speech_dir / "paragraph.wav")  # several segments
    messages: list[str] = []
    call_scope = anyio.CancelScope()

    async def sink(fraction: float, total: float | None, message: str | None) -> None:
        messages.append(message or "")
        if (message or "").startswith("transcribed"):
            # The worker thread is between segments, inside the model's generator: cancel now.
            call_scope.cancel()

    completed = False
    with anyio.fail_after(WAIT_S):
        with call_scope:
            await transcriber.module.runtime.invoke(
                "transcribe", {"uri": ref.uri}, progress=Progress(sink), scope=transcriber.scope
            )
            completed = True
    assert call_scope.cancelled_caught and not completed
    assert [m for m in messages if m.startswith("transcribed")] == messages[-1:]  # one segment, no more
    assert transcriber.asset_names() == ["paragraph.wav"]  # no SRT, no VTT
    assert transcriber.leftovers() == []
