"""register() from each kind of source: a path under the import roots, an http(s) URL
(streamed, checksummed, redirects re-checked), and the same bytes twice; and one tenant's
slow URL fetches, bounded per tenant and by the deadline, leaving other tenants' calls fast."""

from __future__ import annotations

import hashlib
import http.server
import socket
import statistics
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from pathlib import Path

import anyio
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from core.serving.app import MountedMuscle, build_http_app
from tests.core.http_servers import trickle_server
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


async def test_files_in_nested_folders_under_the_root_register(media_server: MediaServer) -> None:
    tone = write_tone_wav(media_server.imports / "2024" / "march" / "takes" / "tone.wav")
    async with media_server.client() as client:
        is_error, ref, _ = await call(client, "register", {"source": "2024/march/takes/tone.wav"})
        _, absolute, _ = await call(client, "register", {"source": str(tone)})
    assert not is_error and ref["filename"] == "tone.wav"
    assert absolute == ref


TOKENS = {"tenant-a": "token-for-a-0123456789", "tenant-b": "token-for-b-9876543210"}


@contextmanager
def serving_over_http(server: MediaServer) -> Iterator[str]:
    """The generated media_v2 server in the suite's HTTP app (bearer tokens pick the tenant),
    run by uvicorn in a thread of its own; yields its MCP URL."""
    mounted = MountedMuscle("media_v2", server.module.server, server.module.runtime)
    app = build_http_app([mounted], server.settings)
    # Listening before uvicorn starts: early connections wait in the backlog, no polling.
    sock = socket.create_server(("127.0.0.1", 0))
    uv = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/media_v2/mcp"
    finally:
        uv.should_exit = True
        thread.join(timeout=15)
        sock.close()


@asynccontextmanager
async def tenant_client(url: str, tenant: str) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {TOKENS[tenant]}"}
    async with (
        httpx2.AsyncClient(headers=headers, trust_env=False, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


async def _list_assets_time(client: Client) -> float:
    started = time.perf_counter()
    is_error, _, _ = await call(client, "list_assets", {})
    assert not is_error
    return time.perf_counter() - started


async def test_one_tenants_slow_fetches_are_bounded_and_do_not_slow_another_tenant(
    make_media_server: Callable[..., MediaServer],
) -> None:
    limit, slow_calls = 4, 45
    server = make_media_server(
        allow_private_urls=True,  # the trickling server is on loopback
        auth_tokens=TOKENS,
        fetch_deadline_s=3.0,
        fetch_timeout_s=30.0,  # each byte comes well within it: only the deadline can cut
        fetch_concurrency_per_tenant=limit,
    )
    codes: list[str] = []
    refusals_back = anyio.Event()
    with trickle_server(interval_s=1.0, length=60) as (port, seen), serving_over_http(server) as url:
        async with tenant_client(url, "tenant-a") as a, tenant_client(url, "tenant-b") as b:

            async def slow_register() -> None:
                is_error, content, _ = await call(
                    b, "register", {"source": f"http://127.0.0.1:{port}/slow.mp4"}
                )
                codes.append(content["error"]["code"] if is_error else "registered")
                if codes.count("fetch_limit_reached") == slow_calls - limit:
                    refusals_back.set()

            with anyio.fail_after(20):
                await _list_assets_time(a)  # the session's first call warms up
                idle = statistics.median([await _list_assets_time(a) for _ in range(3)])
                async with anyio.create_task_group() as tasks:
                    for _ in range(slow_calls):
                        tasks.start_soon(slow_register)
                    # Bounded waits for the signals: B's admitted fetches are at the server and
                    # every call beyond them has its answer.
                    await anyio.to_thread.run_sync(seen.wait_for_requests, limit, 5.0)
                    with anyio.move_on_after(5):
                        await refusals_back.wait()
                    loaded = max([await _list_assets_time(a) for _ in range(3)])
                    open_while_measured = seen.open_now

    assert loaded < idle * 5 + 0.5, f"list_assets took {loaded:.3f}s under load, {idle:.3f}s idle"
    assert open_while_measured == limit, "B's fetches had ended before A was measured"
    assert sorted(codes) == ["fetch_limit_reached"] * (slow_calls - limit) + ["fetch_timeout"] * limit
    assert len(seen.requests) == limit and seen.most_open == limit
