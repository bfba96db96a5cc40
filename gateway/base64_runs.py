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

from gateway.media_signatures import starts_like_media

__all__ = ["CHAIN", "split_run", "unbroken_run"]

# Pieces of base64 separated by whitespace only.
CHAIN = re.compile(r"[A-Za-z0-9+/_-]+={0,2}(?:\s+[A-Za-z0-9+/_-]+={0,2})*")
_MIN_ENTROPY_BITS = 5.0
_SYMBOLS = frozenset("+/-_")


def unbroken_run(minimum: int) -> re.Pattern[str]:
    # Standard and URL-safe alphabets; '=' padding is optional in the wild.
    return re.compile(rf"[A-Za-z0-9+/_-]{{{minimum},}}")


def split_run(pieces: Sequence[str], minimum: int) -> bool:
    """Whether consecutive ``pieces`` form base64 of at least ``minimum`` characters, broken up."""
    start, count = 0, len(pieces)
    while start < count:
        width = len(pieces[start])
        last = start
        while last + 1 < count and len(pieces[last + 1]) == width and not pieces[last].endswith("="):
            last += 1
        end = last
        if last + 1 < count and len(pieces[last + 1]) < width and not pieces[last].endswith("="):
            end = last + 1  # the encoder's shorter last line
        if end > start and (width % 4 == 0 or width <= 4):
            joined = "".join(pieces[start : end + 1])
            if len(joined) >= minimum and _reads_as_base64(joined):
                return True
        start = last + 1
    return False


def _reads_as_base64(run: str) -> bool:
    body = run.rstrip("=")
    if "=" in body:
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
