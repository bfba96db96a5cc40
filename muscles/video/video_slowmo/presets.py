"""The two ffmpeg presets, as one ffmpeg command each: ``fast`` blends neighbouring frames
(ffmpeg's ``framerate``), ``mci`` is ffmpeg's motion-compensated interpolation
(``minterpolate``: bidirectional motion estimation, overlapped-block compensation, scene-change
detection so a cut is not smeared). Both pad the end by repeating the last frame and stop at
the planned frame count, so every preset gives exactly the same number of frames."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .plan import Retime

__all__ = ["ENCODER", "audio_filter", "ffmpeg_args", "interpolation_filter"]

# Same encoder for every preset (and the bench's raw ffmpeg): byte-identical reruns (one
# thread, no version strings). veryfast: at 720p, medium cost more per frame than our flow
# interpolation itself; CRF 18 keeps it visually lossless.
ENCODER: tuple[str, ...] = (
    *("-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"),
    *("-threads", "1", "-x264-params", "threads=1"),
    *("-flags:v", "+bitexact", "-fflags", "+bitexact", "-map_metadata", "-1"),
)


def interpolation_filter(preset: str, fps: float) -> str:
    if preset == "mci":
        return f"minterpolate=fps={fps:g}:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:scd=fdiff"
    return f"framerate=fps={fps:g}"


def audio_filter(retime: Retime, atempo: Sequence[str]) -> str:
    """The range's sound slowed by ``atempo`` (pitch kept), cut or padded to the video's length."""
    return ",".join(["asetpts=PTS-STARTPTS", *atempo, "apad", f"atrim=end={retime.duration_s:.6f}"])


def ffmpeg_args(
    retime: Retime, preset: str, source: Sequence[str], output: Path, *, audio: str | None
) -> list[str]:
    """One ffmpeg run for ``fast`` or ``mci``; ``source`` is the input's ``-f .. -i ..``."""
    video = ",".join(
        [
            f"setpts=(PTS-STARTPTS)/{retime.factor:.6f}",
            interpolation_filter(preset, retime.fps),
            "tpad=stop_mode=clone:stop=-1",
            f"trim=end_frame={retime.frame_count}",
            # minterpolate's frames come out evenly spaced; numbering them afresh keeps the
            # muxer from duplicating any to fill gaps in the timestamps tpad leaves.
            "setpts=N/FRAME_RATE/TB",
        ]
    )
    sound = ["-map", "0:a:0", "-af", audio, "-c:a", "aac", "-b:a", "192k"] if audio else ["-an"]
    return [
        *("-y", "-ss", f"{retime.start_s:.6f}", "-t", f"{retime.end_s - retime.start_s:.6f}", *source),
        # The frame count is cut in the graph, not by -frames:v: that would end the file when
        # the picture is done, before the muxer got the sound's last quarter second.
        *("-map", "0:v:0", "-vf", video, *ENCODER),
        *sound,
        str(output),
    ]
