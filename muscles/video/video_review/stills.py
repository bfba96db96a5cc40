"""ffmpeg arguments for pictures of a video: one frame, or a grid of frames with timecodes.

Each frame is its own input seeked to it (:func:`.timing.one_frame_input`), so a contact
sheet of a long video decodes a few frames around each time instead of the whole file; the
frames are scaled into equal tiles, stamped with their time, concatenated and laid out by
``tile`` in one filter graph. Pictures are RGB (PNG, or JPEG at quality 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from core.media import OpenedMedia

from .timing import drawn_timecode, frame_time, one_frame_input

__all__ = ["ImageFormat", "SheetLayout", "sheet_args", "thumbnail_args"]

ImageFormat = Literal["png", "jpeg"]
_ENCODER: Final = {"png": ("-c:v", "png"), "jpeg": ("-c:v", "mjpeg", "-q:v", "2")}
_PIXELS: Final = {"png": "rgb24", "jpeg": "yuvj444p"}


@dataclass(frozen=True)
class SheetLayout:
    rows: int
    cols: int
    tile_width: int
    tile_height: int
    padding: int
    font_size: int

    @staticmethod
    def of(rows: int, cols: int, tile_width: int, width: int, height: int) -> SheetLayout:
        tile_height = max(2, round(tile_width * height / width))
        # The timecode (12 characters) takes about half the tile's width, readable down to 9 pixels.
        font_size = max(9, min(tile_height // 4, tile_width // 16))
        return SheetLayout(rows, cols, tile_width, tile_height, 4, font_size)

    @property
    def size(self) -> tuple[int, int]:
        """The sheet's width and height: tiles, the padding between them and the margin."""
        return (
            self.cols * self.tile_width + (self.cols + 1) * self.padding,
            self.rows * self.tile_height + (self.rows + 1) * self.padding,
        )


def thumbnail_args(
    media: OpenedMedia, frame: int, fps: float, width: int | None, image: ImageFormat, out: Path
) -> list[str]:
    steps = ["setsar=1"] if width is None else [f"scale={width}:-2:flags=bicubic", "setsar=1"]
    steps.append(f"format={_PIXELS[image]}")
    return [
        *one_frame_input(media, frame, fps),
        *("-map", "0:v:0", "-vf", ",".join(steps), "-frames:v", "1"),
        *_image_output(image, out),
    ]


def sheet_args(
    media: OpenedMedia,
    frames: Sequence[int],
    fps: float,
    layout: SheetLayout,
    image: ImageFormat,
    out: Path,
    font_file: str | None,
) -> list[str]:
    inputs: list[str] = []
    chains: list[str] = []
    width, height = layout.tile_width, layout.tile_height
    for index, frame in enumerate(frames):
        inputs += one_frame_input(media, frame, fps)
        steps = [
            "trim=end_frame=1",
            "setpts=PTS-STARTPTS",
            "format=rgb24",
            f"scale={width}:{height}:force_original_aspect_ratio=decrease:flags=bicubic",
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black",
            "setsar=1",
            drawn_timecode(frame_time(frame, fps), layout.font_size, font_file),
        ]
        chains.append(f"[{index}:v:0]" + ",".join(steps) + f"[t{index}]")
    tiles = "".join(f"[t{index}]" for index in range(len(frames)))
    grid = f"tile={layout.cols}x{layout.rows}:padding={layout.padding}:margin={layout.padding}:color=0x202020"
    chains.append(f"{tiles}concat=n={len(frames)}:v=1:a=0,{grid},format={_PIXELS[image]}[sheet]")
    return [
        *inputs,
        *("-filter_complex", ";".join(chains), "-map", "[sheet]", "-frames:v", "1"),
        *_image_output(image, out),
    ]


def _image_output(image: ImageFormat, out: Path) -> list[str]:
    return [
        *_ENCODER[image],
        "-fflags",
        "+bitexact",
        "-map_metadata",
        "-1",
        "-f",
        "image2",
        "-y",
        f"file:{out}",
    ]
