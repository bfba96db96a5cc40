"""Progress a client sees during a real normalize: monotone, and every message names its phase."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media_samples import write_tone_wav
from tests.muscles.transcriber.conftest import AudioServer

pytestmark = pytest.mark.anyio

PHASES = ("probing", "decoding", "encoding", "measuring", "registering")


async def test_normalize_progress_is_monotone_and_names_each_phase_in_order(
    normalizer: AudioServer, tmp_path: Path
) -> None:
    source = normalizer.register(write_tone_wav(tmp_path / "tone.wav", seconds=3.0))
    reports: list[tuple[float, str]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        reports.append((progress, message or ""))

    async with normalizer.client() as client:
        result = await client.call_tool(
            "normalize", {"uri": source.uri, "integrated_lufs": -20.0}, progress_callback=on_progress
        )
    assert not result.is_error, result.content
    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0, reports
    named = [message.split(":", 1)[0] for _, message in reports]
    assert all(name in PHASES for name in named), reports
    # Each phase appears, in order, and the bar is full only once registering is done.
    first_seen = sorted(set(named), key=named.index)
    assert first_seen == list(PHASES), reports
    assert reports[-1] == (1.0, "registering")
    assert all(fraction < 1.0 for fraction, _ in reports[:-1]), reports
