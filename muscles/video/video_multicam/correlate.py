"""Where one recording's sound sits in another's: GCC-PHAT cross-correlation by FFT.

PHAT weighting (each frequency bin's cross-spectrum divided by its magnitude) whitens both
signals, so the correlation is a sharp spike at the true lag whatever the gains, the colour
of the sound or a loud steady noise; a parabola through the spike and its two neighbours
places it between samples. The weighting is partial (magnitude to the power 0.5, "PHAT-beta"):
full whitening lifts the lone tones of unrelated music to peaks of z 9-10, half whitening
keeps them near 6-7 while true matches score higher than with either extreme. The confidence is the spike's z-score: how many standard
deviations it stands above the correlation's spread over the lags searched, so it means the
same for short and long takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["TRUSTED_Z", "Match", "Signal", "match"]

Signal = npt.NDArray[np.float32]

# Unrelated sound peaks at z 5-8 over millions of lags (the maximum of that much noise);
# a real common stretch of a few seconds scores 20 and more, of half a minute in the hundreds.
TRUSTED_Z = 10.0
_PHAT_BETA = 0.5

# Bins weaker than this share of the mean magnitude are not amplified (silence, band edges).
_PHAT_FLOOR = 1e-3


@dataclass(frozen=True)
class Match:
    """``other`` starts ``offset_s`` seconds after ``reference`` starts (negative: before it)."""

    offset_s: float
    z: float


def match(
    reference: Signal,
    other: Signal,
    rate: int,
    *,
    max_offset_s: float | None = None,
    near_s: float = 0.0,
) -> Match | None:
    """The lag where ``other`` best lines up with ``reference``, searched within ``near_s ±
    max_offset_s`` (default: every lag where the two overlap). None when no lag is searchable."""
    first, last = -len(other) + 1, len(reference) - 1  # lags with at least one common sample
    low, high = first, last
    if max_offset_s is not None:
        centre = round(near_s * rate)
        span = round(max_offset_s * rate)
        low, high = max(first, centre - span), min(last, centre + span)
    if high - low < 2:
        return None
    corr = _gcc_phat(reference, other)
    every = corr[np.arange(first, last + 1) % len(corr)]  # negative lags sit at the circular end
    searched = np.arange(low, high + 1)
    values = corr[searched % len(corr)]
    peak = int(np.argmax(values))
    # The spread is over every lag, not only the ones searched: a narrow search window would
    # otherwise hold too few values to tell a spike from the sidelobes around it.
    spread = float(np.std(every))
    z = 0.0 if spread == 0 else (float(values[peak]) - float(np.mean(every))) / spread
    return Match(offset_s=(searched[peak] + _vertex(values, peak)) / rate, z=z)


def _gcc_phat(reference: Signal, other: Signal) -> npt.NDArray[np.float64]:
    """The circular PHAT-beta correlation ``sum_n reference[n + lag] * other[n]``, index = lag mod
    size; zero-padded so no two lags with common samples share an index."""
    size = _fast_length(len(reference) + len(other))
    spectrum = np.fft.rfft(reference, size) * np.conj(np.fft.rfft(other, size))
    magnitude = np.abs(spectrum)
    spectrum /= np.maximum(magnitude, _PHAT_FLOOR * float(np.mean(magnitude)) + 1e-30) ** _PHAT_BETA
    corr: npt.NDArray[np.float64] = np.fft.irfft(spectrum, size)
    return corr


def _vertex(values: npt.NDArray[np.float64], peak: int) -> float:
    """The sub-sample shift of the parabola's vertex through the peak and its neighbours."""
    if peak == 0 or peak == len(values) - 1:
        return 0.0
    before, at, after = float(values[peak - 1]), float(values[peak]), float(values[peak + 1])
    curvature = before - 2 * at + after
    return 0.0 if curvature >= 0 else 0.5 * (before - after) / curvature


def _fast_length(n: int) -> int:
    """The smallest 2^a * 3^b * 5^c >= n: FFT sizes numpy transforms quickly."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best
