"""Storage fixtures: a controllable clock and a local store (the moto S3 server is in tests/conftest.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from core.storage import LocalStorage


class FakeClock:
    """A clock the test moves by hand; presigned URLs read their time from it."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def local_storage(tmp_path: Path, clock: FakeClock) -> LocalStorage:
    return LocalStorage(tmp_path / "media", base_url="http://media.test/", secret=b"test-secret", clock=clock)


def write_source(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` and return its sha256, as a caller of put_file would."""
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()
