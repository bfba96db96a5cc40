"""Issue 17's combined edit planned by video_render against MoviePy 2 doing the same edit.

Timeline: 10 clips (2 s each from 10 sources, 640x360 25 fps with a tone) joined by nine
0.4 s crossfades (xfade ``fade`` + acrossfade), a picture-in-picture layer (a 0.3-width inset,
6 s from 3 s, no sound), four SRT captions (white, 2 px black outline, bottom), a voice clip
(5 s from 4 s) and a 16.4 s music bed ducked 12 dB under it (0.2 s attack, 0.5 s release).
Output 640x360 25 fps, libx264 veryfast CRF 20 + AAC 128k stereo, 16.4 s.

- ours: video_render's plan for the timeline (``plan_render``: ONE ffmpeg command, one graph,
  captions through libass, ducking as keyframed gain), run as is, as
  ``editing_vs_ffmpeg.py`` does (no MCP round trip, no storage).
- moviepy: MoviePy 2 (a bench-only anchor in its own venv under the temp dir, never in the
  project's environment): ``CompositeVideoClip`` of the clips with ``CrossFadeIn``/``CrossFadeOut``
  and ``AudioFadeIn``/``AudioFadeOut``, a resized inset, one ``TextClip`` per cue (DejaVu Sans
  as libass draws it at 24 px, 2 px stroke), ``CompositeAudioClip`` with the music's gain keyframed the same way,
  ``write_videofile`` with the same codec, preset, CRF, fps, size and audio bitrate, through the
  same ffmpeg binary. Timed as one subprocess of the anchor venv's Python; its start-up (import
  of moviepy) is measured separately and printed.
- ffmpeg: one hand-written ``ffmpeg`` command for the same edit (xfade + acrossfade, overlay,
  ``subtitles=`` with force_style, the music gain keyframed with ``volume=eval=frame``).

Rounds alternate the order of the three; read the p50. Targets: ours / ffmpeg <= 1.05; the
ratio ours / moviepy is reported.

    uv run python bench/editing_vs_moviepy.py [--rounds 5] [--anchor /path/to/python] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import Summary, ratio_line
from core.ffmpeg.runner import ffmpeg_binary
from core.media.probe import probe_sync
from muscles.video.timeline import Timeline, check
from muscles.video.video_render.plan import plan_render
from muscles.video.video_render.subtitles import CaptionCues, parse_subtitles
from tests.media_samples import write_silent_video, write_test_video, write_tone_wav

CLIPS, CLIP_S, FADE_S = 10, 2.0, 0.4  # 0.4 s: 10 frames, so no side rounds a transition
DURATION = CLIPS * CLIP_S - (CLIPS - 1) * FADE_S  # 16.4 s
PIP_START, PIP_S = 3.0, 6.0
VOICE_START, VOICE_S = 4.0, 5.0
DEPTH_DB, ATTACK_S, RELEASE_S = 12.0, 0.2, 0.5
W, H, FPS = 640, 360, 25
PIP_BOX = (416, 18, 192, 108)  # x, y, width, height: layout x 0.65, y 0.05, width 0.3
SRT = (
    "1\n00:00:00,500 --> 00:00:03,000\nTen clips, crossfaded\n\n"
    "2\n00:00:03,500 --> 00:00:06,000\nan inset in the corner\n\n"
    "3\n00:00:06,500 --> 00:00:09,000\nthe music ducked under the voice\n\n"
    "4\n00:00:10,000 --> 00:00:14,500\nand the music comes back\n"
)
MOVIEPY_PIN = "moviepy==2.2.1"

# Run by the anchor venv's Python: argv[1] is a JSON job. Kept here so the project never
# imports moviepy (and mypy never sees it).
MOVIEPY_SCRIPT = r"""
import json, sys
import numpy as np
from moviepy import (AudioFileClip, CompositeAudioClip, CompositeVideoClip, TextClip,
                     VideoFileClip, afx, vfx)

job = json.loads(sys.argv[1])
step = job["clip_s"] - job["fade_s"]
fade = job["fade_s"]
layers, sounds = [], []
for k, path in enumerate(job["sources"]):
    clip = VideoFileClip(path).subclipped(0.5, 0.5 + job["clip_s"]).with_start(k * step)
    video_fx, audio_fx = [], []
    if k > 0:
        video_fx.append(vfx.CrossFadeIn(fade))
        audio_fx.append(afx.AudioFadeIn(fade))
    if k < len(job["sources"]) - 1:
        video_fx.append(vfx.CrossFadeOut(fade))
        audio_fx.append(afx.AudioFadeOut(fade))
    layers.append(clip.with_effects(video_fx))
    sounds.append(clip.audio.with_effects(audio_fx).with_start(k * step))
