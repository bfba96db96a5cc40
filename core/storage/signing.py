"""HMAC-SHA256 signatures for the local backend's expiring ``/media`` URLs.

A signature binds the HTTP method, the object key and the expiry together, so a URL issued
for downloading one object can neither upload it, reach another object, nor live longer.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

from core.errors import PresignExpired, PresignInvalid

__all__ = ["Method", "sign", "verify"]

Method = Literal["GET", "PUT"]

_METHODS: tuple[Method, ...] = ("GET", "PUT")
# Versioned so the message layout can change later without old signatures verifying against it.
_DOMAIN = "atoms-media-v1"
_HEX_DIGITS = frozenset("0123456789abcdef")


def _message(method: str, key: str, expires_at: int) -> bytes:
    # Keys never contain newlines (check_key refuses control characters), so the fields cannot
    # be shifted into one another to forge a different (method, key, expiry) triple.
    return f"{_DOMAIN}\n{method}\n{key}\n{expires_at}".encode()


def sign(secret: bytes, method: Method, key: str, expires_at: int) -> str:
    """The hex signature of a URL that allows ``method`` on ``key`` until ``expires_at``."""
    if method not in _METHODS:
        raise ValueError(f"cannot sign method {method!r}")
    return hmac.new(secret, _message(method, key, expires_at), hashlib.sha256).hexdigest()


def verify(
    secret: bytes,
    method: str,
    key: str,
    expires_at: str | int | None,
    signature: str | None,
    now: float,
) -> None:
    """Return when the signature allows ``method`` on ``key`` at ``now``; raise otherwise.

    Raises :class:`PresignInvalid` for a missing, malformed or non-matching signature (which
    covers a changed key, method or expiry) and :class:`PresignExpired` for a genuine URL
    whose time is up.
    """
    if method not in _METHODS:
        raise PresignInvalid("presigned URLs allow only GET or PUT", value=method)
    expiry = _parse_expiry(expires_at)
    if not signature or len(signature) != 64 or not _HEX_DIGITS.issuperset(signature):
        raise PresignInvalid("the URL's signature is missing or malformed")
    expected = sign(secret, method, key, expiry)
    # The signature is checked before the expiry so that a forged URL learns nothing about
    # which of its parts were wrong; compare_digest keeps the check constant-time.
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise PresignInvalid("the URL's signature does not match its method, key and expiry")
    if now >= expiry:
        raise PresignExpired("the presigned URL has expired", value=expiry)


def _parse_expiry(expires_at: str | int | None) -> int:
    if isinstance(expires_at, int) and not isinstance(expires_at, bool):
        return expires_at
    # Only the canonical spelling: int() would also accept ' 12', '+12', '012' or '1_2', and a
    # URL should verify only in the exact form it was issued.
    if (
        isinstance(expires_at, str)
        and expires_at.isascii()
        and expires_at.isdigit()
        and len(expires_at) <= 12
    ):
        expiry = int(expires_at)
        if str(expiry) == expires_at:
            return expiry
    raise PresignInvalid("the URL's expiry is missing or malformed", value=expires_at)
