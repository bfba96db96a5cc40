"""Pass 1 of a timeline's loudness target: the analysis run.

ffmpeg cannot gain a mix to a loudness it has not heard yet, so a render with a target runs
its graph twice: first with the picture dropped and the mix through loudnorm's meter (nothing
is written), then the render itself, whose one graph gains the mix by what was measured. The
render stays one ffmpeg process with one graph; the analysis is a separate, earlier run.
"""

from __future__ import annotations

from core import Phase
from core.ffmpeg import run_ffmpeg
from muscles.audio.loudness import SilentAudio, parse_report
from muscles.video.video_render.graph import RenderPlan
from muscles.video.video_render.mix import MixPass

__all__ = ["measure_mix"]


async def measure_mix(analysis: RenderPlan, mix: MixPass, phase: Phase) -> tuple[MixPass | None, str | None]:
    """The pass for the render (the mix's measured loudness), or None and a warning when the
    mix is silent and there is nothing to gain."""
    result = await run_ffmpeg(analysis.args, duration_s=analysis.duration_s, on_progress=phase)
    try:
        report = parse_report(result.stderr_tail, uri="timeline mix")
    except SilentAudio:
        return None, "the mix is silent, so its loudness target was not applied"
    return MixPass(mix.target, measured=report.input), None
