"""Which characters no installed font can draw.

Captions go through libass, which asks fontconfig for a fallback font per character, so a
character renders when any installed font has it (Noto CJK for Chinese, Japanese and Korean,
Noto Color Emoji for emoji, where installed). One that no font has renders as an empty box or
not at all: the render warns and names it instead of failing.
"""

from __future__ import annotations

import bisect
import functools
import subprocess
import unicodedata
from collections.abc import Iterable

__all__ = ["missing_glyphs"]

# Characters that draw nothing by design: controls, format marks (joiners, direction marks),
# combining marks (drawn with their base), variation selectors.
_INVISIBLE = {"Cc", "Cf", "Mn", "Me", "Zs", "Zl", "Zp"}


def missing_glyphs(texts: Iterable[str]) -> list[str]:
    """The distinct visible characters of ``texts`` that no installed font covers, in order of
    code point (empty when fontconfig cannot be asked: nothing is known to be missing then)."""
    starts, ends = _coverage()
    if not starts:
        return []
    missing = set()
    for text in texts:
        for char in text:
            if unicodedata.category(char) in _INVISIBLE:
                continue
            point = ord(char)
            index = bisect.bisect_right(starts, point) - 1
            if index < 0 or point > ends[index]:
                missing.add(char)
    return sorted(missing)


@functools.cache
def _coverage() -> tuple[list[int], list[int]]:
    """The union of every installed font's charset, as sorted, merged [start, end] ranges."""
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return [], []
    ranges = []
    for token in listed.stdout.split():
        first, _, last = token.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    ranges.sort()
    starts: list[int] = []
    ends: list[int] = []
    for low, high in ranges:
        if ends and low <= ends[-1] + 1:
            ends[-1] = max(ends[-1], high)
        else:
            starts.append(low)
            ends.append(high)
    return starts, ends
