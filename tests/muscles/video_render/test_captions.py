"""Captions burnt in from an SRT or WebVTT in media_v2: they change the picture in the caption's
region only, the spoken word is lit as it is said, Unicode draws, and a character no font has
is a warning, not a failure. Renders are lossless (crf 0) so untouched pixels are equal."""

from __future__ import annotations

import subprocess
from typing import Any

import anyio
import numpy as np
import pytest

from core.ffmpeg.runner import ffmpeg_binary
from tests.muscles.video_render.conftest import RenderServer

WAIT_S = 120.0
WIDTH, HEIGHT, FPS = 320, 180, 25
MARGIN_PCT = 5.0
SRT = (
    "1\n00:00:00,500 --> 00:00:01,800\nÇa va, 日本語 \ue000\n\n2\n00:00:02,000 --> 00:00:02,900\nsecond cue\n"
)
VTT = "WEBVTT\n\n00:00:00.400 --> 00:00:01.900\none two three\n"
WORDS = [
    {"word": " one", "start": 0.4, "end": 0.8, "probability": 0.9},
    {"word": " two", "start": 0.9, "end": 1.3, "probability": 0.9},
    {"word": " three", "start": 1.4, "end": 1.8, "probability": 0.9},
]


def _blue_video(server: RenderServer) -> str:
    path = server.media / "blue.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *(ffmpeg_binary(), "-v", "error", "-y", "-f", "lavfi"),
            *("-i", f"color=c=0x2040C0:size={WIDTH}x{HEIGHT}:rate={FPS}:duration=3"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)),
        ],
        check=True,
    )
    return server.store.register_staged(server.scope, server.store.stage_local(path), path.name).uri


def _document(server: RenderServer, name: str, text: str, mime: str) -> str:
    path = server.media / name
    path.write_text(text, encoding="utf-8")
    return server.store.store_document(server.scope, server.store.stage_local(path), name, mime).uri


def _timeline(picture: str, captions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tracks": [{"id": "v", "clips": [{"id": "blue", "uri": picture, "source_out_s": 3.0}]}],
        "captions": captions,
        "output": {"fps": FPS, "crf": 0, "preset": "ultrafast", "allow_stream_copy": False},
    }


def _render_frames(
    server: RenderServer, timeline: dict[str, Any], name: str
) -> tuple[dict[str, Any], np.ndarray]:
    async def run() -> dict[str, Any]:
        async with server.session() as client:
            with anyio.fail_after(WAIT_S):
                result = await client.call_tool("render", {"timeline": timeline})
        assert result.structured_content is not None and not result.is_error, result.content
        return result.structured_content

    content = anyio.run(run)
    stored = server.store.materialize(server.scope, content["media"]["uri"], server.media / name)
    raw = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(stored), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return content, np.frombuffer(raw, np.uint8).reshape(-1, HEIGHT, WIDTH, 3).astype(np.int16)


def _preview_frame(server: RenderServer, timeline: dict[str, Any], seconds: float) -> np.ndarray:
    async def run() -> dict[str, Any]:
        async with server.session() as client:
            with anyio.fail_after(WAIT_S):
                result = await client.call_tool(
                    "preview_frames", {"timeline": timeline, "times_s": [seconds]}
                )
        assert result.structured_content is not None and not result.is_error, result.content
        return result.structured_content

    image = anyio.run(run)["frames"][0]["image"]
    png = server.store.materialize(server.scope, image["uri"], server.media / "preview.png")
    raw = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(png), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(HEIGHT, WIDTH, 3).astype(np.int16)


def _frame_at(frames: np.ndarray, seconds: float) -> np.ndarray:
    return frames[round(seconds * FPS)]


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b).max(axis=2) > 0


@pytest.fixture
def picture(render_server: RenderServer) -> str:
    return _blue_video(render_server)


