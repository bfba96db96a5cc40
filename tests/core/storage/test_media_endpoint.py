"""The local backend's /media endpoint, served by real uvicorn and called over real HTTP."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from core.storage import LocalStorage, asset_key, media_routes
from tests.core.storage.conftest import FakeClock, write_source

MAX_BYTES = 1024
KEY = asset_key("acme", "local", "a1", "clip.mp4")
OTHER_KEY = asset_key("acme", "local", "a2", "clip.mp4")


@dataclass
class MediaServer:
    storage: LocalStorage
    http: httpx.Client
    clock: FakeClock


@pytest.fixture
def media(tmp_path: Path, clock: FakeClock) -> Iterator[MediaServer]:
    """uvicorn serving media_routes on a free 127.0.0.1 port, in a thread, for one test."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    storage = LocalStorage(tmp_path / "media", base_url=base_url, secret=b"endpoint-secret", clock=clock)
    app = Starlette(routes=media_routes(storage, max_bytes=MAX_BYTES))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        with httpx.Client(trust_env=False, timeout=10) as http:
            yield MediaServer(storage, http, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def store(media: MediaServer, key: str, data: bytes, content_type: str = "video/mp4") -> str:
    source = media.storage.root.parent / "source.bin"
    sha = write_source(source, data)
    media.storage.put_file(key, source, content_type=content_type, sha256=sha)
    return sha


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error body, after checking it is the JSON shape clients rely on and leaks nothing."""
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    body = response.json()
    error: dict[str, Any] = body["error"]
    assert set(body) == {"error"}
    assert error["hint"]
    assert error["message"]
    return error


def staged_files(media: MediaServer) -> list[Path]:
    return list(media.storage.staging_dir().iterdir())


def test_a_presigned_get_streams_the_object_with_its_type_and_length(media: MediaServer) -> None:
    data = os.urandom(300_000)
    sha = store(media, KEY, data)

    response = media.http.get(media.storage.presign_get(KEY, 60).url)

    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["etag"] == f'"{sha}"'
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_text_object_is_served_with_its_stored_type_unchanged(media: MediaServer) -> None:
    store(media, KEY, b"hello", content_type="text/plain")

    response = media.http.get(media.storage.presign_get(KEY, 60).url)

    assert response.headers["content-type"] == "text/plain"


def test_a_head_with_a_get_url_describes_the_object_without_a_body(media: MediaServer) -> None:
    store(media, KEY, b"12345")

    response = media.http.head(media.storage.presign_get(KEY, 60).url)

    assert response.status_code == 200
    assert response.headers["content-length"] == "5"
    assert response.content == b""


def test_a_tampered_signature_is_refused(media: MediaServer) -> None:
    store(media, KEY, b"secret bytes")
    url = media.storage.presign_get(KEY, 60).url
    flipped = "0" if url[-1] != "0" else "1"

    error = error_of(media.http.get(url[:-1] + flipped), 403)

    assert error["code"] == "presign_invalid"


def test_a_url_moved_to_another_key_is_refused(media: MediaServer) -> None:
    store(media, KEY, b"mine")
    store(media, OTHER_KEY, b"someone else's")
    url = media.storage.presign_get(KEY, 60).url

    error = error_of(media.http.get(url.replace("/a1/", "/a2/")), 403)

    assert error["code"] == "presign_invalid"


def test_a_url_moved_outside_the_layout_is_refused_without_touching_disk(media: MediaServer) -> None:
    url = media.storage.presign_get(KEY, 60).url

    response = media.http.get(url.replace("/media/tenants/", "/media/tenants/acme/..%2F..%2F"))

    assert error_of(response, 403)["code"] == "presign_invalid"


def test_a_download_url_cannot_upload(media: MediaServer) -> None:
    store(media, KEY, b"original")
    url = media.storage.presign_get(KEY, 60).url

    error = error_of(media.http.put(url, content=b"replacement"), 403)

    assert error["code"] == "presign_invalid"
    assert (media.storage.root / KEY).read_bytes() == b"original"


def test_a_download_url_relabelled_as_put_still_cannot_upload(media: MediaServer) -> None:
    url = media.storage.presign_get(KEY, 60).url

    error = error_of(media.http.put(url.replace("method=GET", "method=PUT"), content=b"x"), 403)

    assert error["code"] == "presign_invalid"
    assert media.storage.head(KEY) is None


def test_an_upload_url_cannot_download(media: MediaServer) -> None:
    store(media, KEY, b"private")
    url = media.storage.presign_put(KEY, 60, content_type="video/mp4").url

    assert error_of(media.http.get(url), 403)["code"] == "presign_invalid"
    assert error_of(media.http.get(url.replace("method=PUT", "method=GET")), 403)["code"] == "presign_invalid"


def test_an_expired_url_is_refused_as_expired(media: MediaServer) -> None:
    store(media, KEY, b"data")
    url = media.storage.presign_get(KEY, 60).url
    media.clock.now += 60

    error = error_of(media.http.get(url), 403)

    assert error["code"] == "presign_expired"


def test_a_url_for_a_missing_object_answers_not_found(media: MediaServer) -> None:
    error = error_of(media.http.get(media.storage.presign_get(KEY, 60).url), 404)

    assert error["code"] == "not_found"


def test_a_presigned_put_stores_the_body_with_its_sha256_and_type(media: MediaServer) -> None:
    data = os.urandom(MAX_BYTES)
    presigned = media.storage.presign_put(KEY, 60, content_type="audio/wav")

    response = media.http.put(presigned.url, content=data, headers=dict(presigned.headers))

    assert response.status_code == 200, response.text
    info = media.storage.head(KEY)
    assert info is not None
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.content_type == "audio/wav"
    assert info.size_bytes == len(data)
    assert response.json()["sha256"] == info.sha256
    assert (media.storage.root / KEY).read_bytes() == data
    assert staged_files(media) == []


def test_a_chunked_put_without_content_length_is_stored_whole(media: MediaServer) -> None:
    parts = [b"a" * 300, b"b" * 300, b"c" * 300]
    presigned = media.storage.presign_put(KEY, 60, content_type="audio/wav")

    response = media.http.put(presigned.url, content=iter(parts), headers=dict(presigned.headers))

    assert response.status_code == 200, response.text
    assert (media.storage.root / KEY).read_bytes() == b"".join(parts)


def test_an_oversize_put_is_refused_and_nothing_is_stored(media: MediaServer) -> None:
    presigned = media.storage.presign_put(KEY, 60, content_type="video/mp4")

    response = media.http.put(presigned.url, content=b"x" * (MAX_BYTES + 1), headers=dict(presigned.headers))

    assert error_of(response, 413)["code"] == "too_large"
    assert media.storage.head(KEY) is None
    assert staged_files(media) == []


def test_an_oversize_chunked_put_is_refused_midstream_and_its_temp_file_removed(media: MediaServer) -> None:
    presigned = media.storage.presign_put(KEY, 60, content_type="video/mp4")
    chunks = iter([b"x" * 512] * 4)

    response = media.http.put(presigned.url, content=chunks, headers=dict(presigned.headers))

    assert error_of(response, 413)["code"] == "too_large"
    assert media.storage.head(KEY) is None
    assert staged_files(media) == []


def test_an_expired_upload_url_stores_nothing(media: MediaServer) -> None:
    presigned = media.storage.presign_put(KEY, 60, content_type="video/mp4")
    media.clock.now += 3600

    response = media.http.put(presigned.url, content=b"late", headers=dict(presigned.headers))

    assert error_of(response, 403)["code"] == "presign_expired"
    assert media.storage.head(KEY) is None


def test_a_storage_failure_during_put_answers_a_storage_error_without_internals(media: MediaServer) -> None:
    # A file where the asset's folder should be makes the store fail for real.
    folder = media.storage.root / KEY.rpartition("/")[0]
    folder.parent.mkdir(parents=True)
    folder.write_text("in the way")
    presigned = media.storage.presign_put(KEY, 60, content_type="video/mp4")

    response = media.http.put(presigned.url, content=b"data", headers=dict(presigned.headers))

    assert error_of(response, 503)["code"] == "storage_error"
    assert staged_files(media) == []


def test_an_upload_abandoned_midway_leaves_no_object_and_no_temp_file(media: MediaServer) -> None:
    url = httpx.URL(media.storage.presign_put(KEY, 60, content_type="video/mp4").url)
    host, port = url.host, url.port
    assert port is not None
    request_head = (
        f"PUT {url.raw_path.decode()} HTTP/1.1\r\nHost: {host}\r\nContent-Type: video/mp4\r\n"
        f"Content-Length: {MAX_BYTES}\r\n\r\n"
    ).encode()

    with socket.create_connection((host, port), timeout=10) as client:
        client.sendall(request_head + b"x" * 100)
        # Bounded wait until the server has started staging this upload, then hang up.
        deadline = time.monotonic() + 10
        while not staged_files(media):
            assert time.monotonic() < deadline, "the upload was never staged"
            time.sleep(0.01)

    deadline = time.monotonic() + 10
    while staged_files(media):
        assert time.monotonic() < deadline, f"temp files left behind: {staged_files(media)}"
        time.sleep(0.01)
    assert media.storage.head(KEY) is None
