"""A transcriber server per test on a scratch data dir, reached over MCP in-process.

The Whisper model is cached per process (muscles.audio.transcriber.model.MODELS), so however
many servers the tests make, tiny.en is loaded once for the whole session.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from core.media.ref import MediaRef
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from core.storage import asset_key
from tests.conftest import require
from tests.speech_samples import PARAGRAPH, SENTENCE, espeak_available, write_speech_wav

TENANT = "tenant-a"


@dataclass
class AudioServer:
    """A muscle's generated MCP module, configured on its own data dir, and its media store."""

    module: Any
    settings: Settings
    store: MediaStore

    @property
    def scope(self) -> Scope:
        return Scope(tenant_id=TENANT)

    def client(self) -> Client:
        return Client(self.module.server)

    def register(self, path: Path) -> MediaRef:
        """Store a local file as media_v2 would (it must be decodable media)."""
        staged = self.store.stage_local(path)
        return self.store.register_staged(self.scope, staged, path.name)

    def put_raw(self, path: Path, asset_id: str = "f" * 32) -> str:
        """Store bytes without any media check (as an object written behind media_v2's back)."""
        key = asset_key(TENANT, self.settings.env, asset_id, path.name)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.store.storage.put_file(key, path, content_type="audio/wav", sha256=digest)
        return f"atoms://media/{asset_id}/{path.name}"

    def asset_names(self) -> list[str]:
        return sorted(ref.filename for ref in self.store.list(self.scope))

    def leftovers(self) -> list[str]:
        """Files left in the work folders or the staging area: there must be none after any call."""
        data = self.settings.data_dir
        found = [
            p for folder in (data / "work", self.store.work_dir) if folder.exists() for p in folder.rglob("*")
        ]
        return sorted(str(p.relative_to(data)) for p in found)


def audio_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp / "data",
        "signing_key": "test-signing-key",
        "public_base_url": "http://127.0.0.1:8700",
        "tenant_id": TENANT,
    }
    values.update(overrides)
    return Settings(**values)


def make_server(module_name: str, tmp: Path, **overrides: Any) -> AudioServer:
    # A fresh module gives a fresh runtime and server; the generated mcp.py is what runs.
    module = importlib.reload(importlib.import_module(module_name))
    settings = audio_settings(tmp, **overrides)
    module.runtime.configure(settings)
    return AudioServer(module, settings, MediaStore.from_settings(settings))


@pytest.fixture
def make_transcriber(tmp_path: Path) -> Callable[..., AudioServer]:
    def make(**overrides: Any) -> AudioServer:
        return make_server("muscles.audio.transcriber.mcp", tmp_path, **overrides)

    return make


@pytest.fixture
def transcriber(make_transcriber: Callable[..., AudioServer]) -> AudioServer:
    return make_transcriber()


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    require(espeak_available(), "espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("speech")
    write_speech_wav(folder / "paragraph.wav", PARAGRAPH)
    write_speech_wav(folder / "sentence.wav", SENTENCE)
    yield folder


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """(is_error, structured content) of one tool call."""
    result = await client.call_tool(tool, arguments)
    content = result.structured_content
    if content is None:
        content = json.loads("\n".join(getattr(block, "text", "") for block in result.content))
    return bool(result.is_error), content
