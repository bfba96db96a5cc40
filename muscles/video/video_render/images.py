"""Stills are not timeline clips (yet): a render says so by the asset's mime type.

Without this, a registered PNG reached the timeline checks and was refused as "not decodable
audio or video", which is false and sends the caller looking for a corrupt file.
"""

from __future__ import annotations

from core.errors import AssetNotFound, InvalidInput
from core.media import BlockingWorkspace
from muscles.video.timeline import Timeline

__all__ = ["ImageNotAccepted", "refuse_images"]


class ImageNotAccepted(InvalidInput):
    code = "image_not_accepted"
    default_hint = (
        "video_render takes video and audio clips only. Turn the image into a video clip first "
        "(for example a still held for a few seconds), or use a tool that takes images."
    )


def refuse_images(workspace: BlockingWorkspace, timeline: Timeline) -> None:
    """Raise ImageNotAccepted for the first clip whose asset is stored as an image."""
    seen: set[str] = set()
    for clip in timeline.clips():
        if clip.uri in seen:
            continue
        seen.add(clip.uri)
        try:
            asset = workspace.describe(clip.uri)
        except (AssetNotFound, InvalidInput):
            continue  # the timeline checks name a missing or malformed uri
        mime = asset.ref.mime_type
        moving = asset.info is not None and asset.info.is_video  # an animated GIF plays
        if mime.startswith("image/") and not moving:
            raise ImageNotAccepted(
                f"clip {clip.id}: images ({mime}) are not accepted by this tool",
                value=f"{clip.id}.uri",
                details={"clip_id": clip.id, "field": "uri", "mime_type": mime},
            )
