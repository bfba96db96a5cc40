"""The media work of each video_360 tool, blocking (it runs on a worker thread): open the
input, check it, remap a picture or every frame of a video, and publish the result."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

import anyio
import anyio.from_thread

from core import Progress
from core.errors import FfmpegFailed, InvalidInput, NoVideoStream
from core.ffmpeg import run_ffmpeg
from core.media import BlockingWorkspace, MediaInfo, MediaRef, OpenedMedia
from muscles.video.frames import (
    ENCODE,
    FACES,
    CubeLayout,
    Frame,
    NoFrames,
    Projector,
    face_size,
    first_frame_decodes,
    from_layout,
    map_video,
)

from .errors import NotACubemap, NotEquirect
from .models import EnginePath, Projected
from .pictures import read_picture, write_png

__all__ = ["MAX_SIDE", "Remap", "check_equirect", "check_size", "cube_face", "project"]

MAX_SIDE: Final = 8192
# Remaps a whole input picture; its index (0 for a still) picks the view along a path.
Remap = Callable[[Projector, int, Frame], Frame]


def check_size(width: int, height: int) -> None:
    for name, value in (("width", width), ("height", height)):
        if not 16 <= value <= MAX_SIDE or value % 2:
            raise InvalidInput(
                f"{name} is {value}; it must be even and within 16..{MAX_SIDE}",
                value=name,
                hint="Ask for an even output size between 16 and 8192 pixels (video encoders need even sizes).",
            )


def check_equirect(info: MediaInfo | None, uri: str, allow_any_aspect: bool) -> None:
    """A 2:1 picture or video, unless the caller said otherwise."""
    if info is None or allow_any_aspect or not info.width or not info.height:
        return
    if info.width != 2 * info.height:
        raise NotEquirect(
            f"the input is {info.width}x{info.height}, not 2:1 equirectangular",
            value=f"{info.width}x{info.height}",
            details={"uri": uri},
        )


def cube_face(info: MediaInfo | None, layout: CubeLayout, uri: str) -> int:
    width, height = (info.width or 0, info.height or 0) if info else (0, 0)
    face = face_size(layout, width, height)
    if face is None:
        raise NotACubemap(
            f"the input is {width}x{height}, which is no {layout} cubemap of square faces",
            value=f"{width}x{height}",
            details={"uri": uri, "layout": layout},
        )
    return face


def project(
    workspace: BlockingWorkspace,
    progress: Progress,
    media: OpenedMedia,
    projector: Projector,
    out_hw: tuple[int, int],
    remap: Remap,
    filename: str | None,
    v360: str | None = None,
    faces_of: tuple[CubeLayout, int] | None = None,
) -> Projected:
    """Remap the picture, or every frame of the video, and publish it (PNG or MP4). ``v360``
    is the filter that remaps a video instead of our frame pipe, when the engine rule chose it;
    ``faces_of`` (a cubemap's layout and face size) also publishes a picture's six faces."""
    if not media.info.has_video:
        raise NoVideoStream("the asset holds no picture", value=media.ref.uri)
    stem = f"{media.stem}-360"
    if media.info.is_still:
        anyio.from_thread.run(progress.report, 0.1, "remapping the picture")
        picture = remap(projector, 0, read_picture(media.path, media.ref.uri))
        name = filename or f"{stem}.png"
        ref = workspace.publish(write_png(picture, workspace.path("out.png")), name)
        faces = _publish_faces(workspace, picture, faces_of, Path(name).stem) if faces_of else []
        return Projected(media=ref, frame_count=1, path=projector.path, faces=faces)
    out = workspace.path("out.mp4")
    if v360 is not None:
        anyio.from_thread.run(_run_v360, media, v360, out, progress)
    else:
        map_video(media, out, out_hw, lambda index, frame: remap(projector, index, frame), progress)
    anyio.from_thread.run(progress.report, 0.96, "registering the MP4")
    stored = workspace.publish_media(out, filename or f"{stem}.mp4")
    assert stored.info is not None
    path: EnginePath = "ffmpeg-v360" if v360 is not None else projector.path
    return Projected(media=stored.ref, frame_count=stored.info.frame_count or 0, path=path)


def _publish_faces(
    workspace: BlockingWorkspace, picture: Frame, faces_of: tuple[CubeLayout, int], stem: str
) -> list[MediaRef]:
    layout, face_w = faces_of
    strip = from_layout(picture, layout, face_w)
    refs = []
    for index, face in enumerate(FACES):
        path = write_png(strip[:, index * face_w : (index + 1) * face_w], workspace.path(f"face-{face}.png"))
        refs.append(workspace.publish(path, f"{stem}-{face}.png"))
    return refs


async def _run_v360(media: OpenedMedia, v360: str, out: Path, progress: Progress) -> None:
    """One ffmpeg: decode, v360, encode with the pipe path's settings, sound as the pipe's."""
    args = [
        *media.input_args,
        *("-map", "0:v:0", "-map", "0:a:0?", "-vf", v360),
        *ENCODE,
        *("-c:a", "aac", "-b:a", "192k", "-y", str(out)),
    ]

    async def encoding(fraction: float, message: str) -> None:
        await progress.report(0.05 + 0.9 * fraction, f"v360: {message}")

    try:
        await run_ffmpeg(args, duration_s=media.info.duration_s, on_progress=encoding)
    except FfmpegFailed as failed:
        # As on the frame pipe, a video with no frame to decode is named as such.
        if not await anyio.to_thread.run_sync(first_frame_decodes, media):
            raise NoFrames(
                "the video decoded to no frames", value=media.ref.uri, details=failed.details
            ) from failed
        raise
