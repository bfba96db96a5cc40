"""A still is a clip only with a duration: a render says so by the asset's mime type.

Without this, a registered PNG without ``duration_s`` reached the timeline checks and was
refused as "not decodable audio or video", which is false and sends the caller looking for a
corrupt file.
"""

from __future__ import annotations

from core.errors import AssetNotFound, InvalidInput
from core.media import BlockingWorkspace
from muscles.video.timeline import Timeline, color_of

__all__ = ["ImageNotAccepted", "refuse_images"]


class ImageNotAccepted(InvalidInput):
    code = "image_not_accepted"
    default_hint = (
        "A still image is a clip on a video track with duration_s (seconds it stays on screen); "
        "audio tracks take sound only."
    )


def refuse_images(workspace: BlockingWorkspace, timeline: Timeline) -> None:
    """Raise ImageNotAccepted for the first still clip without a duration or on an audio track."""
    for track in timeline.tracks:
        for clip in track.clips:
            if clip.duration_s is None or track.kind == "audio":
                _refuse_image(workspace, clip.id, clip.uri)


def _refuse_image(workspace: BlockingWorkspace, clip_id: str, uri: str) -> None:
    if color_of(uri) is not None:
        return
    try:
        asset = workspace.describe(uri)
    except (AssetNotFound, InvalidInput):
        return  # the timeline checks name a missing or malformed uri
    mime = asset.ref.mime_type
    moving = asset.info is not None and asset.info.is_video  # an animated GIF plays
    if mime.startswith("image/") and not moving:
        raise ImageNotAccepted(
            f"clip {clip_id}: an image ({mime}) plays only as a video-track clip with duration_s",
            value=f"{clip_id}.duration_s",
            details={"clip_id": clip_id, "field": "duration_s", "mime_type": mime},
        )
