"""LocalStorage's same-disk shortcuts: move_in stores a staged file by rename, link_out hands a
reader a hard link instead of a copy."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from core.errors import InvalidIdentifier, InvalidInput, NotFound
from core.storage import LocalStorage, ObjectInfo, asset_key
from tests.core.storage.conftest import write_source

KEY = asset_key("acme", "local", "a1", "clip.mp4")
OTHER_DEVICE = Path("/dev/shm")


def visible_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_move_in_renames_the_file_into_place_with_its_description(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    data = os.urandom(256 * 1024 + 3)
    source = tmp_path / "staged.part"
    sha = write_source(source, data)
    inode = source.stat().st_ino

    stored = local_storage.move_in(
        KEY, source, content_type="video/mp4", sha256=sha, size_bytes=len(data), metadata={"Origin": "t"}
    )

    expected = ObjectInfo(KEY, len(data), "video/mp4", sha, {"origin": "t"})
    assert stored == expected
    assert local_storage.head(KEY) == expected
    assert not source.exists()
    target = local_storage.root / KEY
    assert target.stat().st_ino == inode  # renamed, not copied
    assert target.read_bytes() == data
    assert target.stat().st_mode & 0o777 == 0o600
    assert visible_files(local_storage.root) == [
        f"{KEY.rsplit('/', 1)[0]}/.clip.mp4.meta.json",
        KEY,
    ]


def test_move_in_refuses_a_file_whose_size_changed_and_stores_nothing(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    source = tmp_path / "staged.part"
    sha = write_source(source, b"0123456789")

    with pytest.raises(InvalidInput) as caught:
        local_storage.move_in(KEY, source, content_type="video/mp4", sha256=sha, size_bytes=9)

    assert caught.value.details["actual_size"] == 10
    assert local_storage.head(KEY) is None
    assert visible_files(local_storage.root) == []


def test_move_in_checks_key_and_checksum_before_touching_the_file(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    source = tmp_path / "staged.part"
    sha = write_source(source, b"data")
    with pytest.raises(InvalidIdentifier):
        local_storage.move_in("tenants/../x", source, content_type="video/mp4", sha256=sha, size_bytes=4)
    with pytest.raises(InvalidInput):
        local_storage.move_in(KEY, source, content_type="video/mp4", sha256="F" * 64, size_bytes=4)
    assert source.read_bytes() == b"data"


def test_move_in_from_another_file_system_returns_none_and_leaves_the_file(
    local_storage: LocalStorage,
) -> None:
    if not OTHER_DEVICE.is_dir() or not os.access(OTHER_DEVICE, os.W_OK):
        pytest.skip("no writable /dev/shm")
    local_storage.root.mkdir(parents=True, exist_ok=True)
    if OTHER_DEVICE.stat().st_dev == local_storage.root.stat().st_dev:
        pytest.skip("/dev/shm is on the same file system as the test's media root")
    with tempfile.TemporaryDirectory(dir=OTHER_DEVICE) as elsewhere:
        source = Path(elsewhere) / "staged.part"
        sha = write_source(source, b"far away")

        assert local_storage.move_in(KEY, source, content_type="video/mp4", sha256=sha, size_bytes=8) is None

        assert source.read_bytes() == b"far away"
        assert local_storage.head(KEY) is None
        assert local_storage.put_file(KEY, source, content_type="video/mp4", sha256=sha).sha256 == sha


def test_link_out_gives_a_hard_link_that_outlives_the_object(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    source = tmp_path / "in.mp4"
    sha = write_source(source, b"stored bytes")
    local_storage.put_file(KEY, source, content_type="video/mp4", sha256=sha)
    dest = tmp_path / "work" / "input-0.mp4"

    assert local_storage.link_out(KEY, dest) is True

    assert dest.stat().st_ino == (local_storage.root / KEY).stat().st_ino
    local_storage.delete(KEY)
    assert dest.read_bytes() == b"stored bytes"
    assert visible_files(local_storage.root) == []


def test_link_out_of_a_missing_or_bad_key_raises_and_creates_nothing(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    dest = tmp_path / "work" / "input-0.mp4"
    with pytest.raises(NotFound):
        local_storage.link_out(KEY, dest)
    with pytest.raises(InvalidIdentifier):
        local_storage.link_out("tenants/acme/../../etc/passwd", dest)
    assert not dest.exists()
