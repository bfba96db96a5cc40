"""Known speech (espeak-ng) through the bundled tiny.en: accurate words, sane timings, valid
subtitles. One transcription serves every test here: it is the expensive part."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import anyio
import jiwer
import pytest

from muscles.audio.transcriber.model import MODELS, choose_model
from muscles.audio.transcriber.settings import WhisperSettings
from tests.muscles.transcriber.conftest import AudioServer, make_server
from tests.speech_samples import PARAGRAPH, normalise_words

_SRT_TIME = r"(\d{2}):(\d{2}):(\d{2}),(\d{3})"
_SRT_CUE = re.compile(rf"(\d+)\n{_SRT_TIME} --> {_SRT_TIME}\n(.+)")


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_srt(text: str) -> list[tuple[int, float, float, str]]:
    """Strict SubRip: every block is number, time line, one text line; anything else fails."""
    cues = []
    for block in text.strip("\n").split("\n\n"):
        match = _SRT_CUE.fullmatch(block)
        assert match is not None, f"not an SRT cue: {block!r}"
        groups = match.groups()
        cues.append((int(groups[0]), _seconds(*groups[1:5]), _seconds(*groups[5:9]), groups[9]))
    return cues


class Outcome:
    def __init__(self, server: AudioServer, duration: float, content: dict[str, Any], progress: list[float]):
        self.server = server
        self.duration = duration
        self.content = content
        self.progress = progress


@pytest.fixture(scope="module")
def outcome(speech_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    server = make_server("muscles.audio.transcriber.mcp", tmp_path_factory.mktemp("transcribe"))
    ref = server.register(speech_dir / "paragraph.wav")
    assert ref.duration_s is not None
    reports: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        reports.append(progress)

    async def run() -> tuple[bool, Any]:
        async with server.client() as client:
            result = await client.call_tool("transcribe", {"uri": ref.uri}, progress_callback=on_progress)
            return bool(result.is_error), result.structured_content

    is_error, content = anyio.run(run)
    assert not is_error, content
    return Outcome(server, ref.duration_s, content, reports)


def test_word_error_rate_is_at_most_ten_percent(outcome: Outcome) -> None:
    hypothesis = normalise_words(outcome.content["text"])
    error_rate = jiwer.wer(normalise_words(PARAGRAPH), hypothesis)
    assert error_rate <= 0.10, (error_rate, hypothesis)
    assert outcome.content["model"] == "tiny.en" and outcome.content["language"] == "en"


def test_word_timestamps_are_in_order_and_inside_the_audio(outcome: Outcome) -> None:
    words = [word for segment in outcome.content["segments"] for word in segment["words"]]
    assert len(words) >= 0.9 * len(PARAGRAPH.split())
    previous_end = 0.0
    for word in words:
        assert 0.0 <= word["start"] <= word["end"] <= outcome.duration + 0.05, word
        assert word["start"] >= previous_end - 0.01, word  # no word starts before the last ended
        assert 0.0 <= word["probability"] <= 1.0
        previous_end = word["end"]
    segments = outcome.content["segments"]
    assert [s["id"] for s in segments] == list(range(len(segments)))


def test_srt_and_vtt_are_valid_and_stored_in_media_v2(outcome: Outcome, tmp_path: Path) -> None:
    server, content = outcome.server, outcome.content
    srt_ref, vtt_ref = content["srt"], content["vtt"]
    assert server.store.stat(server.scope, srt_ref["uri"]).mime_type == "application/x-subrip"
    assert server.store.stat(server.scope, vtt_ref["uri"]).mime_type == "text/vtt"
    srt = server.store.materialize(server.scope, srt_ref["uri"], tmp_path / "out.srt").read_text()
    cues = parse_srt(srt)
    assert [number for number, *_ in cues] == list(range(1, len(content["segments"]) + 1))
    assert [text for *_, text in cues] == [segment["text"] for segment in content["segments"]]
    for (_, start, end, _), (_, next_start, _, _) in itertools.pairwise(cues):
        assert start < end <= next_start
    assert cues[-1][2] <= outcome.duration + 0.05
    vtt = server.store.materialize(server.scope, vtt_ref["uri"], tmp_path / "out.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n") and vtt.count(" --> ") == len(cues)
    assert srt_ref["filename"] == "paragraph.srt" and vtt_ref["filename"] == "paragraph.vtt"


def test_progress_rises_by_decoded_time_and_ends_at_one(outcome: Outcome) -> None:
    assert outcome.progress == sorted(outcome.progress)
    assert outcome.progress[-1] == 1.0
    # Several reports between extraction and the end: one per decoded segment.
    decoding = [p for p in outcome.progress if 0.05 < p < 1.0]
    assert len(decoding) >= 2, outcome.progress


def test_the_model_stays_loaded_between_calls(outcome: Outcome) -> None:
    choice = choose_model(WhisperSettings())
    assert MODELS.is_loaded(choice)
    loads = MODELS.loads
    assert MODELS.get(choice) is MODELS.get(choice)
    assert MODELS.loads == loads
    assert outcome.server.leftovers() == []
