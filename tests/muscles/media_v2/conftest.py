"""A media_v2 server per test, on a scratch data dir and import root, reached over MCP."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from core.settings import Settings


@dataclass
class MediaServer:
    module: Any
    settings: Settings
    imports: Path

    def client(self) -> Client:
        return Client(self.module.server)


def media_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp / "data",
        "import_roots": [tmp / "imports"],
        "signing_key": "test-signing-key",
        "public_base_url": "http://127.0.0.1:8700",
        "tenant_id": "tenant-a",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_media_server(tmp_path: Path) -> Callable[..., MediaServer]:
    def make(**overrides: Any) -> MediaServer:
        (tmp_path / "imports").mkdir(exist_ok=True)
        # A fresh module gives a fresh runtime and server; the generated mcp.py is what runs.
        module = importlib.reload(importlib.import_module("muscles.media.media_v2.mcp"))
        settings = media_settings(tmp_path, **overrides)
        module.runtime.configure(settings)
        return MediaServer(module, settings, tmp_path / "imports")

    return make


@pytest.fixture
def media_server(make_media_server: Callable[..., MediaServer]) -> MediaServer:
    return make_media_server()


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[bool, dict[str, Any], str]:
    """(is_error, structured content, all text content) of one tool call."""
    result = await client.call_tool(tool, arguments)
    text = "\n".join(getattr(block, "text", "") for block in result.content)
    content = result.structured_content
    if content is None:
        content = json.loads(text)
    return bool(result.is_error), content, text
