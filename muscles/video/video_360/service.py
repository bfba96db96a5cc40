"""video_360: "The Sphere": 360 pictures and videos to flat views, cubemaps and back."""

from __future__ import annotations

from typing import Literal

import anyio

from core import CanvasTool, Muscle, Progress, tool
from core.errors import (
    AssetNotFound,
    FfmpegFailed,
    InvalidIdentifier,
    InvalidInput,
    MediaUnreadable,
    NotMedia,
    NoVideoStream,
)
from core.jobs import JobCancelled
from core.media import Workspace, validate_filename
from muscles.video.frames import CubeLayout, Interpolation, Projector, layout_size
from muscles.video.timeline import AutomationInvalid

from .engine import choose_v360, v360_filter
from .errors import NoFrames, NotACubemap, NotEquirect, ViewOutOfRange
from .examples import CUBEMAP, JOB_EXAMPLES, PERSPECTIVE, REFRAME, TO_EQUIRECT
from .models import CameraPath, Projected, ViewArgs, check_view
from .work import check_equirect, check_size, cube_face, project

_ERRORS = [
    AssetNotFound,
    InvalidIdentifier,
    InvalidInput,
    NotMedia,
    MediaUnreadable,
    NoVideoStream,
    NotEquirect,
    NotACubemap,
    ViewOutOfRange,
    NoFrames,
    AutomationInvalid,
    FfmpegFailed,
    JobCancelled,
]