def test_a_caption_changes_the_frame_in_its_region_only_and_a_missing_glyph_is_a_warning(
    render_server: RenderServer, picture: str
) -> None:
    srt = _document(render_server, "talk.srt", SRT, "application/x-subrip")
    style = {"position": "bottom", "margin_x_pct": MARGIN_PCT, "margin_y_pct": MARGIN_PCT, "size_px": 20}
    _, without = _render_frames(render_server, _timeline(picture, []), "plain.mp4")
    content, with_captions = _render_frames(
        render_server, _timeline(picture, [{"id": "subs", "uri": srt, "style": style}]), "captioned.mp4"
    )
    assert len(without) == len(with_captions) == content["frame_count"] == 3 * FPS
    changed = _changed(_frame_at(with_captions, 1.0), _frame_at(without, 1.0))
    rows, columns = np.nonzero(changed)
    assert rows.size > 200  # the text is drawn (accents and CJK included)
    # ... inside the caption's region: the lower half, within the side margins (a pixel of
    # chroma subsampling either side), above the bottom margin.
    margin_x, margin_y = WIDTH * MARGIN_PCT / 100, HEIGHT * MARGIN_PCT / 100
    assert rows.min() >= HEIGHT / 2 and rows.max() <= HEIGHT - margin_y + 2, (rows.min(), rows.max())
    assert columns.min() >= margin_x - 2 and columns.max() <= WIDTH - margin_x + 2, (
        columns.min(),
        columns.max(),
    )
    # No caption at 0.2 s or 1.9 s: the frames are equal there.
    for seconds in (0.2, 1.9):
        assert not _changed(_frame_at(with_captions, seconds), _frame_at(without, seconds)).any(), seconds
    assert _changed(_frame_at(with_captions, 2.4), _frame_at(without, 2.4)).any()
    assert len(content["warnings"]) == 1 and "U+E000" in content["warnings"][0], content["warnings"]
    # preview_frames draws the captions from the same graph: its frame equals the render's.
    preview = _preview_frame(
        render_server, _timeline(picture, [{"id": "subs", "uri": srt, "style": style}]), 1.0
    )
    assert not _changed(preview, _frame_at(with_captions, 1.0)).any()
    assert "U+65E5" not in content["warnings"][0]  # 日: the Noto CJK fallback draws it


def _lit_columns(frame: np.ndarray) -> float:
    """Mean column of the highlight colour's pixels (#FFD400: red and green high, blue low)."""
    red, green, blue = frame[..., 0], frame[..., 1], frame[..., 2]
    _, columns = np.nonzero((red > 200) & (green > 170) & (blue < 90))
    assert columns.size > 20, columns.size
    return float(columns.mean())


def test_the_spoken_word_is_lit_as_it_is_said(render_server: RenderServer, picture: str) -> None:
    vtt = _document(render_server, "talk.vtt", VTT, "text/vtt")
    track = {
        "id": "words",
        "uri": vtt,
        "words": WORDS,
        "style": {"size_px": 28, "highlight_color": "#FFD400"},
    }
    _, frames = _render_frames(render_server, _timeline(picture, [track]), "words.mp4")
    first, second, third = (_frame_at(frames, seconds) for seconds in (0.6, 1.1, 1.6))
    assert _changed(first, second).any() and _changed(second, third).any()
    assert _lit_columns(first) < _lit_columns(second) < _lit_columns(third)
    # Between the words' times the words stay where they are: only the colours move.
    white = [
        ((f[..., 0] > 200) & (f[..., 1] > 200) & (f[..., 2] > 200)).sum() for f in (first, second, third)
    ]
    assert min(white) > 50


def test_a_caption_file_that_is_not_stored_or_not_subtitles_names_its_track(
    render_server: RenderServer, picture: str
) -> None:
    not_subtitles = _document(render_server, "notes.txt", "just some notes", "text/plain")
    gone = "atoms://media/0123456789abcdef0123456789abcdef/gone.srt"
    for uri, code in ((gone, "asset_not_found"), (not_subtitles, "timeline_invalid")):

        async def run(uri: str = uri) -> tuple[bool, dict[str, Any]]:
            async with render_server.session() as client:
                with anyio.fail_after(WAIT_S):
                    result = await client.call_tool(
                        "render", {"timeline": _timeline(picture, [{"id": "subs", "uri": uri}])}
                    )
            assert result.structured_content is not None
            return bool(result.is_error), result.structured_content["error"]

        is_error, content = anyio.run(run)
        assert is_error and content["code"] == code and content["value"] == "subs.uri", content
        assert "caption track subs" in content["message"]
    assert render_server.leftovers() == []
