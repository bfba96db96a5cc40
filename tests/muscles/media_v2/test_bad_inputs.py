"""Bad input comes back as a tool error with a stable code and a hint, never a traceback,
and leaves nothing behind (no asset, no staged temp file)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.media_samples import write_test_video, write_tone_wav, write_truncated
from tests.muscles.media_v2.conftest import MediaServer, call

pytestmark = pytest.mark.anyio


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _setup_text_file(imports: Path) -> dict[str, Any]:
    (imports / "notes.mp4").write_text("this is plain text pretending to be a video\n" * 20)
    return {"source": "notes.mp4"}


def _setup_truncated_mp4(imports: Path) -> dict[str, Any]:
    full = write_test_video(imports.parent / "full.mp4")
    write_truncated(full, imports / "broken.mp4", keep=0.4)
    return {"source": "broken.mp4"}


def _setup_symlink_escape(imports: Path) -> dict[str, Any]:
    secret = imports.parent / "secret.wav"
    write_tone_wav(secret)
    (imports / "link.wav").symlink_to(secret)
    return {"source": "link.wav"}


def _setup_dotdot(imports: Path) -> dict[str, Any]:
    write_tone_wav(imports.parent / "outside.wav")
    return {"source": "../outside.wav"}


def _setup_absolute_outside(imports: Path) -> dict[str, Any]:
    return {"source": "/etc/passwd"}


def _setup_big_file(imports: Path) -> dict[str, Any]:
    write_tone_wav(imports / "long.wav", seconds=2.0)  # 64 KB, over the 10 KB limit below
    return {"source": "long.wav"}


CASES: list[tuple[str, str, Callable[[Path], dict[str, Any]] | dict[str, Any], str, dict[str, Any]]] = [
    ("wrong type", "register", {"source": 42}, "invalid_arguments", {}),
    ("missing field", "register", {}, "invalid_arguments", {}),
    ("extra nesting", "stat", {"uri": {"nested": True}}, "invalid_arguments", {}),
    ("dot-dot in uri", "stat", {"uri": "atoms://media/../etc/passwd"}, "invalid_input", {}),
    ("dot-dot asset id", "stat", {"uri": "atoms://media/..x/a.wav"}, "invalid_identifier", {}),
    ("slash in filename", "presign_upload", {"filename": "a/b.wav"}, "invalid_identifier", {}),
    ("dot-dot filename", "register", {"source": "x.wav", "filename": "../x.wav"}, "invalid_identifier", {}),
    (
        "unknown asset",
        "stat",
        {"uri": "atoms://media/0123456789abcdef0123456789abcdef/a.wav"},
        "asset_not_found",
        {},
    ),
    (
        "delete unknown asset",
        "delete",
        {"uri": "atoms://media/0123456789abcdef0123456789abcdef/a.wav"},
        "asset_not_found",
        {},
    ),
    ("file over the size limit", "register", _setup_big_file, "too_large", {"max_asset_bytes": 10_000}),
    ("URL to loopback", "register", {"source": "http://127.0.0.1:9/a.wav"}, "url_not_allowed", {}),
    ("URL to a private address", "register", {"source": "http://10.1.2.3/a.wav"}, "url_not_allowed", {}),
    (
        "URL to link-local metadata",
        "register",
        {"source": "http://169.254.169.254/latest"},
        "url_not_allowed",
        {},
    ),
    (
        "URL with credentials",
        "register",
        {"source": "http://user:pw@example.com/a.wav"},
        "url_not_allowed",
        {},
    ),
    ("unsupported scheme", "register", {"source": "file:///etc/passwd"}, "invalid_input", {}),
    ("path outside the import roots", "register", _setup_absolute_outside, "path_not_allowed", {}),
    ("dot-dot out of the import root", "register", _setup_dotdot, "path_not_allowed", {}),
    ("symlink out of the import root", "register", _setup_symlink_escape, "path_not_allowed", {}),
    (
        "no import roots configured",
        "register",
        {"source": "/tmp/x.wav"},
        "path_not_allowed",
        {"import_roots": []},
    ),
    ("non-media file", "register", _setup_text_file, "not_media", {}),
    ("truncated MP4", "register", _setup_truncated_mp4, "media_unreadable", {}),
    (
        "upload that never arrived",
        "register",
        {"source": "upload://up-0123456789abcdef01234567"},
        "upload_not_found",
        {},
    ),
    ("ttl out of range", "presign_upload", {"filename": "a.wav", "ttl_s": 0}, "invalid_input", {}),
    ("NUL in the path", "register", {"source": "clip\x00.wav"}, "path_not_allowed", {}),
    ("5,000-character path", "register", {"source": "x" * 5000}, "path_not_allowed", {}),
    ("300-character folder name", "register", {"source": "d" * 300 + "/a.wav"}, "path_not_allowed", {}),
    (
        "5,000-character file name",
        "register",
        {"source": "a.wav", "filename": "y" * 5000},
        "invalid_identifier",
        {},
    ),
    (
        "NUL in a URL's path",
        "register",
        {"source": "https://example.com/a\x00.wav"},
        "invalid_identifier",
        {},
    ),
    ("NUL in a URL's host", "register", {"source": "https://exa\x00mple.com/a.wav"}, "url_not_allowed", {}),
]


@pytest.mark.parametrize(("what", "tool", "arguments", "code", "settings"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input_is_a_coded_tool_error_and_leaves_nothing(
    make_media_server: Callable[..., MediaServer],
    what: str,
    tool: str,
    arguments: Callable[[Path], dict[str, Any]] | dict[str, Any],
    code: str,
    settings: dict[str, Any],
) -> None:
    server = make_media_server(**settings)
    args = arguments(server.imports) if callable(arguments) else arguments
    async with server.client() as client:
        is_error, content, text = await call(client, tool, args)
        _, listing, _ = await call(client, "list_assets", {})

    assert is_error, f"{what}: expected an error, got {content}"
    error = content["error"]
    assert error["code"] == code, f"{what}: {error}"
    assert error["hint"] and error["message"]
    assert "Traceback" not in text and 'File "' not in text
    assert listing["count"] == 0
    staging = server.settings.data_dir / "staging"
    assert not staging.exists() or not any(staging.iterdir()), f"{what}: staged files left behind"


async def test_unknown_tool_is_a_coded_tool_error(media_server: MediaServer) -> None:
    async with media_server.client() as client:
        is_error, content, _ = await call(client, "format_disk", {})
    assert is_error
    assert content["error"]["code"] == "unknown_tool"
