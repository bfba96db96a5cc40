"""Video tracks over the base: each visible layer's clips composited in track order.

Every layer clip's picture (cut to its frames, placed by :mod:`.transform`) is shifted to its
start on the timeline and laid over the picture so far by one ``overlay`` that lets the
picture below pass before the clip starts and after it ends. The base is first held to the
render's length (black after its last clip), so a layer may outlast it. A hidden base track
still sets the timing, in black.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from muscles.video.timeline import Track
from muscles.video.video_render.picture import clip_picture

if TYPE_CHECKING:
    from muscles.video.video_render.graph import GraphBuilder

__all__ = ["composite_layers", "layer_sound_tracks"]


def composite_layers(builder: GraphBuilder, base: str, track: Track, total_frames: int) -> str:
    """``base`` (the base track's picture) with every visible layer over it."""
    layers = [layer for layer in builder.timeline.layer_tracks() if not layer.hidden and layer.clips]
    if not layers and not track.hidden:
        return base
    steps = []
    base_frames = max(builder.frames_of(clip)[1] for clip in track.clips)
    if total_frames > base_frames:
        steps.append(f"tpad=stop_mode=add:stop={total_frames - base_frames}:color=black")
    if track.hidden:
        steps.append("drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill")
    picture = builder.label("L")
    builder.chains.append(f"[{base}]" + ",".join([*steps, "null"]) + f"[{picture}]")
    for layer in layers:
        for clip in sorted(layer.clips, key=lambda clip: clip.start_s):
            start, end = builder.frames_of(clip)
            inset, where = clip_picture(builder, clip, end - start, layer=True)
            assert where is not None  # a layer's clip is always placed
            shifted, over = builder.label("ls"), builder.label("L")
            rate = builder.fmt.rate
            delay = f"{start}/(({rate.numerator}/{rate.denominator})*TB)"
            builder.chains.append(f"[{inset}]setpts=PTS+{delay}[{shifted}]")
            builder.chains.append(
                f"[{picture}][{shifted}]overlay=x='{where.x}':y='{where.y}':eof_action=pass,format=yuv420p[{over}]"
            )
            picture = over
    return picture


def layer_sound_tracks(builder: GraphBuilder) -> list[Track]:
    """The layers' sound as audio tracks: clips with sound on unmuted layers."""
    tracks = []
    for layer in builder.timeline.layer_tracks():
        clips = [clip for clip in layer.clips if builder.facts[clip.uri].has_audio]
        if clips and not layer.muted:
            tracks.append(layer.model_copy(update={"kind": "audio", "clips": clips}))
    return tracks
