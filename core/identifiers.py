"""Identifier validation: the one gate every tenant, asset and file name passes.

A validated identifier can be joined into a storage key or a path without ever escaping
its parent: no separators, no dot-only names, no control characters. Identifiers (tenants,
assets, uploads) are ASCII; file names are what people call their files, in any script
(``bünny 🐰.mp4``, ``it's a "quoted" clip.mp4``), NFC-normalised so one name has one spelling.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from core.errors import InvalidIdentifier

__all__ = ["FILENAME_HINT", "validate_filename", "validate_identifier"]

_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_MAX_FILENAME_CHARS: Final = 200
# A stored object's file name gets a sidecar and temp names beside it: 200 bytes keeps all of
# them under the 255 bytes a file system allows.
_MAX_FILENAME_BYTES: Final = 200
# Control, format (bidirectional overrides), surrogate, private-use and unassigned
# characters, and line or paragraph separators: none belongs in a name a person reads.
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
FILENAME_HINT: Final = (
    "File names are 1-200 characters (at most 200 bytes as UTF-8): letters, digits, spaces, "
    "punctuation and symbols in any script, but no '/' or '\\', no control characters, no '..', "
    "and not starting with '.' or ending with '.' or a space."
)


def validate_identifier(value: object, field: str) -> str:
    """Return ``value`` if it is a safe identifier, else raise :class:`InvalidIdentifier`."""
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value) or ".." in value:
        raise InvalidIdentifier(f"{field} is not a valid identifier", value=value)
    return value


def validate_filename(value: object, field: str = "filename") -> str:
    """``value`` NFC-normalised, if it is a safe single path component; else raise."""
    if not isinstance(value, str):
        raise InvalidIdentifier(f"{field} is not a valid file name", value=value, hint=FILENAME_HINT)
    name = unicodedata.normalize("NFC", value)
    if (
        not name
        or len(name) > _MAX_FILENAME_CHARS
        or len(name.encode("utf-8", errors="surrogatepass")) > _MAX_FILENAME_BYTES
        or name.startswith((".", " "))
        or name.endswith((".", " "))
        or ".." in name
        or "/" in name
        or "\\" in name
        or any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in name)
    ):
        raise InvalidIdentifier(f"{field} is not a valid file name", value=value, hint=FILENAME_HINT)
    return name
