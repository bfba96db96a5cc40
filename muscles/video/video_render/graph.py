"""The filter graph of a render: ONE ffmpeg command with ONE filter graph (no intermediate files).

Each source is one input per forward run of its clips (:mod:`.runs`), seeked with
``-ss``/``-t`` to the stretch they use, so the decoders a render opens are bounded by its
sources, not its clips; the graph cuts each decoded stream into its clips with ``segment``.
Each clip's picture is then re-timed (speed), set to the output rate, fitted to the output
size (letterboxed) and cut to an exact frame count; its sound is re-timed (atempo),
resampled and cut to the matching sample count. Neighbours on the video track are joined by
one ``concat`` per stretch without crossfades or, where a crossfade joins two, ``xfade`` and
``acrossfade``; text is drawn beforehand into an image per overlay (:mod:`.text`, with a font
per character where one font cannot draw them all) and laid over the picture with
``overlay``; audio-track clips are delayed into place to the sample and mixed with ``amix``.
All picture timing is done in whole output frames, so the render has exactly
``round(duration * fps)`` frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Final

from core.ffmpeg import pinned_input
from core.media import MediaInfo
from muscles.video.timeline import (
    Clip,
    ColorGrade,
    Crossfade,
    TextOverlay,
    Timeline,
    Track,
    clip_end,
    frame_count,
)
from muscles.video.video_render.captions import ass_filter, caption_sheet
from muscles.video.video_render.colour import grade_steps
from muscles.video.video_render.curves import lane_expression, number
from muscles.video.video_render.layers import composite_layers, layer_sound_tracks
from muscles.video.video_render.mix import MixPass, clip_sound_steps, duck_steps, master_steps
from muscles.video.video_render.picture import clip_picture, is_placed, sound_fades
from muscles.video.video_render.runs import SourceRun, assign_runs
from muscles.video.video_render.subtitles import CaptionCues

__all__ = ["DETERMINISTIC_ARGS", "GraphBuilder", "OutputFormat", "RenderPlan"]

# Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN): a graph longer than this
# (hundreds of clips) goes to ffmpeg as a script file instead.
_INLINE_GRAPH_MAX: Final = 32 * 1024
_Y_POSITION: Final = {
    "top": "main_h/12",
    "center": "(main_h-overlay_h)/2",
    "bottom": "main_h-overlay_h-main_h/12",
}
# bit-exact muxing and no copied metadata: the same timeline always gives the same bytes.
DETERMINISTIC_ARGS: Final = (
    *("-map_metadata", "-1", "-map_chapters", "-1"),
    *("-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"),
)


@dataclass(frozen=True)
class RenderPlan:
    """The ffmpeg arguments (after the binary) and what the output will be."""

    args: list[str]
    duration_s: float
    frame_count: int
    width: int
    height: int
    fps: float
    stream_copy: bool
    decoders: int = 1  # ffmpeg inputs the command opens
    text_files: dict[Path, str] = field(default_factory=dict)
    overlay_images: dict[Path, TextOverlay] = field(default_factory=dict)  # to draw before the run


@dataclass(frozen=True)
class OutputFormat:
    width: int
    height: int
    rate: Fraction
    sample_rate: int

    def frames(self, seconds: float) -> int:
        return frame_count(seconds, self.rate)

    def samples(self, frames: int) -> int:
        return round(frames / self.rate * self.sample_rate)


class GraphBuilder:
    """Accumulates inputs and filter chains for one plan."""

    def __init__(
        self,
        timeline: Timeline,
        sources: Mapping[str, Path],
        facts: Mapping[str, MediaInfo],
        fmt: OutputFormat,
        work_dir: Path,
        *,
        pad_short: bool = False,
        assets: Mapping[str, Path] | None = None,
        mix_pass: MixPass | None = None,
        captions: Sequence[CaptionCues] = (),
    ) -> None:
        self.timeline = timeline
        self.sources = sources
        self.facts = facts
        self.fmt = fmt
        self.work_dir = work_dir
        self.overlay_images: dict[Path, TextOverlay] = {}
        # A source that ends early: its clip repeats its last frame to length (when asked for),
        # else it comes out short and the render's length check names it.
        self.pad_short = pad_short
        # A loudness target's pass: the analysis graph measures the mix, the render's gains it.
        self.mix_pass = mix_pass
        self.captions = captions
        self.runs: list[SourceRun] = []
        self.run_of: dict[str, SourceRun] = {}
        self.chains: list[str] = []
        self.text_files: dict[Path, str] = {}
        self.assets = assets or {}  # uri -> local file of a non-clip asset (a LUT)
        self._labels = 0

    def plan(self, video: Track, total_frames: int, output: Path) -> RenderPlan:
        audio_tracks = [track for track in self.timeline.tracks if track.kind == "audio" and not track.muted]
        layers = self.timeline.layer_tracks()
        self.runs, self.run_of = assign_runs([video, *layers, *audio_tracks], self.sources, self.facts)
        self._shape_runs()
        picture, sound = self._video_track(video)
        picture = composite_layers(self, picture, video, total_frames)
        picture = self._finish_picture(picture, video, total_frames)
        mixed = self._mix(sound, [*audio_tracks, *layer_sound_tracks(self)], total_frames)
        for run in self.runs:
            self.chains += run.split_chains()
        inputs = [arg for run in self.runs for arg in run.input_args()]
        for image in self.overlay_images:
            inputs += pinned_input(image, "png_pipe", value=image.name)
        if self._analysis and mixed is not None:
            return self._analysis_plan(inputs, picture, mixed, total_frames)
        out = self.timeline.output
        args = [*inputs, *self._graph_args(), "-map", f"[{picture}]"]
        args += [
            *("-c:v", out.video_codec, "-preset", "ultrafast" if out.proxy else out.preset),
            *("-crf", str(max(out.crf, 30) if out.proxy else out.crf), "-pix_fmt", "yuv420p"),
        ]
        if out.video_codec == "libx265":
            args += ["-tag:v", "hvc1", "-x265-params", "log-level=error"]
        if mixed is not None:
            bitrate = "64k" if out.proxy else out.audio_bitrate
            args += ["-map", f"[{mixed}]", "-c:a", out.audio_codec, "-b:a", bitrate, "-ac", "2"]
            args += ["-ar", str(self.fmt.sample_rate)]
        args += [*DETERMINISTIC_ARGS, "-movflags", "+faststart", "-y", f"file:{output}"]
        return RenderPlan(
            args=args,
            duration_s=float(total_frames / self.fmt.rate),
            frame_count=total_frames,
            width=self.fmt.width,
            height=self.fmt.height,
            fps=float(self.fmt.rate),
            stream_copy=False,
            decoders=len(self.runs),
            text_files=self.text_files,
            overlay_images=self.overlay_images,
        )

    @property
    def _analysis(self) -> bool:
        """Whether this graph is a loudness target's analysis run (it measures the mix only)."""
        return self.mix_pass is not None and self.mix_pass.measured is None

    def _analysis_plan(self, inputs: list[str], picture: str, mixed: str, total_frames: int) -> RenderPlan:
        """The same graph with its picture dropped and its mix measured (loudnorm's report)."""
        self._drop(picture, "nullsink")
        args = [*inputs, *self._graph_args(), "-map", f"[{mixed}]", "-f", "null", "-"]
        return RenderPlan(
            args=args,
            duration_s=float(total_frames / self.fmt.rate),
            frame_count=total_frames,
            width=self.fmt.width,
            height=self.fmt.height,
            fps=float(self.fmt.rate),
            stream_copy=False,
            decoders=len(self.runs),
            text_files=self.text_files,
        )

    def _graph_args(self) -> list[str]:
        graph = ";".join(self.chains)
        if len(graph) <= _INLINE_GRAPH_MAX:
            return ["-filter_complex", graph]
        script = self.work_dir / "graph.txt"
        self.text_files[script] = graph
        return ["-filter_complex_script", str(script)]

    # --- building blocks ------------------------------------------------------------------

    def _label(self, prefix: str) -> str:
        self._labels += 1
        return f"{prefix}{self._labels}"

    def label(self, prefix: str) -> str:
        """A fresh label for a filter's output (for the picture modules)."""
        return self._label(prefix)

    def frames_of(self, clip: Clip) -> tuple[int, int]:
        return self._frames_of(clip)

    def lut_path(self, grade: ColorGrade | None) -> Path | None:
        return self.assets[grade.lut] if grade is not None and grade.lut is not None else None

    def _frames_of(self, clip: Clip) -> tuple[int, int]:
        """First and end frame of ``clip`` on the output's frame grid."""
        end = clip_end(clip, self.facts)
        assert end is not None  # checked timelines have known ends
        return self.fmt.frames(clip.start_s), self.fmt.frames(end)

    def _retime_audio(self, speed: float) -> list[str]:
        steps = []
        while speed > 2.0:
            steps.append("atempo=2")
            speed /= 2.0
        while speed < 0.5:
            steps.append("atempo=0.5")
            speed /= 0.5
        if abs(speed - 1.0) > 1e-9:
            steps.append(f"atempo={number(speed)}")
        return steps

    def _gain(self, clip: Clip, track: Track) -> list[str]:
        gain = 0.0 if track.muted else clip.volume * track.volume
        lane = next((lane for lane in clip.automation.lanes if lane.parameter == "volume"), None)
        if lane is not None and lane.keyframes:
            return [f"volume=volume='{number(gain)}*({lane_expression(lane.keyframes)})':eval=frame"]
        return [] if gain == 1.0 else [f"volume={number(gain)}"]

    def _picture_shape(self) -> list[str]:
        # The rate first: frames the output drops are never scaled or padded (the same frames
        # come out either way, as scale and pad leave timestamps alone).
        fmt = self.fmt
        return [
            f"fps={fmt.rate.numerator}/{fmt.rate.denominator}",
            f"scale={fmt.width}:{fmt.height}:force_original_aspect_ratio=decrease",
            f"pad={fmt.width}:{fmt.height}:(ow-iw)/2:(oh-ih)/2",
            "setsar=1",
            "format=yuv420p",
        ]

    def _sound_shape(self) -> list[str]:
        return [f"aresample={self.fmt.sample_rate}", "aformat=sample_fmts=fltp:channel_layouts=stereo"]

    def _shape_runs(self) -> None:
        """Shape a run's streams once, before its cut, when no clip of it changes speed or
        brightness (those need the clip's own clock first)."""
        clips = {clip.id: clip for clip in self.timeline.clips()}
        for run in self.runs:
            plain = all(
                clips[clip_id].speed == 1
                and self._fills_frame(clips[clip_id])
                and not any(
                    lane.parameter == "brightness" and lane.keyframes
                    for lane in clips[clip_id].automation.lanes
                )
                for clip_id, _, _ in run.clips
            )
            if plain:
                run.video_prelude, run.audio_prelude = self._picture_shape(), self._sound_shape()

    def _fills_frame(self, clip: Clip) -> bool:
        """A base-track clip letterboxed into the whole frame: the run's shared shape fits it."""
        return (
            self.timeline.output.fit == "pad"
            and not is_placed(clip)
            and not self.facts[clip.uri].is_still
            and clip.id not in {c.id for layer in self.timeline.layer_tracks() for c in layer.clips}
        )

    def _clip_sound(self, clip: Clip, track: Track, samples: int) -> str:
        label = self._label("a")
        fit = [f"apad=whole_len={samples}", f"atrim=end_sample={samples}"]
        if not self.facts[clip.uri].has_audio:
            source = f"anullsrc=r={self.fmt.sample_rate}:cl=stereo"
            steps = [source, *self._sound_shape(), f"atrim=end_sample={samples}"]
            self.chains.append(",".join(steps) + f"[{label}]")
            return label
        run = self.run_of[clip.id]
        steps = [f"atrim=end={number(run.end_of(clip))}", "asetpts=PTS-STARTPTS"]
        if not run.audio_prelude:
            steps += [*self._retime_audio(clip.speed), *self._sound_shape()]
        steps += self._gain(clip, track)
        steps += sound_fades(clip, float(samples / self.fmt.sample_rate))
        steps += clip_sound_steps(clip.sound, samples, self.fmt.sample_rate)
        self.chains.append(f"[{run.take('a', clip)}]" + ",".join([*steps, *fit]) + f"[{label}]")
        return label

    def _clip_picture(self, clip: Clip, frames: int) -> str:
        if self._analysis:
            # The analysis run hears the mix only: a black stand-in of the output's size keeps
            # the graph's shape and timing, and ffmpeg never decodes a picture it does not use.
            label, fmt = self._label("v"), self.fmt
            stand_in = (
                f"color=c=black:s={fmt.width}x{fmt.height}:r={fmt.rate.numerator}/{fmt.rate.denominator}"
            )
            self.chains.append(f"{stand_in},format=yuv420p,setsar=1,trim=end_frame={frames}[{label}]")
            return label
        return clip_picture(self, clip, frames, layer=False)[0]

    # --- the video track -------------------------------------------------------------------

    def _video_track(self, track: Track) -> tuple[str, str]:
        fades = {(fade.from_clip, fade.to_clip): fade for fade in self.timeline.transitions}
        ordered = sorted(track.clips, key=lambda clip: clip.start_s)
        pictures: list[str] = []  # the stretch since the last crossfade, joined by one concat
        sounds: list[str] = []
        previous: Clip | None = None
        previous_end = 0
        for clip in ordered:
            start, end = self._frames_of(clip)
            frames = end - start
            picture_of_clip = self._clip_picture(clip, frames)
            clip_sound = self._clip_sound(clip, track, self.fmt.samples(frames))
            if previous is not None and (previous.id, clip.id) in fades:
                picture, sound = self._concat(pictures, sounds)
                overlap = previous_end - start
                joined = fades[(previous.id, clip.id)]
                picture, sound = self._crossfade(
                    joined, picture, picture_of_clip, sound, clip_sound, start, overlap
                )
                pictures, sounds = [picture], [sound]
            else:
                pictures.append(picture_of_clip)
                sounds.append(clip_sound)
            previous, previous_end = clip, end
        return self._concat(pictures, sounds)

    def _crossfade(
        self,
        joined: Crossfade,
        picture: str,
        clip_picture: str,
        sound: str,
        clip_sound: str,
        start: int,
        overlap: int,
    ) -> tuple[str, str]:
        joined_picture, joined_sound = self._label("x"), self._label("xa")
        offset = number(float(start / self.fmt.rate))
        length = number(float(overlap / self.fmt.rate))
        self.chains.append(
            f"[{picture}][{clip_picture}]xfade=transition={joined.transition}:duration={length}:offset={offset}[{joined_picture}]"
        )
        self.chains.append(
            f"[{sound}][{clip_sound}]acrossfade=ns={self.fmt.samples(overlap)}:c1={joined.audio_curve}:c2={joined.audio_curve}[{joined_sound}]"
        )
        return joined_picture, joined_sound

    def _concat(self, pictures: list[str], sounds: list[str]) -> tuple[str, str]:
        """One concat for a stretch of clips (a chain of pairwise concats costs a filter hop per
        clip for every frame that passes)."""
        if len(pictures) == 1:
            return pictures[0], sounds[0]
        joined_picture, joined_sound = self._label("c"), self._label("ca")
        count = len(pictures)
        self.chains.append(
            "".join(f"[{p}]" for p in pictures) + f"concat=n={count}:v=1:a=0[{joined_picture}]"
        )
        self.chains.append("".join(f"[{a}]" for a in sounds) + f"concat=n={count}:v=0:a=1[{joined_sound}]")
        return joined_picture, joined_sound

    def _finish_picture(self, picture: str, track: Track, total_frames: int) -> str:
        """The output's grade, text overlays and captions, then black after the video track when
        audio runs longer (the analysis run of a loudness target draws no text: it hears the mix)."""
        output_grade = self.timeline.output.grade
        graded = grade_steps(output_grade, self.lut_path(output_grade))
        if graded:
            label = self._label("g")
            self.chains.append(f"[{picture}]" + ",".join(graded) + f"[{label}]")
            picture = label
        for index, overlay in enumerate([] if self._analysis else self.timeline.overlays):
            image = self.work_dir / f"overlay-{index}.png"
            self.overlay_images[image] = overlay
            over = self._label("o")
            when = f"enable='between(t,{number(overlay.start_s)},{number(overlay.end_s)})'"
            place = f"x=(main_w-overlay_w)/2:y={_Y_POSITION[overlay.position]}"
            # The image's one frame is held for the whole render (eof_action=repeat).
            self.chains.append(
                f"[{picture}][{len(self.runs) + index}:v:0]overlay={place}:eof_action=repeat:{when}[{over}]"
            )
            picture = over
        steps = (
            []
            if self._analysis
            else [self._captions(index, entry) for index, entry in enumerate(self.captions)]
        )
        video_frames = max(self._frames_of(clip)[1] for clip in track.clips)
        if total_frames > video_frames:
            steps.append(f"tpad=stop_mode=add:stop={total_frames - video_frames}:color=black")
        steps.append(f"trim=end_frame={total_frames}")
        label = self._label("vout")
        self.chains.append(f"[{picture}]" + ",".join(steps) + f"[{label}]")
        return label

    def _captions(self, index: int, captions: CaptionCues) -> str:
        # libass draws the track from an ASS script laid out for the output frame.
        script = self.work_dir / f"captions-{index}.ass"
        self.text_files[script] = caption_sheet(
            captions.track, captions.cues, self.fmt.width, self.fmt.height
        ).script
        return ass_filter(script)

    # --- sound ------------------------------------------------------------------------------

    def _mix(self, main_sound: str, audio_tracks: list[Track], total_frames: int) -> str | None:
        """The video track's sound with every audio-track clip, padded to the render's length."""
        sounds = [main_sound] if self._video_has_sound() else []
        for track in audio_tracks:
            for clip in track.clips:
                # Placed to the sample, not on the frame grid: sound synced to a picture (a
                # recorder lined up by video_multicam) must not move by up to half a frame.
                end = clip_end(clip, self.facts)
                assert end is not None  # checked timelines have known ends
                rate = self.fmt.sample_rate
                delay = round(clip.start_s * rate)
                label = self._clip_sound(clip, track, round(end * rate) - delay)
                delayed = self._label("d")
                duck = duck_steps(self.timeline, track.id, delay / rate, self.facts)
                delaying = [*duck, f"adelay=delays={delay}S:all=1"]
                self.chains.append(f"[{label}]" + ",".join(delaying) + f"[{delayed}]")
                sounds.append(delayed)
        if not sounds:
            self._drop(main_sound)
            return None
        steps = []
        if len(sounds) > 1:
            steps.append(f"amix=inputs={len(sounds)}:duration=longest:dropout_transition=0:normalize=0")
        if self.timeline.audio.master_volume != 1:
            steps.append(f"volume={number(self.timeline.audio.master_volume)}")
        samples = self.fmt.samples(total_frames)
        steps += [f"apad=whole_len={samples}", f"atrim=end_sample={samples}"]
        steps += master_steps(self.mix_pass, self.fmt.sample_rate, samples)
        label = self._label("aout")
        self.chains.append("".join(f"[{sound}]" for sound in sounds) + ",".join(steps) + f"[{label}]")
        if not self._video_has_sound():
            self._drop(main_sound)
        return label

    def _video_has_sound(self) -> bool:
        video = self.timeline.video_track()
        return video is not None and any(self.facts[clip.uri].has_audio for clip in video.clips)

    def _drop(self, label: str, sink: str = "anullsink") -> None:
        # Every labelled output must be consumed: a silent video track's sound ends in a sink.
        self.chains.append(f"[{label}]{sink}")
