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

The cutting is ``segment``/``asegment`` (one filter per stream and run, splitting at the clips'
in points, sample-exact for sound; each clip's chain trims at its out point), not a ``split``
into one ``trim`` per clip: with a
split every decoded frame visits every clip's trim, and ffmpeg's scheduler scans the whole
graph for each filter it runs, so a 1,000-clip render cost time quadratic in its clips.
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
    clips: list[tuple[str, float, float]] = field(default_factory=list)  # id, in, out (source clock)
    used: set[str] = field(default_factory=set)  # "v" and/or "a": the streams the graph takes
    # Filters every clip of the run needs (rate, size, sample format), run once before the cut
    # instead of once per clip: ffmpeg's scheduler pays for every filter in the graph.
    video_prelude: list[str] = field(default_factory=list)
    audio_prelude: list[str] = field(default_factory=list)

    def input_args(self) -> list[str]:
        args = ["-ss", number(self.start_s)] if self.start_s > 0 else []
        args += ["-t", number(self.end_s - self.start_s)]
        return args + pinned_input(self.path, self.format_name, value=self.value)

    def take(self, kind: str, clip: Clip) -> str:
        """The label of ``clip``'s cut of this input's video (``v``) or audio (``a``) stream."""
        self.used.add(kind)
        position = next(n for n, (clip_id, _, _) in enumerate(self.clips) if clip_id == clip.id)
        return f"s{self.index}{kind}{position}"

    def end_of(self, clip: Clip) -> float:
        """``clip``'s out point on this input's clock (which starts at ``start_s``)."""
        return next(out for clip_id, _, out in self.clips if clip_id == clip.id) - self.start_s

    def split_chains(self) -> list[str]:
        """The ``segment``/``asegment`` filters that cut the labels :meth:`take` handed out.

        Each clip's piece runs from its in point to the next clip's (the last to the input's
        end), so no piece goes unplayed; the clip's own chain trims it at its out point. (Pieces
        nobody plays would need null sinks, and a null sink asks for frames all the time: the
        decoder would race ahead and every later clip's frames would pile up in memory.)
        """
        points = "|".join(number(clip_in - self.start_s) for _, clip_in, _ in self.clips[1:])
        chains = []
        for kind, cutter in (("v", "segment"), ("a", "asegment")):
            if kind not in self.used:
                continue
            outs = "".join(f"[s{self.index}{kind}{position}]" for position in range(len(self.clips)))
            prelude = self.video_prelude if kind == "v" else self.audio_prelude
            cut = f"{cutter}=timestamps={points}" if points else ("null" if kind == "v" else "anull")
            chains.append(f"[{self.index}:{kind}:0]" + ",".join([*prelude, cut]) + outs)
        return chains


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
            run.clips.append((clip.id, clip.source_in_s, out))
            of_clip[clip.id] = run
    return runs, of_clip