x, y, w, h = job["pip_box"]
pip = (VideoFileClip(job["pip"], audio=False).subclipped(0, job["pip_s"])
       .resized((w, h)).with_position((x, y)).with_start(job["pip_start"]))
layers.append(pip)
for start, end, text in job["cues"]:
    # PIL's size is the em, libass's the line height (DejaVu Sans: 1.164 em): 24 px -> 21
    caption = TextClip(font=job["font"], text=text, font_size=21, color="white",
                       stroke_color="black", stroke_width=2, margin=(4, 6))
    # the margin keeps descenders in (TextClip crops them otherwise); 6 px of it is below
    caption = (caption.with_position(("center", job["height"] - 18 - caption.h + 6))
               .with_start(start).with_duration(end - start))
    layers.append(caption)
voice = AudioFileClip(job["voice"]).subclipped(0, job["voice_s"]).with_start(job["voice_start"])
floor = 10 ** (-job["depth_db"] / 20)
v0, v1 = job["voice_start"], job["voice_start"] + job["voice_s"]

def duck(get_frame, t):
    frame = get_frame(t)
    ramp = np.clip(np.maximum((v0 - t) / job["attack_s"], (t - v1) / job["release_s"]), 0, 1)
    gain = floor + (1 - floor) * ramp
    return frame * (gain[:, None] if np.ndim(t) else gain)

music = AudioFileClip(job["music"]).subclipped(0, job["duration"]).transform(duck)
mix = CompositeAudioClip([*sounds, voice, music]).with_duration(job["duration"])
video = (CompositeVideoClip(layers, size=(job["width"], job["height"]))
         .with_duration(job["duration"]).with_audio(mix))
