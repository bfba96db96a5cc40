"""A recording longer than a window is decoded and transcribed one window at a time: the work
folder never holds more than one window of samples, none while the model runs, nothing after;
and the words at a window's edge are heard once, whole."""

from __future__ import annotations

import subprocess
from pathlib import Path

import anyio
import jiwer
import pytest

from core.ffmpeg.runner import ffmpeg_binary
from core.progress import Progress
from muscles.audio.transcriber.transcript import Segment
from muscles.audio.transcriber.windows import MARGIN_S, cut_window
from tests.muscles.transcriber.conftest import AudioServer, make_server
from tests.speech_samples import PARAGRAPH, normalise_words

pytestmark = pytest.mark.anyio

WINDOW_S = 60.0
REPEATS = 4


def _long_speech(paragraph: Path, dest: Path) -> Path:
    """The paragraph four times over, a second of silence between: about 80 s."""
    inputs = [arg for _ in range(REPEATS) for arg in ("-i", str(paragraph))]
    pieces = "".join(f"[{n}:a]apad=pad_dur=1[p{n}];" for n in range(REPEATS))
    joined = "".join(f"[p{n}]" for n in range(REPEATS)) + f"concat=n={REPEATS}:v=0:a=1"
    subprocess.run(
        [ffmpeg_binary(), "-loglevel", "error", "-y", *inputs, "-filter_complex", pieces + joined, str(dest)],
        check=True,
    )
    return dest


def _staged_bytes(server: AudioServer) -> int:
    """Bytes in the work and staging folders, not counting the input the workspace links in."""
    data = server.settings.data_dir
    folders = [folder for folder in (data / "work", server.store.work_dir) if folder.exists()]
    return sum(
        path.stat().st_size
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith("input-")
    )


async def test_a_long_recording_is_transcribed_window_by_window_in_bounded_space(
    speech_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATOMS_WHISPER_WINDOW_S", str(WINDOW_S))
    server = make_server("muscles.audio.transcriber.mcp", tmp_path)
    ref = server.register(_long_speech(speech_dir / "paragraph.wav", tmp_path / "long.wav"))
    assert ref.duration_s is not None and ref.duration_s > WINDOW_S
    while_transcribing: list[int] = []

    async def sink(fraction: float, total: float | None, message: str | None) -> None:
        if (message or "").startswith("transcribed"):
            while_transcribing.append(_staged_bytes(server))

    with anyio.fail_after(600):  # a bound, not a timing: 80 s of speech on a busy machine
        result = await server.module.runtime.invoke(
            "transcribe", {"uri": ref.uri}, progress=Progress(sink), scope=server.scope
        )
    transcript = result.model_dump() if hasattr(result, "model_dump") else result
    assert while_transcribing and max(while_transcribing) == 0  # the window's file is gone once loaded
    assert server.leftovers() == []

    heard = normalise_words(transcript["text"])
    said = normalise_words(" ".join([PARAGRAPH] * REPEATS))
    assert jiwer.wer(said, heard) < 0.25, transcript["text"]
    starts = [segment["start"] for segment in transcript["segments"]]
    assert starts == sorted(starts) and [s["id"] for s in transcript["segments"]] == list(range(len(starts)))
    assert abs(transcript["duration_s"] - ref.duration_s) < 0.1


def _segment(start: float, end: float) -> Segment:
    return Segment(id=0, start=start, end=end, text="words", avg_logprob=-0.2, no_speech_prob=0.01)


def test_a_window_keeps_what_ends_before_its_margin_and_the_next_starts_there() -> None:
    segments = [_segment(0.0, 20.0), _segment(20.0, 52.0), _segment(52.0, 59.5)]
    cut = cut_window(segments, start_s=100.0, length_s=60.0, last=False, first_id=7)
    assert [(s.id, s.start, s.end) for s in cut.segments] == [(7, 100.0, 120.0), (8, 120.0, 152.0)]
    assert cut.next_start_s == 152.0  # the segment in the margin is heard again, whole
    silent = cut_window([], start_s=0.0, length_s=60.0, last=False, first_id=0)
    assert silent.segments == [] and silent.next_start_s == 60.0
    # One segment running into the margin: nothing kept, the next window starts a margin back.
    running = cut_window([_segment(0.0, 58.0)], start_s=0.0, length_s=60.0, last=False, first_id=0)
    assert running.segments == [] and running.next_start_s == 60.0 - MARGIN_S
