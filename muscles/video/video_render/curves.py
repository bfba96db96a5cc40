"""Keyframe lanes as ffmpeg expressions of ``t`` (seconds from the clip's start).

The curves are those of :func:`core.timeline.automation.ease`, so a rendered volume or
brightness follows exactly what the timeline tools report.
"""

from __future__ import annotations

import itertools

from muscles.video.timeline import Keyframe

__all__ = ["lane_expression", "number"]


def number(value: float) -> str:
    """A fixed-point literal ffmpeg parses everywhere (no exponent), stable across runs."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def lane_expression(keys: list[Keyframe], t: str = "t") -> str:
    """``if(lt(t,t1), piece0, if(lt(t,t2), piece1, ... last))`` over the keys; ``t`` names the
    filter's time variable (``it`` in zoompan)."""
    expression = number(keys[-1].value)
    for key, following in reversed(list(itertools.pairwise(keys))):
        expression = f"if(lt({t},{number(following.time_s)}),{_piece(key, following, t)},{expression})"
    return f"if(lt({t},{number(keys[0].time_s)}),{number(keys[0].value)},{expression})"


def _piece(key: Keyframe, following: Keyframe, t: str) -> str:
    start, delta = number(key.value), number(following.value - key.value)
    if key.interpolation == "hold" or delta == "0":
        return start
    share = f"(({t}-{number(key.time_s)})/{number(following.time_s - key.time_s)})"
    if key.interpolation == "ease_in_out":
        share = f"({share}*{share}*(3-2*{share}))"
    return f"({start}+({delta})*{share})"