video.write_videofile(
    job["out"], fps=job["fps"], codec="libx264", preset="veryfast", audio_codec="aac",
    audio_bitrate="128k", audio_fps=48000, audio_nbytes=2, ffmpeg_params=["-crf", "20", "-pix_fmt", "yuv420p", "-ac", "2"],
    logger=None, temp_audiofile_path=job["tmp"],
)
"""


def _timeline(uris: list[str], pip: str, voice: str, music: str, srt: str) -> dict[str, Any]:
    step = CLIP_S - FADE_S
    clips = [
        {"id": f"c{k}", "uri": uri, "source_in_s": 0.5, "source_out_s": 0.5 + CLIP_S, "start_s": k * step}
        for k, uri in enumerate(uris)
    ]
    transitions = [
        {"from_clip": f"c{k}", "to_clip": f"c{k + 1}", "duration_s": FADE_S, "transition": "fade"}
        for k in range(CLIPS - 1)
    ]
    inset = {"id": "inset", "uri": pip, "source_out_s": PIP_S, "start_s": PIP_START}
    inset["layout"] = {"x": 0.65, "y": 0.05, "width": 0.3}
    return {
        "tracks": [
            {"id": "video", "clips": clips},
            {"id": "pip", "clips": [inset]},
            {"id": "voice", "kind": "audio", "role": "voice", "clips": [{"id": "talk", "uri": voice, "source_out_s": VOICE_S, "start_s": VOICE_START}]},
            {"id": "bed", "kind": "audio", "role": "music", "clips": [{"id": "song", "uri": music, "source_out_s": DURATION}]},
        ],
        "transitions": transitions,
        "captions": [{"id": "subs", "uri": srt, "style": {"size_px": 24}}],
        "audio": {"ducking": [{"music_track": "bed", "voice_track": "voice", "depth_db": DEPTH_DB, "attack_s": ATTACK_S, "release_s": RELEASE_S}]},
        "output": {"fps": FPS, "width": W, "height": H, "preset": "veryfast", "crf": 20},
    }  # fmt: skip


def _anchor_argv(sources: list[Path], pip: Path, voice: Path, music: Path, srt: Path, out: Path) -> list[str]:
    inputs: list[str] = []
    for source in sources:
        inputs += ["-ss", "0.5", "-t", str(CLIP_S), "-i", str(source)]
    inputs += ["-t", str(PIP_S), "-i", str(pip), "-i", str(voice), "-i", str(music)]
    chains = []
    for k in range(len(sources)):
        chains.append(f"[{k}:v]fps={FPS},format=yuv420p,setpts=PTS-STARTPTS[v{k}]")
        chains.append(f"[{k}:a]aresample=48000,aformat=channel_layouts=stereo,asetpts=PTS-STARTPTS[a{k}]")
    picture, sound = "v0", "a0"
    for k in range(CLIPS - 1):
        offset = (k + 1) * (CLIP_S - FADE_S)
        chains.append(f"[{picture}][v{k + 1}]xfade=transition=fade:duration={FADE_S}:offset={offset}[x{k}]")
        chains.append(f"[{sound}][a{k + 1}]acrossfade=d={FADE_S}[y{k}]")
        picture, sound = f"x{k}", f"y{k}"
    n = len(sources)
    x, y, w, h = PIP_BOX
    chains.append(f"[{n}:v]fps={FPS},scale={w}:{h},setpts=PTS-STARTPTS+{PIP_START}/TB[p]")
    chains.append(f"[{picture}][p]overlay=x={x}:y={y}:eof_action=pass[o]")
    # subtitles= lays an SRT out at ASS PlayResY 288: 24 px, 2 px and 18 px at 360p are 19.2, 1.6, 14.4
    style = (
        "Fontsize=19.2,PrimaryColour=&H00FFFFFF,OutlineColour=&H00000000,Outline=1.6,Shadow=0.8,MarginV=14"
    )
    chains.append(f"[o]subtitles=filename={srt}:force_style='{style}'[v]")
    delay = int(VOICE_START * 1000)
    chains.append(
        f"[{n + 1}:a]aresample=48000,aformat=channel_layouts=stereo,adelay=delays={delay}:all=1[voice]"
    )
    floor = 10 ** (-DEPTH_DB / 20)
    v0, v1 = VOICE_START, VOICE_START + VOICE_S
    gain = f"{floor:.6f}+{1 - floor:.6f}*clip(max(({v0}-t)/{ATTACK_S}\\,(t-{v1})/{RELEASE_S})\\,0\\,1)"
    chains.append(
        f"[{n + 2}:a]aresample=48000,aformat=channel_layouts=stereo,atrim=end={DURATION},"
        f"volume=eval=frame:volume='{gain}'[bed]"
    )
    chains.append(f"[{sound}][voice][bed]amix=inputs=3:duration=first:normalize=0[a]")
    return [
        ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *inputs,
        "-filter_complex", ";".join(chains), "-map", "[v]", "-map", "[a]",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart", str(out),
    ]  # fmt: skip


def _anchor_python(given: str | None) -> Path:
    if given:
        return Path(given)
    venv = Path(tempfile.gettempdir()) / "atoms-bench-moviepy-anchor"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run(["uv", "venv", "-q", "-p", "3.11", str(venv)], check=True)
        subprocess.run(["uv", "pip", "install", "-q", "-p", str(python), MOVIEPY_PIN], check=True)
    return python


def _font() -> str:
    return subprocess.run(
        ["fc-match", "-f", "%{file}", "sans"], capture_output=True, text=True, check=True
    ).stdout


def _cues(srt: str) -> list[list[Any]]:
    return [[cue.start_s, cue.end_s, cue.text] for cue in parse_subtitles(srt, caption_id="subs")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--anchor", help="a Python with moviepy>=2 installed")
    parser.add_argument("--keep", type=Path, help="copy the three outputs into this folder")
    args = parser.parse_args()
    python = _anchor_python(args.anchor)
    # MoviePy writes through imageio-ffmpeg's binary; point it at ours so the encoders match.
    env = os.environ | {"IMAGEIO_FFMPEG_EXE": ffmpeg_binary()}
    with tempfile.TemporaryDirectory(prefix="bench-editing-moviepy-") as tmp_name:
        tmp = Path(tmp_name)
        size = f"{W}x{H}"
        sources = [write_test_video(tmp / f"c{k}.mp4", seconds=3, size=size, fps=FPS) for k in range(CLIPS)]
        pip = write_silent_video(tmp / "pip.mp4", seconds=PIP_S + 1, size=size, fps=FPS)
        voice = write_tone_wav(tmp / "voice.wav", seconds=VOICE_S, rate=48000, freq=1000.0)
        music = write_tone_wav(tmp / "music.wav", seconds=DURATION + 1, rate=48000, freq=220.0)
        srt = tmp / "talk.srt"
        srt.write_text(SRT, encoding="utf-8")
        uris = [f"atoms://media/{k:032x}/{path.name}" for k, path in enumerate(sources)]
        named = {f"atoms://media/{90 + k:032x}/{p.name}": p for k, p in enumerate((pip, voice, music))}
        srt_uri = f"atoms://media/{99:032x}/talk.srt"
        files = dict(zip(uris, sources, strict=True)) | named
        timeline = Timeline.model_validate(_timeline(uris, *named, srt_uri))
        facts = {uri: probe_sync(path) for uri, path in files.items()}
        check(timeline, facts)
        by_clip = {clip.id: files[clip.uri] for clip in timeline.clips()}
        captions = [
            CaptionCues(track, parse_subtitles(SRT, caption_id=track.id)) for track in timeline.captions
        ]
        plan = plan_render(
            timeline, by_clip, facts, tmp / "ours.mp4", work_dir=tmp, allow_copy=False, captions=captions
        )
        assert sum(arg == "-filter_complex" for arg in plan.args) == 1
        for path, text in plan.text_files.items():  # the ASS script libass reads (render writes it)
            path.write_text(text, encoding="utf-8")
        ours_argv = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", *plan.args]
        anchor_argv = _anchor_argv(sources, pip, voice, music, srt, tmp / "anchor.mp4")
        job = {
            "sources": [str(p) for p in sources], "pip": str(pip), "voice": str(voice), "music": str(music),
            "clip_s": CLIP_S, "fade_s": FADE_S, "pip_start": PIP_START, "pip_s": PIP_S, "pip_box": PIP_BOX,
            "voice_start": VOICE_START, "voice_s": VOICE_S, "depth_db": DEPTH_DB, "attack_s": ATTACK_S,
            "release_s": RELEASE_S, "duration": DURATION, "width": W, "height": H, "fps": FPS,
            "cues": _cues(SRT), "font": _font(), "out": str(tmp / "moviepy.mp4"), "tmp": str(tmp),
        }  # fmt: skip
        script = tmp / "moviepy_edit.py"
        script.write_text(MOVIEPY_SCRIPT, encoding="utf-8")
        moviepy_argv = [str(python), str(script), json.dumps(job)]

        cpu: dict[str, list[float]] = {name: [] for name in ("ours", "ffmpeg", "moviepy")}

        def timed(argv: list[str], name: str | None = None) -> float:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(argv, check=True, env=env)
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if name is not None:  # CPU seconds (user + system): steadier than wall time under load
                cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            return elapsed

        sides = {"ours": ours_argv, "ffmpeg": anchor_argv, "moviepy": moviepy_argv}
        samples: dict[str, list[float]] = {name: [] for name in sides}
        timed(ours_argv)  # warm the page cache
        boot = [timed([str(python), "-c", "import moviepy"]) for _ in range(2)]
        order = list(sides)
        for index in range(args.rounds):
            for name in order[index % 3 :] + order[: index % 3]:
                samples[name].append(timed(sides[name], name))
        written = {name: tmp / f"{'anchor' if name == 'ffmpeg' else name}.mp4" for name in sides}
        outputs = {name: probe_sync(path) for name, path in written.items()}
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name, path in written.items():
                shutil.copyfile(path, args.keep / f"{name}.mp4")
    for name, info in outputs.items():
        print(
            f"  {name:<8} {info.width}x{info.height} {info.fps} fps, {info.frame_count} frames, {info.duration_s} s"
        )
    frames = {name: info.frame_count or 0 for name, info in outputs.items()}
    assert abs(frames["ours"] - frames["moviepy"]) <= 1, frames
    assert abs((outputs["ours"].duration_s or 0) - (outputs["moviepy"].duration_s or 0)) <= 1.5 / FPS, outputs
    summaries = {name: Summary.of(values) for name, values in samples.items()}
    print(
        f"video_render plan vs hand-written ffmpeg vs MoviePy 2 ({CLIPS} clips, {CLIPS - 1} crossfades, PiP, "
        f"captions, ducked music bed, {plan.duration_s} s {H}p)"
    )
    for name, summary in summaries.items():
        print(summary.line(name))
    print(
        "  CPU (user + system, children), p50: "
        + ", ".join(f"{n} {statistics.median(v):.2f} s" for n, v in cpu.items())
    )
    print("ours / ffmpeg:")
    print(ratio_line(summaries["ours"], summaries["ffmpeg"], 1.05))
    print("ours / moviepy (reported; no target):")
    print(ratio_line(summaries["ours"], summaries["moviepy"], 1.0))
    print(
        f"  moviepy Python start-up (import moviepy): p50 {Summary.of(boot).p50:.0f} ms, inside its figures"
    )


if __name__ == "__main__":
    main()
