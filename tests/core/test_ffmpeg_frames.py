"""The raw-frame pipe against the real ffmpeg: exact pixels both ways, audio kept, clean
failure, cancellation and early stops leave no process and no file behind."""

from __future__ import annotations

import concurrent.futures
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from core.errors import ContractViolation, FfmpegFailed
from core.ffmpeg.frames import DETERMINISTIC_H264, FrameReader, FrameWriter
from core.ffmpeg.runner import ffprobe_binary
from tests.media_samples import ffmpeg_running_under, write_test_video, write_tone_wav

LOSSLESS = ("-c:v", "ffv1", "-pix_fmt", "bgr0")


def _frames(count: int, width: int = 64, height: int = 48) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.integers(0, 256, (height, width, 3), dtype=np.uint8) for _ in range(count)]


def _stream_facts(path: Path) -> dict[str, dict[str, str]]:
    probe = ffprobe_binary()
    assert probe is not None
    out = subprocess.run(
        [probe, "-v", "error", "-count_frames", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return {s["codec_type"]: s for s in json.loads(out)["streams"]}


def test_frames_round_trip_exactly_through_a_lossless_file(tmp_path: Path) -> None:
    frames = _frames(7)
    out = tmp_path / "out.mkv"
    with FrameWriter(out, width=64, height=48, fps=25, video_args=LOSSLESS) as writer:
        for frame in frames:
            writer.write(frame)
    assert writer.frames_written == 7
    assert [p.name for p in tmp_path.iterdir()] == ["out.mkv"]  # no partial file left
    with FrameReader(out, width=64, height=48) as reader:
        back = list(reader)
    assert len(back) == 7
    for sent, got in zip(frames, back, strict=True):
        assert np.array_equal(sent, got)


def test_reader_scales_resamples_and_cuts(tmp_path: Path) -> None:
    clip = write_test_video(tmp_path / "clip.mp4", seconds=2.0, size="320x240", fps=25)
    with FrameReader(clip, width=160, height=120, fps=10, start_s=0.5, duration_s=1.0) as reader:
        frames = list(reader)
    assert len(frames) == 10
    assert frames[0].shape == (120, 160, 3)
    assert reader.frames_read == 10


def test_writer_keeps_the_audio_of_a_source(tmp_path: Path) -> None:
    tone = write_tone_wav(tmp_path / "tone.wav", seconds=2.0)
    out = tmp_path / "with_audio.mp4"
    with FrameWriter(out, width=64, height=48, fps=25, audio_from=tone, audio_duration_s=1.0) as writer:
        for frame in _frames(25):
            writer.write(frame)
    facts = _stream_facts(out)
    assert facts["video"]["nb_read_frames"] == "25"
    assert abs(float(facts["audio"]["duration"]) - 1.0) < 0.05


def test_deterministic_encoding_gives_the_same_bytes(tmp_path: Path) -> None:
    frames = _frames(5)
    outputs = []
    for name in ("a.mp4", "b.mp4"):
        with FrameWriter(
            tmp_path / name, width=64, height=48, fps=25, video_args=DETERMINISTIC_H264
        ) as writer:
            for frame in frames:
                writer.write(frame)
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]


def test_a_wrong_frame_aborts_and_leaves_nothing(tmp_path: Path) -> None:
    writer = FrameWriter(tmp_path / "out.mp4", width=64, height=48, fps=25)
    with pytest.raises(ContractViolation, match=r"expected \(48, 64, 3\) uint8"):
        writer.write(np.zeros((48, 63, 3), dtype=np.uint8))
    assert list(tmp_path.iterdir()) == []
    assert ffmpeg_running_under(tmp_path) == []


def test_an_encoder_failure_is_ffmpeg_failed_and_leaves_nothing(tmp_path: Path) -> None:
    writer = FrameWriter(
        tmp_path / "out.mp4", width=64, height=48, fps=25, video_args=("-c:v", "no_such_codec")
    )
    with pytest.raises(FfmpegFailed) as caught:
        for frame in _frames(50):
            writer.write(frame)
        writer.close()
    assert str(tmp_path) not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_cancel_stops_both_ends_and_leaves_nothing(tmp_path: Path) -> None:
    clip = write_test_video(tmp_path / "clip.mp4", seconds=2.0, size="160x120", fps=25)
    work = tmp_path / "work"
    work.mkdir()
    seen = 0

    def cancelled() -> bool:
        return seen >= 5

    with (
        pytest.raises(concurrent.futures.CancelledError),
        FrameReader(clip, width=160, height=120, should_cancel=cancelled) as reader,
        FrameWriter(work / "out.mp4", width=160, height=120, fps=25, should_cancel=cancelled) as writer,
    ):
        for frame in reader:
            writer.write(frame)
            seen += 1
    assert list(work.iterdir()) == []
    assert ffmpeg_running_under(tmp_path) == []


def test_stopping_a_read_early_stops_ffmpeg(tmp_path: Path) -> None:
    clip = write_test_video(tmp_path / "clip.mp4", seconds=2.0, size="160x120", fps=25)
    with FrameReader(clip, width=160, height=120) as reader:
        first = next(iter(reader))
    assert first.shape == (120, 160, 3)
    assert ffmpeg_running_under(tmp_path) == []


def test_a_non_video_input_is_ffmpeg_failed(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a video\n")
    with pytest.raises(FfmpegFailed), FrameReader(text, width=64, height=48) as reader:
        list(reader)


def test_the_reader_refuses_other_protocols(tmp_path: Path) -> None:
    # The input is hardened like every other: a "concat:" name is read as a local file name.
    with pytest.raises(FfmpegFailed), FrameReader(Path("concat:/etc/passwd"), width=64, height=48) as reader:
        list(reader)
