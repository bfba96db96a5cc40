"""register() from each kind of source: a path under the import roots, an http(s) URL
(streamed, checksummed, redirects re-checked), and the same bytes twice."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.media_samples import write_test_video, write_tone_wav
from tests.muscles.media_v2.conftest import MediaServer, call

pytestmark = pytest.mark.anyio


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/redirect-to-clip":
            self.send_response(302)
            self.send_header("Location", "/files/clip.mp4")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        return


@pytest.fixture
def web_root(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on 127.0.0.1 serving tmp/web; yields its base URL and folder."""
    folder = tmp_path / "web"
    (folder / "files").mkdir(parents=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    thread.join()


async def test_register_from_a_url_streams_and_checksums(
    make_media_server: Callable[..., MediaServer], web_root: tuple[str, Path]
) -> None:
    base, folder = web_root
    clip = write_test_video(folder / "files" / "clip.mp4")
    server = make_media_server(allow_private_urls=True)  # the test server is on loopback
    async with server.client() as client:
        is_error, ref, _ = await call(client, "register", {"source": f"{base}/files/clip.mp4"})
        _, redirected, _ = await call(client, "register", {"source": f"{base}/redirect-to-clip"})
        missing_error, missing, _ = await call(client, "register", {"source": f"{base}/files/none.mp4"})
    assert not is_error
    assert ref["sha256"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert ref["filename"] == "clip.mp4" and ref["mime_type"] == "video/mp4"
    assert redirected["sha256"] == ref["sha256"]
    assert missing_error and missing["error"]["code"] == "fetch_failed"


async def test_without_the_allowance_even_a_redirect_target_on_loopback_is_refused(
    media_server: MediaServer, web_root: tuple[str, Path]
) -> None:
    base, _ = web_root
    async with media_server.client() as client:
        is_error, content, _ = await call(client, "register", {"source": f"{base}/redirect-to-clip"})
    assert is_error and content["error"]["code"] == "url_not_allowed"


async def test_the_same_bytes_and_name_give_the_same_ref_and_one_asset(media_server: MediaServer) -> None:
    write_tone_wav(media_server.imports / "a.wav")
    write_tone_wav(media_server.imports / "copy" / "a.wav")
    async with media_server.client() as client:
        _, first, _ = await call(client, "register", {"source": "a.wav"})
        _, second, _ = await call(client, "register", {"source": "copy/a.wav"})
        _, renamed, _ = await call(client, "register", {"source": "a.wav", "filename": "b.wav"})
        _, listing, _ = await call(client, "list_assets", {})
    assert first == second
    assert renamed["asset_id"] == first["asset_id"] and renamed["filename"] == "b.wav"
    assert listing["count"] == 2
