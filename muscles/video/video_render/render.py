"""The render: a checked timeline's inputs opened through the Workspace (hard links on local
storage, downloads elsewhere, each described by the probe recorded at registration), ONE
ffmpeg with one filter graph writing into the workspace's folder with ``-progress``, the MP4
measured against what ``describe`` says it holds (:mod:`.checks`), and only a complete, checked
MP4 published to media_v2. The figures returned are the measured ones. The same body runs
inline (``render``) or as a job (``submit_render``); either way a cancelled render stops ffmpeg
and stores nothing.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from pydantic import BaseModel, Field

from core import MediaRef, Phase, Progress
from core.ffmpeg import run_ffmpeg
from core.media import BlockingWorkspace, MediaInfo, Workspace
from muscles.audio.loudness import measure_file
from muscles.video.fonts import default_font
from muscles.video.timeline import Timeline, check, color_facts, color_of, describe
from muscles.video.video_render.checks import SourceEndedEarly, length_problem, short_clip
from muscles.video.video_render.graph import RenderPlan
from muscles.video.video_render.lengths import StreamLengths, measure_lengths
from muscles.video.video_render.loudness_pass import measure_mix
from muscles.video.video_render.mix import MixPass
from muscles.video.video_render.plan import plan_render
from muscles.video.video_render.subtitles import CaptionCues, read_captions
from muscles.video.video_render.text import draw_overlay, undrawable

__all__ = ["LOUDNESS_TOLERANCE_LU", "RenderedVideo", "render_timeline"]

# How far the stored mix may sit from its loudness target before the result warns.
LOUDNESS_TOLERANCE_LU = 0.5


class RenderedVideo(BaseModel):
    """The registered MP4 and how it was made."""

    media: MediaRef = Field(description="The MP4 in media_v2 (duration, width, height, fps, sha256)")
    frame_count: int = Field(description="Video frames in the file, counted on the stored MP4")
    stream_copy: bool = Field(description="True when the single unchanged clip was copied, not re-encoded")
    warnings: list[str] = Field(
        default_factory=list,
        description="Clips padded because their source ended early, characters no font draws, a missed loudness target",
    )
    loudness_lufs: float | None = Field(
        default=None,
        description="Integrated loudness of the stored MP4's sound, measured (with a loudness target)",
    )


async def render_timeline(
    workspace: Workspace,
    progress: Progress,
    timeline: Timeline,
    filename: str,
    *,
    pad_short_sources: bool = False,
) -> RenderedVideo:
    probing = progress.phase("probing", 0.0, 0.03)
    await probing.report(0.0, "opening inputs")
    sources, facts = await anyio.to_thread.run_sync(_open_inputs, workspace.blocking, timeline)
    luts = await anyio.to_thread.run_sync(_open_luts, workspace.blocking, timeline)
    check(timeline, facts)
    expected = describe(timeline, facts)
    output = workspace.path("out.mp4")
    font = await anyio.to_thread.run_sync(default_font)
    captions = await read_captions(workspace, timeline)
    warnings = await anyio.to_thread.run_sync(glyph_warnings, captions)
    text_warnings: list[str] = []

    async def run_plan(plan: RenderPlan, phase: Phase) -> None:
        for path, text in plan.text_files.items():
            await anyio.Path(path).write_text(text, encoding="utf-8")
        for image, overlay in plan.overlay_images.items():
            drawn = await anyio.to_thread.run_sync(draw_overlay, overlay, image, font)
            text_warnings.extend(warning for warning in drawn if warning not in text_warnings)
        await run_ffmpeg(plan.args, duration_s=plan.duration_s, on_progress=phase)

    mix_pass: MixPass | None = None
    encode_from = 0.03
    if timeline.audio.loudness is not None:
        # Pass 1: the mix measured by a separate analysis run of the same graph, without its
        # picture, overlays or captions (libass's font set-up alone costs a fraction of a second).
        pass_one = MixPass(timeline.audio.loudness)
        analysis = plan_render(
            timeline, sources, facts, output, work_dir=workspace.folder, assets=luts, mix_pass=pass_one
        )
        mix_pass, silent = await measure_mix(analysis, pass_one, progress.phase("measuring", 0.03, 0.25))
        warnings += [silent] if silent else []
        encode_from = 0.25

    async def attempt(
        start: float, end: float, *, pad: bool = False, copy: bool = True
    ) -> tuple[RenderPlan, StreamLengths]:
        """Plan, encode (``start..end`` of the bar) and measure the output (the next 0.02)."""
        plan = plan_render(
            timeline,
            sources,
            facts,
            output,
            work_dir=workspace.folder,
            pad_short=pad,
            allow_copy=copy,
            assets=luts,
            mix_pass=mix_pass,
            captions=captions,
        )
        await run_plan(plan, progress.phase("encoding", start, end))
        checking = progress.phase("checking", end, end + 0.02)
        return plan, await measure_lengths(output, workspace.path("lengths.crc"), checking)

    await probing.report(1.0)
    plan, lengths = await attempt(encode_from, 0.9)
    problem = length_problem(lengths, expected.frame_count, expected.fps)
    if problem is not None and plan.stream_copy:
        # The registration probe cannot tell sound that stops short of the picture: the copy
        # kept it so, and the re-encode pads it to the picture's length.
        plan, lengths = await attempt(0.92, 0.95, copy=False)
        problem = length_problem(lengths, expected.frame_count, expected.fps)
    if problem is not None:
        video = timeline.video_track()
        assert video is not None  # a plan needs one
        culprit = await short_clip(video, sources, facts, workspace.path("decoded.crc"))
        if culprit is None or not pad_short_sources:
            raise _ended_early(problem, culprit)
        clip_id, held = culprit
        warnings.append(f"clip {clip_id} holds its last frame to length: {held}")
        plan, lengths = await attempt(0.92, 0.95, pad=True)
        problem = length_problem(lengths, expected.frame_count, expected.fps)
        if problem is not None:
            raise _ended_early(problem, culprit)
    loudness = None
    if mix_pass is not None:
        measured = await measure_file(
            output, "mov", duration_s=plan.duration_s, phase=progress.phase("measuring", 0.95, 0.97)
        )
        loudness = round(measured.integrated_lufs, 2)
        if abs(loudness - mix_pass.target.integrated_lufs) > LOUDNESS_TOLERANCE_LU:
            warnings.append(
                f"the mix measures {loudness} LUFS, off its target of {mix_pass.target.integrated_lufs:g} LUFS"
            )
    registering = progress.phase("registering", 0.97, 1.0)
    await registering.report(0.0, "storing the MP4")
    media = await workspace.publish(output, filename)
    await registering.report(1.0)
    return RenderedVideo(
        media=media,
        frame_count=lengths.video_frames,
        stream_copy=plan.stream_copy,
        warnings=[*text_warnings, *warnings],
        loudness_lufs=loudness,
    )


def glyph_warnings(captions: list[CaptionCues]) -> list[str]:
    """A warning per caption track naming the characters no installed font draws."""
    warnings = []
    for entry in captions:
        texts = [cue.text for cue in entry.cues] + [word.word for word in entry.track.words]
        missing = undrawable(texts)
        if missing:
            named = ", ".join(f"{char!r} (U+{ord(char):04X})" for char in missing[:20])
            warnings.append(
                f"caption track {entry.track.id}: no installed font draws {named}; they render as boxes or not at all"
            )
    return warnings


def _ended_early(problem: str, culprit: tuple[str, str] | None) -> SourceEndedEarly:
    if culprit is None:
        return SourceEndedEarly(f"{problem}; no source decodes short, so nothing to pad", value="output")
    clip_id, held = culprit
    return SourceEndedEarly(
        f"clip {clip_id}: {held}, so {problem}",
        value=f"{clip_id}.uri",
        details={"clip_id": clip_id, "field": "uri"},
    )


def _open_inputs(
    workspace: BlockingWorkspace, timeline: Timeline
) -> tuple[dict[str, Path], dict[str, MediaInfo]]:
    """Open each distinct asset once and describe it; errors name the clip."""
    opened: dict[str, Path] = {}
    facts: dict[str, MediaInfo] = {}
    sources: dict[str, Path] = {}
    for clip in timeline.clips():
        if color_of(clip.uri) is not None:
            facts[clip.uri] = color_facts()  # made in the graph: nothing to open
            continue
        if clip.uri not in opened:
            media = workspace.open(
                clip.uri, field=f"{clip.id}.uri", subject=f"clip {clip.id}", clip_id=clip.id
            )
            opened[clip.uri], facts[clip.uri] = media.path, media.info
        sources[clip.id] = opened[clip.uri]
    return sources, facts


def _open_luts(workspace: BlockingWorkspace, timeline: Timeline) -> dict[str, Path]:
    """uri -> local file of each LUT the clips or the output name."""
    named = [(f"{clip.id}.grade.lut", clip.grade) for clip in timeline.clips()]
    named.append(("output.grade.lut", timeline.output.grade))
    luts: dict[str, Path] = {}
    for field, grade in named:
        if grade is not None and grade.lut is not None and grade.lut not in luts:
            luts[grade.lut] = workspace.open_document(grade.lut, field=field)
    return luts
