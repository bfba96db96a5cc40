"""What a render must hold, checked on the file it wrote, and which clip to blame when not.

The plan says how many frames the render should have (``describe``'s count); the rendered MP4
is measured (:mod:`.lengths`) and compared. More than one frame off, or sound and picture of
different lengths, means a source gave fewer frames than its clip asked for: a file damaged or
truncated past what its registration probe saw. Each video-track source is then decoded over
the stretch its clips use, and the first clip short of frames is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

import anyio

from core.errors import MediaError
from core.ffmpeg import pinned_input, run_ffmpeg
from core.media import MediaInfo
from muscles.video.timeline import Track
from muscles.video.timeline.facts import source_out
from muscles.video.video_render.lengths import StreamLengths

__all__ = ["SourceEndedEarly", "length_problem", "short_clip"]

# A source may decode one frame short of its clip (rounding at the source's frame grid).
_SLACK_FRAMES: Final = 1


class SourceEndedEarly(MediaError):
    code = "source_ended_early"
    default_hint = (
        "The source decodes to less than its registration said (damaged or truncated). "
        "Re-export it, end the clip where the source still decodes, or render with "
        "pad_short_sources=true to hold the clip's last good frame (with a warning)."
    )


def length_problem(lengths: StreamLengths, frames: int, fps: float) -> str | None:
    """What is wrong with a render measured as ``lengths`` that should hold ``frames``, or None."""
    frame_s = 1 / fps
    if abs(lengths.video_frames - frames) > _SLACK_FRAMES:
        return (
            f"the render holds {lengths.video_frames} video frames, not the {frames} the timeline describes"
        )
    if lengths.audio_s is not None and abs(lengths.audio_s - lengths.video_s) > frame_s:
        return f"the render's sound lasts {lengths.audio_s:.3f} s and its picture {lengths.video_s:.3f} s"
    return None


async def short_clip(
    track: Track, sources: Mapping[str, Path], facts: Mapping[str, MediaInfo], scratch: Path
) -> tuple[str, str] | None:
    """(clip id, what its source holds) for the first video-track clip whose source gives fewer
    frames than the clip spans, or None when every source decodes in full."""
    for clip in sorted(track.clips, key=lambda clip: clip.start_s):
        found = facts[clip.uri]
        out = source_out(clip, facts)
        if out is None or not found.fps:
            continue
        wanted = round((out - clip.source_in_s) * found.fps)
        decoded = await _decoded_frames(sources[clip.id], found, clip.source_in_s, out, scratch)
        if decoded < wanted - _SLACK_FRAMES:
            held = decoded / found.fps
            return clip.id, (
                f"its source decodes to {decoded} frames ({held:.2f} s) from {clip.source_in_s:g} s "
                f"to {out:g} s, where the clip needs {wanted} ({out - clip.source_in_s:.2f} s)"
            )
    return None


async def _decoded_frames(path: Path, found: MediaInfo, start: float, end: float, scratch: Path) -> int:
    """Video frames that really decode between ``start`` and ``end`` of ``path``."""
    seek = ["-ss", f"{start:.6f}"] if start > 0 else []
    args = [*seek, "-t", f"{end - start:.6f}", *pinned_input(path, found.format_name, value=path.name)]
    await run_ffmpeg([*args, "-map", "0:v:0", "-f", "framecrc", "-y", f"file:{scratch}"])
    listing = anyio.Path(scratch)
    text = await listing.read_text(encoding="utf-8")
    await listing.unlink()
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))
