"""Small timing helpers shared by the bench scripts: summaries, ratios and printing."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """Milliseconds: the median, the mean and the worst of a set of samples."""

    n: int
    p50: float
    mean: float
    max: float

    @classmethod
    def of(cls, samples_s: list[float]) -> Summary:
        ms = [s * 1000 for s in samples_s]
        return cls(n=len(ms), p50=statistics.median(ms), mean=statistics.fmean(ms), max=max(ms))

    def line(self, label: str) -> str:
        return f"  {label:<10} p50 {self.p50:8.2f} ms   mean {self.mean:8.2f} ms   max {self.max:8.2f} ms   (n={self.n})"


def ratio_line(ours: Summary, anchor: Summary, target: float) -> str:
    """``ours / anchor`` at p50 and mean, and whether the p50 ratio meets ``target``."""
    p50 = ours.p50 / anchor.p50
    mean = ours.mean / anchor.mean
    verdict = "meets" if p50 <= target else "MISSES"
    return f"  ratio      p50 {p50:8.3f}      mean {mean:8.3f}      target <= {target:.2f} (p50 {verdict} it)"
