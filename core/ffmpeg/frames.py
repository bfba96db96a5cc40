"""Raw frames through ffmpeg: decode a video into numpy frames, encode numpy frames into a file.

For muscles whose work is on pixels (optical flow, 360 remapping, marker tracking, rendering)
rather than in an ffmpeg filter. Frames are ``H x W x 3`` ``uint8`` RGB arrays.

Both ends run ffmpeg like the runners in :mod:`core.ffmpeg.runner` do: inputs hardened to the
one file they name, their own process group (stopped with everything it started on cancel,
error or an early ``close``), stderr drained into a bounded tail so no pipe can stall, ffmpeg's
CPU time added to the call's usage meter, and failures as :class:`core.errors.FfmpegFailed`
with the server's paths cut from the message. There is no ``-progress`` stream: the caller
counts frames, which is the better measure of work done on pixels.

:class:`FrameWriter` writes to a hidden temporary file beside the output and renames it into
place only when ffmpeg exited cleanly, so a cancelled or failed encode leaves nothing behind.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Final, Self

import numpy as np
import numpy.typing as npt

from core.errors import ContractViolation
from core.ffmpeg._inputs import file_url, harden_inputs
from core.ffmpeg.runner import (
    FfmpegResult,
    _finish,
    _pump_tail,
    _start_failed,
    _stop_group_sync,
    ffmpeg_binary,
)

__all__ = ["DETERMINISTIC_H264", "H264", "Frame", "FrameReader", "FrameWriter", "read_frames"]

Frame = npt.NDArray[np.uint8]

_TAIL_LINES: Final = 40
# Visually lossless for review and further editing; yuv420p so every player opens it.
H264: Final = ("-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p")
# Same bytes for the same frames on every run: one encoding thread, no encoder or muxer
# version strings, no creation time.
DETERMINISTIC_H264: Final = (
    *H264,
    "-threads",
    "1",
    "-x264-params",
    "threads=1",
    "-flags:v",
    "+bitexact",
    "-fflags",
    "+bitexact",
    "-map_metadata",
    "-1",
)


def _head(binary: str | None) -> list[str]:
    # stdin stays open for the writer; -nostdin is given by the reader only.
    return [binary or ffmpeg_binary(), "-hide_banner", "-nostats", "-benchmark"]


class _Process:
    """One ffmpeg child in its own process group, its stderr drained into a bounded tail."""

    def __init__(self, argv: list[str], *, stdin: int | None, stdout: int | None) -> None:
        self.argv = argv
        self.tail: deque[str] = deque(maxlen=_TAIL_LINES)
        self.started = time.monotonic()
        try:
            self.popen = subprocess.Popen(
                argv, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, start_new_session=True
            )
        except OSError as exc:
            raise _start_failed(argv, exc) from exc
        assert self.popen.stderr is not None
        self._drain = threading.Thread(target=_pump_tail, args=(self.popen.stderr, self.tail), daemon=True)
        self._drain.start()

    def finish(self) -> FfmpegResult:
        """Wait for a clean exit; FfmpegFailed (with ffmpeg's words) for any other."""
        returncode = self.popen.wait()
        self._drain.join()
        self._close_pipes()
        return _finish(self.argv, returncode, self.tail, self.started)

    def kill(self) -> None:
        """Stop the whole group (SIGTERM, then SIGKILL) and reap it."""
        _stop_group_sync(self.popen)
        self._drain.join()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


def _cancelled() -> concurrent.futures.CancelledError:
    return concurrent.futures.CancelledError("ffmpeg frame pipe cancelled")


class FrameReader:
    """The frames of a video, decoded by ffmpeg and scaled to ``width`` x ``height``.

    Iterate it (once) inside a ``with`` block; leaving the block early stops ffmpeg. ``fps``
    resamples the frame rate (ffmpeg's ``fps`` filter: frames dropped or repeated, never
    blended); ``start_s`` and ``duration_s`` cut the range before decoding work is done.
    """

    def __init__(
        self,
        path: Path,
        *,
        width: int,
        height: int,
        fps: float | None = None,
        start_s: float | None = None,
        duration_s: float | None = None,
        input_args: Sequence[str] = (),
        should_cancel: Callable[[], bool] | None = None,
        binary: str | None = None,
    ) -> None:
        if width <= 0 or height <= 0:
            raise ContractViolation(
                f"frame size must be positive, got {width}x{height}", value=[width, height]
            )
        self.width = width
        self.height = height
        self.fps = fps
        self.frames_read = 0
        self._frame_bytes = width * height * 3
        self._should_cancel = should_cancel
        seek = ["-ss", f"{start_s:.6f}"] if start_s else []
        span = ["-t", f"{duration_s:.6f}"] if duration_s is not None else []
        filters = ([f"fps={fps:.6f}"] if fps else []) + [f"scale={width}:{height}:flags=bicubic"]
        args = [
            *seek,
            *input_args,
            "-i",
            str(path),
            *span,
            "-map",
            "0:v:0",
            "-vf",
            ",".join(filters),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "pipe:1",
        ]
        self._process = _Process(
            [*_head(binary), "-nostdin", *harden_inputs(args)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
        )
        self._done = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None and self._done:
            return
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        stdout = self._process.popen.stdout
        assert stdout is not None
        while True:
            if self._should_cancel is not None and self._should_cancel():
                self.close()
                raise _cancelled()
            frame = _read_exactly(stdout, self._frame_bytes)
            if frame is None:
                break
            self.frames_read += 1
            yield np.frombuffer(frame, dtype=np.uint8).reshape(self.height, self.width, 3)
        self._done = True
        self._process.finish()

    def close(self) -> None:
        """Stop ffmpeg if it still runs (idempotent)."""
        if not self._done:
            self._done = True
            self._process.kill()


# The verb reads better at call sites: ``with read_frames(path, width=w, height=h) as frames``.
read_frames = FrameReader


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    """``size`` bytes, or None at the end of the stream (a partial last frame is dropped)."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = stream.readinto(view[got:])  # type: ignore[attr-defined]
        if not count:
            return None
        got += count
    return bytes(buffer)


class FrameWriter:
    """Encode frames into ``out_path``; the file appears only when the encode succeeded.

    ``audio_from`` adds the first audio stream of that file (cut by ``audio_start_s`` /
    ``audio_duration_s``, filtered by ``audio_filter``, encoded as AAC); a source without
    audio gives a video without audio, not an error. ``video_args`` are the encoder options
    (:data:`H264` by default, :data:`DETERMINISTIC_H264` for byte-identical reruns).
    """

    def __init__(
        self,
        out_path: Path,
        *,
        width: int,
        height: int,
        fps: float | str,
        audio_from: Path | None = None,
        audio_start_s: float | None = None,
        audio_duration_s: float | None = None,
        audio_filter: str | None = None,
        audio_input_args: Sequence[str] = (),
        video_args: Sequence[str] = H264,
        output_args: Sequence[str] = (),
        should_cancel: Callable[[], bool] | None = None,
        binary: str | None = None,
    ) -> None:
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ContractViolation(
                f"frame size must be positive and even for yuv420p, got {width}x{height}",
                value=[width, height],
            )
        self.out_path = out_path
        self.width = width
        self.height = height
        self.frames_written = 0
        self._should_cancel = should_cancel
        self._temp = out_path.with_name(
            f".{out_path.name}.{os.getpid()}.{id(self):x}.partial{out_path.suffix}"
        )
        raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", str(fps)]
        audio: list[str] = []
        if audio_from is not None:
            seek = ["-ss", f"{audio_start_s:.6f}"] if audio_start_s else []
            span = ["-t", f"{audio_duration_s:.6f}"] if audio_duration_s is not None else []
            shaped = ["-af", audio_filter] if audio_filter else []
            audio = [*seek, *span, *audio_input_args, "-i", str(audio_from)]
            maps = ["-map", "0:v:0", "-map", "1:a:0?", *shaped, "-c:a", "aac", "-b:a", "192k"]
        else:
            maps = ["-map", "0:v:0"]
        # The raw stdin input is ours, not stored media: it bypasses harden_inputs, which
        # only sees the inputs after it.
        argv = [
            *_head(binary),
            *raw,
            "-protocol_whitelist",
            "pipe",
            "-i",
            "pipe:0",
            *harden_inputs([*audio, *maps, *video_args, *output_args, "-y", file_url(self._temp)]),
        ]
        self._process = _Process(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, frame: Frame) -> None:
        """Send one ``height x width x 3`` uint8 frame to the encoder."""
        if self._should_cancel is not None and self._should_cancel():
            self.abort()
            raise _cancelled()
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            self.abort()
            raise ContractViolation(
                f"frame {self.frames_written} is {frame.shape} {frame.dtype}, "
                f"expected ({self.height}, {self.width}, 3) uint8",
                value=list(frame.shape),
            )
        stdin = self._process.popen.stdin
        assert stdin is not None
        try:
            stdin.write(np.ascontiguousarray(frame).tobytes())
        except BrokenPipeError:
            # ffmpeg quit early: its exit status and stderr say why.
            self._fail()
        self.frames_written += 1

    def close(self) -> FfmpegResult:
        """Finish the encode and move the file into place."""
        if self._closed:
            raise ContractViolation("FrameWriter closed twice", value=str(self.out_path.name))
        stdin = self._process.popen.stdin
        assert stdin is not None
        try:
            stdin.close()
        except BrokenPipeError:
            self._fail()
        try:
            result = self._process.finish()
        except BaseException:
            self._discard()
            raise
        self._closed = True
        os.replace(self._temp, self.out_path)
        return result

    def abort(self) -> None:
        """Stop ffmpeg and remove the partial file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._process.kill()
        self._discard()

    def _fail(self) -> None:
        self._closed = True
        try:
            self._process.finish()
        finally:
            self._discard()
        # A zero exit that closed its stdin early still lost frames.
        raise ContractViolation(
            "ffmpeg stopped reading frames before the last one", value=self.frames_written
        )

    def _discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._temp.unlink()