class Video360(Muscle):
    """Turns 360 (equirectangular) pictures and videos into flat views and cubemaps, and back.

    Use it to look through a 360 picture or video with a normal camera (a yaw, pitch, roll and
    field of view), to move that camera along keyframes through a 360 video ("reframe"), to
    cut a 360 picture into the six faces of a cube, or to turn a cubemap or a flat view back
    into an equirectangular picture. Pictures give PNGs, videos MP4s with their sound kept.
    Remap tables are built once per view and size and reused; pixels are remapped with OpenCV,
    or with torch on a GPU when the gpu extra is installed (each result says which ran).
    Angles follow py360convert: positive yaw looks right, positive pitch looks up.
    """

    version = "1.1.0"
    capabilities = ("cap.video.sphere.project", "cap.video.sphere.reframe")
    canvas_tools = (
        CanvasTool(id="sphere_view", icon="globe", type="panel_pop", tool="perspective", action="Flat view"),
        CanvasTool(
            id="sphere_reframe", icon="camera_path", type="panel_pop", tool="reframe", action="Reframe 360"
        ),
    )
    job_examples = JOB_EXAMPLES

    async def check_perspective(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        view: ViewArgs | None = None,
        width: int = 1280,
        height: int = 720,
        interpolation: Interpolation = "bilinear",
        allow_any_aspect: bool = False,
        filename: str | None = None,
    ) -> None:
        """Refuse a call that cannot work before any (job) work starts."""
        check_view((view or ViewArgs()).view())
        check_size(width, height)
        _check_filename(filename)
        found = await workspace.describe(uri)
        check_equirect(found.info, uri, allow_any_aspect)

    @tool(examples=[PERSPECTIVE], errors=_ERRORS, job=True, check=check_perspective, idempotent=True)
    async def perspective(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        view: ViewArgs | None = None,
        width: int = 1280,
        height: int = 720,
        interpolation: Interpolation = "bilinear",
        allow_any_aspect: bool = False,
        filename: str | None = None,
    ) -> Projected:
        """A flat (perspective) view of a 360 picture or video.

        `uri` is an equirectangular picture or video in media_v2 (2:1; other sizes are refused
        unless `allow_any_aspect`). `view` is where the camera looks (yaw, pitch, roll in degrees;
        h_fov and v_fov 1..170). `width` x `height` is the output size (even, 16..8192).
        `interpolation` is bilinear, bicubic or nearest. A picture gives a PNG, a video an MP4
        of the same frame rate and frame count, its sound copied. Also offered as
        `submit_perspective`, a job, for long videos."""
        await self.check_perspective(
            uri, workspace, progress, view, width, height, interpolation, allow_any_aspect, filename
        )
        fixed = (view or ViewArgs()).view()
        media = await workspace.open(uri, need="any")
        projector = Projector(interpolation=interpolation)
        v360 = (
            v360_filter(fixed, (height, width), interpolation)
            if choose_v360(projector.path, media.info)
            else None
        )
        return await anyio.to_thread.run_sync(
            lambda: project(
                workspace.blocking,
                progress,
                media,
                projector,
                (height, width),
                lambda projector, _, frame: projector.perspective(frame, fixed, (height, width)),
                filename,
                v360,
            )
        )

    async def check_reframe(
        self,
        uri: str,
        camera: CameraPath,
        workspace: Workspace,
        progress: Progress,
        width: int = 1280,
        height: int = 720,
        interpolation: Interpolation = "bilinear",
        allow_any_aspect: bool = False,
        filename: str | None = None,
    ) -> None:
        """Refuse a call that cannot work before any (job) work starts."""
        camera.check()
        for index, key_view in enumerate(camera.views()):
            check_view(key_view, where=f"camera key {index}")
        check_size(width, height)
        _check_filename(filename)
        found = await workspace.describe(uri)
        check_equirect(found.info, uri, allow_any_aspect)

    @tool(examples=[REFRAME], errors=_ERRORS, job=True, check=check_reframe, idempotent=True)
    async def reframe(
        self,
        uri: str,
        camera: CameraPath,
        workspace: Workspace,
        progress: Progress,
        width: int = 1280,
        height: int = 720,
        interpolation: Interpolation = "bilinear",
        allow_any_aspect: bool = False,
        filename: str | None = None,
    ) -> Projected:
        """A flat video that moves through a 360 video along a keyframed camera path.

        `camera` holds keyframes per parameter (yaw, pitch, roll, h_fov, v_fov), each
        `{time_s, value, interpolation}` as in video_timeline (linear, hold or ease_in_out to
        the next key; seconds from the video's start); the view is interpolated for every
        frame. The output keeps the input's frame rate, frame count and sound. Also offered
        as `submit_reframe`, a job, for videos longer than a call may last."""
        await self.check_reframe(
            uri, camera, workspace, progress, width, height, interpolation, allow_any_aspect, filename
        )
        media = await workspace.open(uri, need="video")
        fps = media.info.fps or 25.0
        return await anyio.to_thread.run_sync(
            lambda: project(
                workspace.blocking,
                progress,
                media,
                Projector(interpolation=interpolation),
                (height, width),
                lambda projector, index, frame: projector.perspective(
                    frame, camera.at(index / fps), (height, width)
                ),
                filename,
            )
        )

    async def check_cubemap(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        face_size: int = 512,
        layout: CubeLayout = "dice",
        interpolation: Interpolation = "bilinear",
        allow_any_aspect: bool = False,
        filename: str | None = None,
        separate_faces: bool = False,
    ) -> None:
        """Refuse a call that cannot work before any (job) work starts."""
        check_size(face_size, face_size)
        _check_filename(filename)
        found = await workspace.describe(uri)
        check_equirect(found.info, uri, allow_any_aspect)
        if separate_faces and found.info is not None and not found.info.is_still:
            raise InvalidInput(
                "separate_faces is for pictures; a video's faces stay in one laid-out video",
                value="separate_faces",
                hint="Leave separate_faces unset for a video, or send a picture.",
            )

    @tool(examples=[CUBEMAP], errors=_ERRORS, job=True, check=check_cubemap, idempotent=True)
    async def cubemap(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        face_size: int = 512,
        layout: CubeLayout = "dice",
        interpolation: Interpolation = "bilinear",
        allow_any_aspect: bool = False,
        filename: str | None = None,
        separate_faces: bool = False,
    ) -> Projected:
        """The six cube faces of a 360 picture or video, in one picture.

        `face_size` is each face's side in pixels (even, 16..8192). `layout` places the faces
        (F front, R right, B back, L left, U up, D down): `horizon` is F R B L U D in a row,
        `dice` the cross (U above F; L F R B across; D below F), `3x2` F R B over L U D.
        A picture gives a PNG, a video an MP4; `separate_faces` (pictures only) also stores
        each face as its own PNG (`faces`, F R B L U D). Also offered as `submit_cubemap`, a job."""
        await self.check_cubemap(
            uri,
            workspace,
            progress,
            face_size,
            layout,
            interpolation,
            allow_any_aspect,
            filename,
            separate_faces,
        )
        media = await workspace.open(uri, need="any")
        width, height = layout_size(layout, face_size)
        return await anyio.to_thread.run_sync(
            lambda: project(
                workspace.blocking,
                progress,
                media,
                Projector(interpolation=interpolation),
                (height, width),
                lambda projector, _, frame: projector.cubemap(frame, face_size, layout),
                filename,
                faces_of=(layout, face_size) if separate_faces else None,
            )
        )

    async def check_to_equirect(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        source: Literal["cubemap", "perspective"] = "cubemap",
        layout: CubeLayout = "dice",
        view: ViewArgs | None = None,
        width: int = 2048,
        height: int = 1024,
        interpolation: Interpolation = "bilinear",
        filename: str | None = None,
    ) -> None:
        """Refuse a call that cannot work before any (job) work starts."""
        check_view((view or ViewArgs()).view())
        check_size(width, height)
        if width != 2 * height:
            raise NotEquirect(
                f"an equirectangular output must be 2:1, not {width}x{height}",
                value=f"{width}x{height}",
                hint="Ask for width = 2 x height (e.g. 2048x1024).",
            )
        _check_filename(filename)
        found = await workspace.describe(uri)
        if source == "cubemap":
            cube_face(found.info, layout, uri)

    @tool(examples=[TO_EQUIRECT], errors=_ERRORS, job=True, check=check_to_equirect, idempotent=True)
    async def to_equirect(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        source: Literal["cubemap", "perspective"] = "cubemap",
        layout: CubeLayout = "dice",
        view: ViewArgs | None = None,
        width: int = 2048,
        height: int = 1024,
        interpolation: Interpolation = "bilinear",
        filename: str | None = None,
    ) -> Projected:
        """An equirectangular picture or video from a cubemap or from a flat view.

        `source` says what `uri` holds: a `cubemap` in `layout` (as `cubemap` makes them), or a
        `perspective` view taken where `view` looked (it lands there; the rest of the sphere is
        black). `width` x `height` is the output size, 2:1. A picture gives a PNG, a video an
        MP4. Also offered as `submit_to_equirect`, a job."""
        await self.check_to_equirect(
            uri, workspace, progress, source, layout, view, width, height, interpolation, filename
        )
        media = await workspace.open(uri, need="any")
        out_hw = (height, width)
        if source == "cubemap":
            face = cube_face(media.info, layout, uri)
            remap = lambda projector, _, frame: projector.equirect_from_cubemap(frame, face, layout, out_hw)  # noqa: E731
        else:
            looked = (view or ViewArgs()).view()
            remap = lambda projector, _, frame: projector.equirect_from_perspective(frame, looked, out_hw)  # noqa: E731
        return await anyio.to_thread.run_sync(
            lambda: project(
                workspace.blocking,
                progress,
                media,
                Projector(interpolation=interpolation),
                out_hw,
                remap,
                filename,
            )
        )


def _check_filename(filename: str | None) -> None:
    if filename is not None:
        validate_filename(filename)
