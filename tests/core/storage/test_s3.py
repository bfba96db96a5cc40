"""S3Storage against a real moto S3 server over HTTP on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import os
import traceback
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from core.errors import InvalidIdentifier, StorageError
from core.settings import Settings
from core.storage import S3Storage, Storage, asset_key, open_storage, tenant_prefix, upload_key
from tests.conftest import free_port
from tests.core.storage.conftest import write_source

FAKE_ACCESS_KEY_ID = "AKIAFAKEACCESSKEY4242"
FAKE_SECRET = "FAKE-secret-that-must-never-be-shown-9d1c7e"
FAKE_URL_PASSWORD = "FAKE-url-password-3b8e21"
KEY = asset_key("acme", "staging", "a1", "clip.mp4")


def s3_settings(endpoint: str, bucket: str) -> Settings:
    return Settings(
        storage="s3",
        s3_bucket=bucket,
        s3_region="us-east-1",
        s3_endpoint_url=endpoint,
        s3_access_key_id=SecretStr(FAKE_ACCESS_KEY_ID),
        s3_secret_access_key=SecretStr(FAKE_SECRET),
    )


@pytest.fixture
def s3(moto_endpoint: str) -> Iterator[S3Storage]:
    """A fresh bucket per test, reached through the same factory the servers use."""
    storage = open_storage(s3_settings(moto_endpoint, f"media-{uuid.uuid4().hex[:16]}"))
    assert isinstance(storage, S3Storage)
    storage.client.create_bucket(Bucket=storage.bucket)
    yield storage
    for page in storage.client.get_paginator("list_objects_v2").paginate(Bucket=storage.bucket):
        for item in page.get("Contents", []):
            storage.client.delete_object(Bucket=storage.bucket, Key=item["Key"])
    storage.client.delete_bucket(Bucket=storage.bucket)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def test_s3_storage_satisfies_the_storage_protocol(s3: S3Storage) -> None:
    assert isinstance(s3, Storage)
    assert s3.name == "s3"
    s3.ping()


def test_an_upload_is_described_by_head_with_its_checksum(s3: S3Storage, tmp_path: Path) -> None:
    data = os.urandom(100_000)
    sha = write_source(tmp_path / "in.mp4", data)

    stored = s3.put_file(
        KEY, tmp_path / "in.mp4", content_type="video/mp4", sha256=sha, metadata={"Origin": "t"}
    )
    described = s3.head(KEY)

    assert described == stored
    assert described is not None
    assert (described.size_bytes, described.content_type, described.sha256) == (len(data), "video/mp4", sha)
    assert described.metadata == {"origin": "t"}


def test_head_of_a_missing_key_is_none(s3: S3Storage) -> None:
    assert s3.head(KEY) is None


def test_download_copies_the_object_and_leaves_no_temp_file(s3: S3Storage, tmp_path: Path) -> None:
    data = os.urandom(50_000)
    sha = write_source(tmp_path / "in.mp4", data)
    s3.put_file(KEY, tmp_path / "in.mp4", content_type="video/mp4", sha256=sha)

    s3.download(KEY, tmp_path / "out" / "copy.mp4")

    assert (tmp_path / "out" / "copy.mp4").read_bytes() == data
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["copy.mp4"]


def test_downloading_a_missing_key_raises_storage_error_and_leaves_nothing(
    s3: S3Storage, tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()

    with pytest.raises(StorageError):
        s3.download(KEY, tmp_path / "out" / "copy.mp4")

    assert list((tmp_path / "out").iterdir()) == []


def test_delete_removes_the_object_and_tolerates_a_missing_one(s3: S3Storage, tmp_path: Path) -> None:
    sha = write_source(tmp_path / "in.bin", b"x")
    s3.put_file(KEY, tmp_path / "in.bin", content_type="video/mp4", sha256=sha)

    s3.delete(KEY)
    s3.delete(KEY)

    assert s3.head(KEY) is None


def test_a_presigned_get_fetched_over_http_returns_the_same_bytes(
    s3: S3Storage, tmp_path: Path, http: httpx.Client
) -> None:
    data = os.urandom(70_000)
    sha = write_source(tmp_path / "in.mp4", data)
    s3.put_file(KEY, tmp_path / "in.mp4", content_type="video/mp4", sha256=sha)

    response = http.get(s3.presign_get(KEY, 60).url)

    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == sha


def test_a_presigned_put_over_http_stores_the_object(s3: S3Storage, http: httpx.Client) -> None:
    key = upload_key("acme", "staging", "u1", "take.wav")
    data = os.urandom(20_000)
    presigned = s3.presign_put(key, 60, content_type="audio/wav")

    response = http.put(presigned.url, content=data, headers=dict(presigned.headers))

    assert response.status_code == 200, response.text
    info = s3.head(key)
    assert info is not None
    assert (info.size_bytes, info.content_type) == (len(data), "audio/wav")


def test_list_returns_only_keys_under_the_prefix_in_key_order(s3: S3Storage, tmp_path: Path) -> None:
    sha = write_source(tmp_path / "in.bin", b"x")
    keys = [
        asset_key("acme", "staging", "a2", "b.wav"),
        asset_key("acme", "staging", "a1", "a.wav"),
        asset_key("acme", "staging", "a1-b", "a.wav"),
        upload_key("acme", "staging", "a1", "a.wav"),
    ]
    for key in keys:
        s3.put_file(key, tmp_path / "in.bin", content_type="audio/wav", sha256=sha)
    prefix = tenant_prefix("acme", "staging")

    listed = list(s3.list(prefix))

    assert [info.key for info in listed] == sorted(key for key in keys if key.startswith(prefix))
    assert all(info.sha256 == sha for info in listed)
    assert [info.key for info in s3.list(prefix + "a1/")] == [prefix + "a1/a.wav"]


def test_one_tenants_listing_never_returns_another_tenants_objects(s3: S3Storage, tmp_path: Path) -> None:
    sha = write_source(tmp_path / "in.bin", b"x")
    s3.put_file(
        asset_key("a", "staging", "x1", "f.wav"), tmp_path / "in.bin", content_type="audio/wav", sha256=sha
    )
    s3.put_file(
        asset_key("a-b", "staging", "x1", "f.wav"), tmp_path / "in.bin", content_type="audio/wav", sha256=sha
    )

    listed_a = [info.key for info in s3.list(tenant_prefix("a", "staging"))]
    listed_b = [info.key for info in s3.list(tenant_prefix("a-b", "staging"))]

    assert listed_a == [asset_key("a", "staging", "x1", "f.wav")]
    assert listed_b == [asset_key("a-b", "staging", "x1", "f.wav")]


def test_keys_outside_the_layout_are_refused_before_reaching_s3(s3: S3Storage, tmp_path: Path) -> None:
    sha = write_source(tmp_path / "in.bin", b"x")

    with pytest.raises(InvalidIdentifier):
        s3.put_file(
            "tenants/acme/staging/media_v2/../../b/x", tmp_path / "in.bin", content_type="a/b", sha256=sha
        )
    with pytest.raises(InvalidIdentifier):
        s3.list("tenants/")
    with pytest.raises(InvalidIdentifier):
        s3.presign_get("tenants/acme/staging/media_v2/a1/", 60)


def test_a_missing_bucket_is_a_storage_error_that_names_the_setting(moto_endpoint: str) -> None:
    storage = open_storage(s3_settings(moto_endpoint, "no-such-bucket-here"))

    with pytest.raises(StorageError) as caught:
        storage.ping()

    assert caught.value.details["bucket"] == "no-such-bucket-here"


def test_an_unreachable_endpoint_is_a_storage_error_that_shows_no_credentials(tmp_path: Path) -> None:
    # Credentials can also hide in an endpoint's user info; they must not show either.
    storage = open_storage(s3_settings(f"http://user:{FAKE_URL_PASSWORD}@127.0.0.1:{free_port()}", "media"))
    sha = write_source(tmp_path / "in.bin", b"x")
    calls: list[Callable[[], object]] = [
        storage.ping,
        lambda: storage.head(KEY),
        lambda: storage.put_file(KEY, tmp_path / "in.bin", content_type="video/mp4", sha256=sha),
    ]
    failures: list[StorageError] = []

    for call in calls:
        with pytest.raises(StorageError) as caught:
            call()
        failures.append(caught.value)

    for err in failures:
        # The formatted traceback is what a log line would carry, causes included.
        shown = " ".join([str(err), repr(err), json.dumps(err.to_dict()), *traceback.format_exception(err)])
        for secret in (FAKE_SECRET, FAKE_ACCESS_KEY_ID, FAKE_URL_PASSWORD):
            assert secret not in shown
        assert "ATOMS_S3_ENDPOINT_URL" in err.hint
    assert failures[0].details["endpoint"].startswith("http://127.0.0.1:")
