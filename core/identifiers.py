"""Identifier validation: the one gate every tenant, asset and file name passes.

A validated identifier can be joined into a storage key or a path without ever escaping
its parent: no separators, no dot-only names, no control characters.
"""

from __future__ import annotations

import re

from core.errors import InvalidIdentifier

__all__ = ["validate_filename", "validate_identifier"]

_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# File names allow spaces and a few more punctuation marks, but still no separators.
_FILENAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 ._()+,=@-]{0,199}")


def validate_identifier(value: object, field: str) -> str:
    """Return ``value`` if it is a safe identifier, else raise :class:`InvalidIdentifier`."""
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value) or ".." in value:
        raise InvalidIdentifier(f"{field} is not a valid identifier", value=value)
    return value


def validate_filename(value: object, field: str = "filename") -> str:
    """Return ``value`` if it is a safe single path component, else raise."""
    if (
        not isinstance(value, str)
        or not _FILENAME.fullmatch(value)
        or ".." in value
        or value.endswith((" ", "."))
    ):
        raise InvalidIdentifier(
            f"{field} is not a valid file name",
            value=value,
            hint="File names are 1-200 characters of letters, digits, spaces and ._()+,=@- with no "
            "'/', '..' or control characters.",
        )
    return value
