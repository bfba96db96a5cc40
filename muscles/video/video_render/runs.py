"""Which decoder feeds which clip: each source is opened once per forward run of its clips.

A render used to open every clip as its own ffmpeg input, so a timeline of 200 cuts from one
file ran 200 demuxers and decoders (about 20 MB each). Here the clips of one track that read
one source forwards (each starts at or after where the previous one ended in the source) share
one input, seeked to the first clip's in point; the graph splits the decoded stream and trims
each clip out of it. Frames between the clips are decoded and dropped, never queued: a clip
later in the run waits for frames the decoder has not reached yet. A clip that goes back in the
source, or overlaps the previous one, starts a new run (frames it needs would otherwise be held
in memory until its turn). Tracks never share runs: an audio-track clip plays at the same time
as the video track, not after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from core.ffmpeg import pinned_input
from core.media import MediaInfo
from muscles.video.timeline import Clip, Track, color_of
from muscles.video.timeline.facts import source_out
from muscles.video.video_render.curves import number

__all__ = ["SourceRun", "assign_runs"]

# Out and in points closer than this are the same point (float timeline arithmetic).
_SAME_POINT_S: Final = 1e-6


@dataclass
class SourceRun:
    """One ffmpeg input: a source read from ``start_s`` to ``end_s``, shared by its clips."""

    index: int
    uri: str
    path: Path
    format_name: str
    start_s: float
    end_s: float
    value: str  # the first clip's uri field, for errors
    video_outs: list[str] = field(default_factory=list)
    audio_outs: list[str] = field(default_factory=list)
    ends: dict[str, float] = field(default_factory=dict)  # clip id -> its source out point

    def input_args(self) -> list[str]:
        args = ["-ss", number(self.start_s)] if self.start_s > 0 else []
        args += ["-t", number(self.end_s - self.start_s)]
        return args + pinned_input(self.path, self.format_name, value=self.value)

    def take(self, kind: str) -> str:
        """A fresh label on this input's split video (``v``) or audio (``a``) stream."""
        outs = self.video_outs if kind == "v" else self.audio_outs
        outs.append(f"s{self.index}{kind}{len(outs)}")
        return outs[-1]

    def split_chains(self) -> list[str]:
        """The split filters that feed the labels handed out by :meth:`take`."""
        chains = []
        for kind, outs, one, many in (
            ("v", self.video_outs, "null", "split"),
            ("a", self.audio_outs, "anull", "asplit"),
        ):
            if outs:
                head = f"[{self.index}:{kind}:0]" + (one if len(outs) == 1 else f"{many}={len(outs)}")
                chains.append(head + "".join(f"[{label}]" for label in outs))
        return chains

    def offset(self, clip: Clip) -> tuple[float, float]:
        """``clip``'s in and out points on this input's clock (which starts at ``start_s``)."""
        return clip.source_in_s - self.start_s, self.ends[clip.id] - self.start_s


def assign_runs(
    tracks: list[Track], sources: Mapping[str, Path], facts: Mapping[str, MediaInfo]
) -> tuple[list[SourceRun], dict[str, SourceRun]]:
    """The inputs (in ffmpeg's order) and clip id -> its input, for the clips of ``tracks``."""
    runs: list[SourceRun] = []
    of_clip: dict[str, SourceRun] = {}
    for track in tracks:
        open_runs: dict[str, SourceRun] = {}
        for clip in sorted(track.clips, key=lambda clip: clip.start_s):
            if color_of(clip.uri) is not None:
                continue  # made in the graph, no input
            out = source_out(clip, facts)
            assert out is not None  # checked timelines have known out points
            run = open_runs.get(clip.uri)
            if run is None or clip.source_in_s < run.end_s - _SAME_POINT_S:
                run = SourceRun(
                    index=len(runs),
                    uri=clip.uri,
                    path=sources[clip.id],
                    format_name=facts[clip.uri].format_name,
                    start_s=clip.source_in_s,
                    end_s=out,
                    value=f"{clip.id}.uri",
                )
                runs.append(run)
                open_runs[clip.uri] = run
            run.end_s = max(run.end_s, out)
            run.ends[clip.id] = out
            of_clip[clip.id] = run
    return runs, of_clip
