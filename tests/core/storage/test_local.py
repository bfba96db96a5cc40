"""LocalStorage: objects on disk with sidecar descriptions, atomic writes, keys kept under root."""

from __future__ import annotations

import errno
import hashlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, urlsplit

import pytest

from core.errors import InvalidIdentifier, InvalidInput, PresignExpired, StorageError
from core.storage import LocalStorage, ObjectInfo, Storage, asset_key, tenant_prefix, upload_key
from tests.core.storage.conftest import FakeClock, write_source

KEY = asset_key("acme", "local", "a1", "clip.mp4")


def files_under(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def test_local_storage_satisfies_the_storage_protocol(local_storage: LocalStorage) -> None:
    assert isinstance(local_storage, Storage)
    assert local_storage.name == "local"


def test_put_head_download_delete_round_trip_keeps_content_and_checksum(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    sha = write_source(tmp_path / "in.mp4", data)

    stored = local_storage.put_file(
        KEY, tmp_path / "in.mp4", content_type="video/mp4", sha256=sha, metadata={"Origin": "test"}
    )
    described = local_storage.head(KEY)
    local_storage.download(KEY, tmp_path / "out" / "copy.mp4")

    expected = ObjectInfo(KEY, len(data), "video/mp4", sha, {"origin": "test"})
    assert stored == expected
    assert described == expected
    assert (tmp_path / "out" / "copy.mp4").read_bytes() == data
    assert files_under(tmp_path / "out") == ["copy.mp4"]

    local_storage.delete(KEY)

    assert local_storage.head(KEY) is None
    assert list(local_storage.list(tenant_prefix("acme", "local"))) == []
    assert files_under(local_storage.root) == []


def test_deleting_a_missing_key_is_not_an_error(local_storage: LocalStorage) -> None:
    local_storage.delete(KEY)


def test_downloading_a_missing_key_raises_storage_error_and_leaves_no_file(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    with pytest.raises(StorageError):
        local_storage.download(KEY, tmp_path / "out.mp4")

    assert not (tmp_path / "out.mp4").exists()


def test_list_returns_objects_in_key_order_without_sidecars(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    sha = write_source(tmp_path / "in.bin", b"x")
    keys = [
        asset_key("acme", "local", "a1", "b.wav"),
        asset_key("acme", "local", "a1", "a.wav"),
        asset_key("acme", "local", "a1-b", "c.wav"),
        asset_key("acme", "local", "a2", "d.wav"),
    ]
    for key in keys:
        local_storage.put_file(key, tmp_path / "in.bin", content_type="audio/wav", sha256=sha)

    listed = list(local_storage.list(tenant_prefix("acme", "local")))

    assert [info.key for info in listed] == sorted(keys)
    assert all(info.sha256 == sha and info.content_type == "audio/wav" for info in listed)
    # The sidecars are on disk, yet never listed.
    assert any(Path(name).name.endswith(".meta.json") for name in files_under(local_storage.root))


def test_list_honours_prefixes_down_to_partial_names(local_storage: LocalStorage, tmp_path: Path) -> None:
    sha = write_source(tmp_path / "in.bin", b"x")
    for asset in ("a1", "a1-b", "a12", "b1"):
        local_storage.put_file(
            asset_key("acme", "local", asset, "f.wav"),
            tmp_path / "in.bin",
            content_type="audio/wav",
            sha256=sha,
        )
    local_storage.put_file(
        upload_key("acme", "local", "a1", "f.wav"), tmp_path / "in.bin", content_type="audio/wav", sha256=sha
    )
    prefix = tenant_prefix("acme", "local")

    def listed(prefix: str) -> list[str]:
        return [info.key for info in local_storage.list(prefix)]

    assert listed(prefix + "a1/") == [prefix + "a1/f.wav"]
    assert listed(prefix + "a1") == [prefix + "a1-b/f.wav", prefix + "a1/f.wav", prefix + "a12/f.wav"]
    assert listed(prefix + "b") == [prefix + "b1/f.wav"]
    assert listed(tenant_prefix("acme", "local", "media_v2_uploads")) == [
        upload_key("acme", "local", "a1", "f.wav")
    ]


def test_a_tenants_listing_never_includes_a_similarly_named_tenant(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    sha = write_source(tmp_path / "in.bin", b"x")
    for tenant in ("a", "a-b", "ab"):
        local_storage.put_file(
            asset_key(tenant, "local", "x1", "f.wav"),
            tmp_path / "in.bin",
            content_type="audio/wav",
            sha256=sha,
        )

    for tenant in ("a", "a-b", "ab"):
        prefix = tenant_prefix(tenant, "local")
        assert [info.key for info in local_storage.list(prefix)] == [prefix + "x1/f.wav"]


def test_a_damaged_or_stale_sidecar_yields_an_unknown_checksum_never_a_wrong_one(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    sha = write_source(tmp_path / "in.bin", b"twelve bytes")
    local_storage.put_file(KEY, tmp_path / "in.bin", content_type="video/mp4", sha256=sha)
    sidecar = local_storage.root / KEY.rpartition("/")[0] / ".clip.mp4.meta.json"
    assert sidecar.is_file()

    # A different-size object under the old sidecar: what a reader sees mid-overwrite.
    (local_storage.root / KEY).write_bytes(b"other")
    stale = local_storage.head(KEY)
    sidecar.write_text("{not json")
    damaged = local_storage.head(KEY)

    assert stale == damaged == ObjectInfo(KEY, 5, "application/octet-stream", None, {})
    assert [info.key for info in local_storage.list(tenant_prefix("acme", "local"))] == [KEY]


def test_list_refuses_a_malformed_prefix_when_called(local_storage: LocalStorage) -> None:
    with pytest.raises(InvalidIdentifier):
        local_storage.list("tenants/../")


@pytest.mark.parametrize(
    "key",
    [
        "tenants/acme/local/media_v2/../../../../../etc/passwd",
        "../outside/local/media_v2/a1/x",
        "/etc/passwd",
        "tenants/acme/local/media_v2/a1/",
    ],
)
def test_a_key_outside_the_layout_is_refused_by_every_operation(
    local_storage: LocalStorage, tmp_path: Path, key: str
) -> None:
    sha = write_source(tmp_path / "in.bin", b"x")

    with pytest.raises(InvalidIdentifier):
        local_storage.put_file(key, tmp_path / "in.bin", content_type="text/plain", sha256=sha)
    with pytest.raises(InvalidIdentifier):
        local_storage.head(key)
    with pytest.raises(InvalidIdentifier):
        local_storage.delete(key)
    with pytest.raises(InvalidIdentifier):
        local_storage.presign_get(key, 60)


def test_a_key_that_resolves_outside_root_through_a_symlink_is_refused(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (local_storage.root / "tenants" / "acme").mkdir(parents=True)
    (local_storage.root / "tenants" / "acme" / "local").symlink_to(outside, target_is_directory=True)
    sha = write_source(tmp_path / "in.bin", b"x")

    with pytest.raises(InvalidIdentifier):
        local_storage.put_file(KEY, tmp_path / "in.bin", content_type="video/mp4", sha256=sha)
    with pytest.raises(InvalidIdentifier):
        local_storage.head(KEY)

    assert list(outside.iterdir()) == []


def test_put_refuses_content_that_does_not_match_its_sha256_and_stores_nothing(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    write_source(tmp_path / "in.bin", b"actual content")

    with pytest.raises(InvalidInput) as caught:
        local_storage.put_file(
            KEY, tmp_path / "in.bin", content_type="video/mp4", sha256=hashlib.sha256(b"other").hexdigest()
        )

    assert caught.value.details["actual_sha256"] == hashlib.sha256(b"actual content").hexdigest()
    assert local_storage.head(KEY) is None
    assert files_under(local_storage.root) == []


def test_put_from_a_missing_source_raises_storage_error_and_leaves_nothing(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    with pytest.raises(StorageError):
        local_storage.put_file(KEY, tmp_path / "gone.mp4", content_type="video/mp4", sha256="0" * 64)

    assert files_under(local_storage.root) == []


def test_put_refuses_a_malformed_sha256(local_storage: LocalStorage, tmp_path: Path) -> None:
    write_source(tmp_path / "in.bin", b"x")

    with pytest.raises(InvalidInput):
        local_storage.put_file(KEY, tmp_path / "in.bin", content_type="video/mp4", sha256="ABC")


@contextmanager
def fifo_writer(path: Path, put: Future[ObjectInfo]) -> Iterator[BinaryIO]:
    """Open the write end of a FIFO once put_file has opened the read end (bounded wait)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            # Non-blocking open fails with ENXIO until a reader exists, so this cannot hang.
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO or put.done() or time.monotonic() > deadline:
                raise AssertionError(f"put_file never opened its source ({put.done()=})") from exc
            time.sleep(0.01)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "wb") as writer:
        yield writer


def wait_for_staged_bytes(folder: Path) -> None:
    """Return once a hidden temp file beside the target holds some bytes (bounded wait)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if folder.is_dir() and any(
            p.name.endswith(".tmp") and p.stat().st_size > 0 for p in folder.iterdir()
        ):
            return
        time.sleep(0.01)
    raise AssertionError("put_file never started writing its temp file")


def test_readers_see_the_old_object_until_an_overwrite_completes(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    old = b"old content"
    old_sha = write_source(tmp_path / "old.bin", old)
    local_storage.put_file(KEY, tmp_path / "old.bin", content_type="video/mp4", sha256=old_sha)
    new = os.urandom(4 * 1024 * 1024)
    fifo = tmp_path / "source.fifo"
    os.mkfifo(fifo)

    with ThreadPoolExecutor(max_workers=1) as pool:
        put = pool.submit(
            local_storage.put_file,
            KEY,
            fifo,
            content_type="video/mp4",
            sha256=hashlib.sha256(new).hexdigest(),
        )
        with fifo_writer(fifo, put) as writer:
            writer.write(new[: 3 * 1024 * 1024])
            writer.flush()
            wait_for_staged_bytes(local_storage.root / KEY.rpartition("/")[0])

            # Mid-copy: the name still holds the old object and its old description.
            assert local_storage.head(KEY) == ObjectInfo(KEY, len(old), "video/mp4", old_sha, {})
            local_storage.download(KEY, tmp_path / "during.bin")
            assert (tmp_path / "during.bin").read_bytes() == old

            writer.write(new[3 * 1024 * 1024 :])
        stored = put.result(timeout=10)

    assert stored.sha256 == hashlib.sha256(new).hexdigest()
    assert (local_storage.root / KEY).read_bytes() == new
    assert not [name for name in files_under(local_storage.root) if name.endswith(".tmp")]


def test_a_copy_cut_short_midway_stores_nothing_and_leaves_no_temp_file(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    data = os.urandom(4 * 1024 * 1024)
    fifo = tmp_path / "source.fifo"
    os.mkfifo(fifo)

    with ThreadPoolExecutor(max_workers=1) as pool:
        put = pool.submit(
            local_storage.put_file,
            KEY,
            fifo,
            content_type="video/mp4",
            sha256=hashlib.sha256(data).hexdigest(),
        )
        with fifo_writer(fifo, put) as writer:
            writer.write(data[: 3 * 1024 * 1024])
            writer.flush()
            wait_for_staged_bytes(local_storage.root / KEY.rpartition("/")[0])
            assert local_storage.head(KEY) is None
        # The writer closed early: the source ended halfway through.
        with pytest.raises(InvalidInput):
            put.result(timeout=10)

    assert local_storage.head(KEY) is None
    assert files_under(local_storage.root) == []


def test_presigned_get_url_carries_method_expiry_and_signature(
    local_storage: LocalStorage, clock: FakeClock
) -> None:
    key = asset_key("acme", "local", "a1", "My Clip (v2)+.mp4")

    presigned = local_storage.presign_get(key, ttl_s=60)

    url = urlsplit(presigned.url)
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc) == ("http", "media.test")
    assert url.path == "/media/tenants/acme/local/media_v2/a1/My%20Clip%20%28v2%29%2B.mp4"
    assert query["method"] == ["GET"]
    assert query["expires"] == [str(int(clock.now) + 60)]
    assert len(query["signature"][0]) == 64
    assert presigned.method == "GET"
    assert presigned.expires_at == int(clock.now) + 60


def test_presigned_put_asks_for_its_content_type(local_storage: LocalStorage) -> None:
    presigned = local_storage.presign_put(KEY, ttl_s=60, content_type="video/mp4")

    assert presigned.method == "PUT"
    assert presigned.headers == {"Content-Type": "video/mp4"}
    assert "method=PUT" in presigned.url


def test_presigned_urls_verify_only_until_they_expire(local_storage: LocalStorage, clock: FakeClock) -> None:
    presigned = local_storage.presign_get(KEY, ttl_s=60)
    query = {name: values[0] for name, values in parse_qs(urlsplit(presigned.url).query).items()}

    local_storage.check_presigned("GET", KEY, query["expires"], query["signature"])
    clock.now += 60
    with pytest.raises(PresignExpired):
        local_storage.check_presigned("GET", KEY, query["expires"], query["signature"])


def test_a_presign_ttl_below_one_second_is_refused(local_storage: LocalStorage) -> None:
    with pytest.raises(InvalidInput):
        local_storage.presign_get(KEY, ttl_s=0)


def test_ping_succeeds_on_a_writable_root(local_storage: LocalStorage) -> None:
    local_storage.ping()

    assert local_storage.root.is_dir()
    assert files_under(local_storage.root) == []


def test_ping_raises_storage_error_when_the_root_cannot_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "media").write_text("a file where the media folder should be")
    storage = LocalStorage(tmp_path / "media", base_url="http://media.test", secret=b"s")

    with pytest.raises(StorageError):
        storage.ping()
