"""Base64 that has been broken up: into lines, into spaced groups, across list items.

An unbroken run of base64 characters as long as a small file is media whatever it says
(:func:`unbroken_run`). A broken-up run is told from prose and lists of ids by how encoders
break it, not by its alphabet alone (prose is base64 characters too):

- the pieces have one width (76 for MIME, 64 for PEM, 4 for spaced groups, 1 for spaced
  characters), a multiple of 4 or at most 4, and only the last one may be shorter;
- ``=`` padding only ends the whole run (a list of padded digests breaks at every item);
- the joined run decodes to a known media signature, or reads like random data: at least
  5 bits of entropy per character (English prose has about 4.2, hex ids 4, decimal digits 3.3)
  and at least one of ``+/-_`` (which ids of letters and digits never have, and 1,024 base64
  characters of compressed media have about 32 of).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import groupby, repeat

from gateway.media_signatures import starts_like_media

__all__ = ["CHAIN", "broken_up", "unbroken_run"]

_CHAR = "[A-Za-z0-9+/_-]"
# Matches start only where a piece starts: without it, every position inside a long piece would
# rescan the rest of it (a body of 1,000-character pieces would cost quadratic time).
_AT_PIECE = rf"(?<!{_CHAR})"
# Pieces of base64 separated by whitespace only.
CHAIN = re.compile(rf"{_CHAR}+={{0,2}}(?:\s+{_CHAR}+={{0,2}})*")
# Where a broken-up run can be (found at C speed; prose rarely offers one): pieces of 8 or more
# characters in a row (lines, wide groups), or a long row of pieces of at most 4 (spaced).
_WIDE = re.compile(rf"{_AT_PIECE}(?:{_CHAR}{{8,}}={{0,2}}\s+)+{_CHAR}+={{0,2}}")
_BODY = re.compile(f"{_CHAR}+")
_MIN_ENTROPY_BITS = 5.0
_SYMBOLS = frozenset("+/-_")


def unbroken_run(minimum: int) -> re.Pattern[str]:
    # Standard and URL-safe alphabets; '=' padding is optional in the wild.
    return re.compile(rf"{_AT_PIECE}{_CHAR}{{{minimum},}}")


def broken_up(text: str, minimum: int) -> bool:
    """Whether ``text`` holds base64 of at least ``minimum`` characters, broken into pieces."""
    wide = (span.group().split() for span in _WIDE.finditer(text))
    return any(_split_run(pieces, minimum) for pieces in (*wide, *_narrow_rows(text, minimum)))


def _narrow_rows(text: str, minimum: int) -> list[list[str]]:
    """Rows of whitespace-separated pieces of at most 4 characters long enough to matter,
    found on the pieces' widths as bytes (a regex over prose itself would cost a scan per word)."""
    pieces = text.split()
    widths = bytes(map(min, map(len, pieces), repeat(5)))  # 5 stands for "wider than 4"
    rows = re.finditer(b"[\x01-\x04]{%d,}" % max(2, minimum // 4), widths)
    return [pieces[row.start() : row.end()] for row in rows]


def _split_run(pieces: Sequence[str], minimum: int) -> bool:
    """Whether consecutive ``pieces`` of one width form base64 of at least ``minimum`` characters."""
    lengths = [len(piece) for piece in pieces]
    start = 0
    for width, group in groupby(lengths):
        end = start + sum(1 for _ in group)
        stop = end + 1 if end < len(lengths) and lengths[end] < width else end  # a shorter last line
        if (
            stop - start > 1
            and (width % 4 == 0 or width <= 4)
            and sum(lengths[start:stop]) >= minimum
            and _reads_as_base64("".join(pieces[start:stop]))
        ):
            return True
        start = end
    return False


def _reads_as_base64(run: str) -> bool:
    body = run.rstrip("=")
    if not _BODY.fullmatch(body):  # padding inside, or a character base64 never has
        return False
    return _has_media_signature(body) or (
        _entropy_bits(body) >= _MIN_ENTROPY_BITS and not _SYMBOLS.isdisjoint(body)
    )


def _has_media_signature(body: str) -> bool:
    head = body[:24].replace("-", "+").replace("_", "/")
    try:
        decoded = base64.b64decode(head, validate=True)
    except (binascii.Error, ValueError):
        return False
    return starts_like_media(decoded)


def _entropy_bits(text: str) -> float:
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values())
