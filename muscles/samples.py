"""``muscle samples DIR``: small, real sample media for trying every muscle (and for the
README's flows, which a test runs as written).

Everything is made here and now, with ffmpeg's own sources and Debian's ``espeak-ng`` for
speech: nothing is downloaded and nothing binary ships in the repository. The files are a few
seconds long and a few hundred kilobytes in all.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import AtomsError
from core.ffmpeg import run_ffmpeg_sync

__all__ = ["SAMPLES", "SPEECH_TEXT", "Sample", "write_samples"]

SPEECH_TEXT = (
    "Welcome to the atoms muscle suite. This short recording is used to try the transcriber, "
    "and the loudness tools, on a machine with no internet connection."
)
_PICTURE = ("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p")
_SOUND = ("-c:a", "aac", "-b:a", "96k")


@dataclass(frozen=True)
class Sample:
    filename: str
    what: str
    make: Callable[[Path], None]


def _lavfi(video: str | None, audio: str | None, out: Path, *codecs: str) -> None:
    args = ["-y"]
    if video:
        args += ["-f", "lavfi", "-i", video]
    if audio:
        args += ["-f", "lavfi", "-i", audio]
    run_ffmpeg_sync([*args, *codecs, "-shortest", str(out)])


def _clip(pattern: str, freq: int) -> Callable[[Path], None]:
    def make(out: Path) -> None:
        _lavfi(
            f"{pattern}=size=640x360:rate=25:duration=4",
            f"sine=frequency={freq}:sample_rate=48000:duration=4,pan=stereo|c0=c0|c1=c0",
            out,
            *_PICTURE,
            *_SOUND,
        )

    return make


def _sphere(out: Path) -> None:
    # 2:1, as an equirectangular 360 video is (the pattern is flat, the projection is real).
    _lavfi(
        "testsrc2=size=512x256:rate=25:duration=1",
        "sine=frequency=550:sample_rate=48000:duration=1",
        out,
        *_PICTURE,
        *_SOUND,
    )


def _air_drawing(out: Path) -> None:
    # An orange square drawing an L in the air: across at 100 px/s, then down at 60 px/s.
    marker = (
        "color=c=0x283c5a:s=320x240:r=25:d=2.5[bg];color=c=0xff8c00:s=18x18:r=25:d=2.5[dot];"
        "[bg][dot]overlay=x='if(lt(t,1.5),60+100*t,210)':y='if(lt(t,1.5),110,110+60*(t-1.5))'[out0]"
    )
    _lavfi(marker, None, out, *_PICTURE)


def _tone(out: Path) -> None:
    # A quiet tone (about -30 LUFS), so normalising it audibly does something.
    _lavfi(None, "sine=frequency=1000:sample_rate=48000:duration=5,volume=-27dB", out, "-c:a", "pcm_s16le")


def _speech(out: Path) -> None:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise AtomsError(
            "espeak-ng is not installed, so no speech sample was made",
            value="espeak-ng",
            hint="Install it (Debian/Ubuntu: apt install espeak-ng; macOS: brew install espeak-ng) "
            "and run `muscle samples` again.",
        )
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "speech.wav"
        subprocess.run(
            [espeak, "-v", "en-us", "-s", "150", "-w", str(raw), SPEECH_TEXT],
            check=True,
            capture_output=True,
            timeout=60,
        )
        # 16 kHz mono PCM with a second of room tone before the voice.
        run_ffmpeg_sync(
            [
                "-y",
                "-i",
                str(raw),
                "-af",
                "adelay=1000,aresample=16000",
                "-ac",
                "1",
                "-c:a",
                "pcm_s16le",
                str(out),
            ]
        )


def _camera(out: Path) -> None:
    # The speech sample as a camera heard it: started 0.75 s before the recorder, a little hiss
    # in the room. video_multicam lines the two up (the recorder at +0.750 s).
    with tempfile.TemporaryDirectory() as tmp:
        speech = Path(tmp) / "speech.wav"
        _speech(speech)
        graph = (
            "[1:a]adelay=750,aresample=48000[voice];anoisesrc=r=48000:a=0.005:seed=1[hiss];"
            "[voice][hiss]amix=inputs=2:duration=first:normalize=0[a]"
        )
        run_ffmpeg_sync(
            [
                *("-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-i", str(speech)),
                *("-filter_complex", graph, "-map", "0:v", "-map", "[a]", *_PICTURE, *_SOUND),
                *("-shortest", str(out)),
            ]
        )


SAMPLES = (
    Sample("clip.mp4", "4 s of 640x360 video (testsrc2) with a 440 Hz tone", _clip("testsrc2", 440)),
    Sample("clip2.mp4", "4 s of 640x360 video (SMPTE bars) with a 660 Hz tone", _clip("smptehdbars", 660)),
    Sample("sphere.mp4", "1 s of 512x256 (2:1, as a 360 video) with a 550 Hz tone", _sphere),
    Sample("air-drawing.mp4", "2.5 s of an orange marker drawing an L in the air", _air_drawing),
    Sample("tone.wav", "5 s of a quiet 1 kHz tone (about -30 LUFS)", _tone),
    Sample("speech.wav", "a spoken paragraph (espeak-ng), 16 kHz mono", _speech),
    Sample("camera.mp4", "320x180 video hearing speech.wav, started 0.75 s before it", _camera),
)


def write_samples(folder: Path, *, on_written: Callable[[Path, str], None] = lambda p, w: None) -> list[Path]:
    """Write every sample into ``folder`` (made if missing); existing files are replaced.

    Each file is written next to its final name and renamed into place, so a folder never
    holds a half-written sample.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sample in SAMPLES:
        target = folder / sample.filename
        partial = folder / f".partial-{sample.filename}"
        try:
            sample.make(partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        on_written(target, sample.what)
        written.append(target)
    return written
