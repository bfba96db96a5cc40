"""The loudness of a finished file, measured on its bytes with ffmpeg's ``ebur128`` meter.

loudnorm's pass-2 summary describes the signal it produced inside the graph, before any later
resampling, channel mixing or encoding; the figures a tool reports must be those of the file it
stores, so the stored output is decoded once more and measured (BS.1770 integrated loudness,
loudness range, and true peak from ``peak=true``'s oversampled meter).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from core import Phase
from core.errors import FfmpegFailed
from core.ffmpeg import run_ffmpeg
from muscles.audio.loudness.loudnorm import Loudness

__all__ = ["measure_file"]

# The summary prints one decimal; the integrated loudness is also attached to every 100 ms
# frame with three (metadata=1), and the last frame's value is the whole file's. Per-frame
# meter lines go to the verbose level, so the stderr tail holds those values and the summary.
# The meter runs at 48 kHz, the rate BS.1770 gives its K-weighting for: ebur128 designs its
# filters per rate and reads a 16 kHz file about 0.1 LU loud.
_METER: Final = (
    "aresample=48000,ebur128=peak=true:framelog=verbose:metadata=1,ametadata=mode=print:key=lavfi.r128.I"
)
_PRECISE_I: Final = re.compile(r"lavfi\.r128\.I=(-?(?:\d+(?:\.\d+)?|inf))")
_FIGURE = r"\s*(-?(?:\d+(?:\.\d+)?|inf))"
_SUMMARY: Final = re.compile(
    r"Integrated loudness:\s*I:" + _FIGURE + r" LUFS\s*Threshold:" + _FIGURE + r" LUFS"
    r"\s*Loudness range:\s*LRA:" + _FIGURE + r" LU.*?True peak:\s*Peak:" + _FIGURE + r" dBFS",
    re.DOTALL,
)


async def measure_file(path: Path, demuxer: str, *, duration_s: float | None, phase: Phase) -> Loudness:
    """Integrated loudness, loudness range and true peak of the audio file ``path`` (read with
    the ``demuxer`` it was written as)."""
    args = ["-f", demuxer, "-i", f"file:{path}", "-map", "0:a:0", "-af", _METER, "-f", "null", "-"]
    result = await run_ffmpeg(args, duration_s=duration_s, on_progress=phase)
    found = _SUMMARY.search(result.stderr_tail)
    if found is None:
        raise FfmpegFailed(
            "ffmpeg's ebur128 meter printed no readable summary",
            value=path.name,
            details={"stderr_tail": result.stderr_tail[-2000:]},
        )
    integrated, threshold, lra, peak = (float(value) for value in found.groups())
    precise = _PRECISE_I.findall(result.stderr_tail)
    if precise:
        integrated = float(precise[-1])
    return Loudness(integrated_lufs=integrated, true_peak_dbtp=peak, lra_lu=lra, threshold_lufs=threshold)
