"""Signed media URLs: bound to method, key and expiry; checked in constant time."""

from __future__ import annotations

import pytest

from core.errors import PresignExpired, PresignInvalid
from core.storage.signing import sign, verify

SECRET = b"test-secret"
KEY = "tenants/acme/local/media_v2/a1/clip.mp4"
EXPIRES = 1_700_000_060


def test_a_fresh_signature_verifies() -> None:
    verify(SECRET, "GET", KEY, str(EXPIRES), sign(SECRET, "GET", KEY, EXPIRES), now=EXPIRES - 1)


def test_a_signature_is_refused_from_its_expiry_second_on() -> None:
    signature = sign(SECRET, "GET", KEY, EXPIRES)

    with pytest.raises(PresignExpired):
        verify(SECRET, "GET", KEY, EXPIRES, signature, now=EXPIRES)


@pytest.mark.parametrize(
    ("method", "key", "expires", "secret"),
    [
        ("PUT", KEY, EXPIRES, SECRET),
        ("GET", KEY.replace("a1", "a2"), EXPIRES, SECRET),
        ("GET", KEY, EXPIRES + 3600, SECRET),
        ("GET", KEY, EXPIRES, b"another-secret"),
    ],
)
def test_changing_method_key_expiry_or_secret_invalidates_the_signature(
    method: str, key: str, expires: int, secret: bytes
) -> None:
    signature = sign(SECRET, "GET", KEY, EXPIRES)

    with pytest.raises(PresignInvalid):
        verify(secret, method, key, expires, signature, now=EXPIRES - 1)


def test_a_forged_expired_url_reports_invalid_not_expired() -> None:
    with pytest.raises(PresignInvalid):
        verify(SECRET, "GET", KEY, EXPIRES, "0" * 64, now=EXPIRES + 10)


@pytest.mark.parametrize("expires", [None, "", "abc", "012", "+12", " 12", "1_2", "1e9", "١٢", "9" * 13])
def test_a_malformed_expiry_is_invalid(expires: str | None) -> None:
    with pytest.raises(PresignInvalid):
        verify(SECRET, "GET", KEY, expires, sign(SECRET, "GET", KEY, EXPIRES), now=0)


@pytest.mark.parametrize(
    "signature", [None, "", "abc", "Z" * 64, "é" * 64, sign(SECRET, "GET", KEY, EXPIRES).upper()]
)
def test_a_missing_or_malformed_signature_is_invalid(signature: str | None) -> None:
    with pytest.raises(PresignInvalid):
        verify(SECRET, "GET", KEY, EXPIRES, signature, now=0)


def test_only_get_and_put_can_be_verified() -> None:
    with pytest.raises(PresignInvalid):
        verify(SECRET, "DELETE", KEY, EXPIRES, sign(SECRET, "GET", KEY, EXPIRES), now=0)
