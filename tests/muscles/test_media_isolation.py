"""No muscle reads another tenant's media through a playlist.

The attack: tenant A stores a small file that sniffs as MP3 (an ID3 header) but is an HLS
playlist naming tenant B's private recording, by a path relative to the muscles' work
folders or by an absolute ``file:`` URL. Registration refuses it; and where such a file is in
storage anyway (stored before the defence, with a probe that calls it MP3, or with none),
every tool that reads media fails with a coded error instead of reading tenant B's file.

The tools come from the muscles themselves: every tool whose input schema has a ``uri`` field
must appear in :data:`READERS` (it decodes the media) or :data:`NOT_READERS` (it only looks
up the asset), so a new muscle's media-reading tool is covered the day it is written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from core.discovery import find_services, mcp_module, project_root
from core.media.probe import MediaInfo
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from core.storage import asset_key
from sentinel.generate import introspect
from tests.conftest import require
from tests.media_samples import write_test_video
from tests.speech_samples import SENTENCE, espeak_available, write_speech_wav

ATTACKER, VICTIM = Scope(tenant_id="tenant-a"), Scope(tenant_id="tenant-b")
ID3_HEADER = b"ID3\x03\x00\x00\x00\x00\x00\x00"
# Work folders sit two levels under the data dir (work/<call or job>/).
WORK_DEPTH = 2
MEDIA_ERRORS = {
    "container_not_allowed",
    "media_unreadable",
    "ffmpeg_failed",
    "no_audio_stream",
    "no_video_stream",
}


def _timeline(own_video: str) -> Callable[[str], dict[str, Any]]:
    def request(uri: str) -> dict[str, Any]:
        return {
            "timeline": {
                "tracks": [
                    {"id": "v", "clips": [{"id": "own", "uri": own_video, "source_out_s": 1}]},
                    {"id": "m", "kind": "audio", "clips": [{"id": "evil", "uri": uri, "source_out_s": 1}]},
                ],
                "output": {"preset": "ultrafast"},
            }
        }

    return request


# muscle -> tool -> request for a media uri (the render's needs the attacker's own video too).
READERS: dict[str, dict[str, str]] = {
    "transcriber": {"transcribe": "uri"},
    "audio_capture_normalize": {"normalize": "uri"},
    "video_render": {"render": "timeline", "preview_frames": "timeline_times"},
    "video_slowmo": {"slowmo": "uri", "interpolate": "uri_fps"},
    "video_multicam": {"align": "uris"},
    "video_360": {"perspective": "uri"},
    "air_canvas": {"trace": "uri"},
    "video_review": {"thumbnail": "uri", "contact_sheet": "uri", "detect_scenes": "uri"},
}
# Tools that run the same code as a tool above (as a job), so the call above covers them.
SAME_AS: dict[str, dict[str, str]] = {
    "video_render": {"submit_render": "render"},
    "transcriber": {"submit_transcribe": "transcribe"},
    "video_slowmo": {"submit_slowmo": "slowmo", "submit_interpolate": "interpolate"},
    # Each render of a batch is video_render's own render job (its check runs before queueing).
    "video_batch_render": {"queue_batch": "video_render.render"},
    "air_canvas": {"submit_trace": "trace"},
    # Every video_360 tool opens its input through the same workspace.open and work.project.
    "video_360": {
        "submit_perspective": "perspective",
        "reframe": "perspective",
        "submit_reframe": "perspective",
        "cubemap": "perspective",
        "submit_cubemap": "perspective",
        "to_equirect": "perspective",
        "submit_to_equirect": "perspective",
    },
}
# Tools that take a uri but only look the asset up (no decoding), or never see media bytes.
NOT_READERS: dict[str, set[str]] = {
    "media_v2": {"stat", "resolve", "presign_download", "delete"},
    "video_timeline": {"validate", "split", "apply_automation", "describe"},
    "video_focus_automation": {"focus_automation"},  # edits keyframes of a timeline it never opens
}


def _request(shape: str, uri: str, own_uri: str) -> dict[str, Any]:
    if shape == "uri":
        return {"uri": uri}
    if shape == "uri_fps":
        return {"uri": uri, "fps": 50}
    if shape == "uris":
        return {"uris": [own_uri, uri]}
    if shape == "timeline_times":
        return {**_timeline(own_uri)(uri), "times_s": [0.0]}
    return _timeline(own_uri)(uri)


def _mentions_uri(schema: Any) -> bool:
    if isinstance(schema, dict):
        return "uri" in (schema.get("properties") or {}) or any(_mentions_uri(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_mentions_uri(item) for item in schema)
    return False


SPECS = {location.name: (location, introspect(location)) for location in find_services(project_root())}


def test_every_tool_that_takes_media_is_covered() -> None:
    for name, (_, spec) in SPECS.items():
        for tool in spec.tools:
            if _mentions_uri(tool.input_schema):
                covered = any(tool.name in table.get(name, ()) for table in (READERS, SAME_AS, NOT_READERS))
                assert covered, f"{name}.{tool.name} takes a media uri: add it to READERS or NOT_READERS"


@dataclasses.dataclass
class Planted:
    uri: str
    what: str


@pytest.fixture
def data(tmp_path: Path) -> Iterator[tuple[Settings, MediaStore]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        tenant_id=ATTACKER.tenant_id,
        import_roots=[tmp_path / "imports"],
        signing_key="test-signing-key",  # type: ignore[arg-type]
        dask_workers=1,
    )
    yield settings, MediaStore.from_settings(settings)


def _victim_recording(store: MediaStore, tmp: Path) -> Path:
    """Tenant B's private recording, stored as media_v2 stores it; its path on disk."""
    require(espeak_available(), "espeak-ng is not installed")
    wav = write_speech_wav(tmp / "private.wav", SENTENCE)
    ref = store.register_staged(VICTIM, store.stage_local(wav), "private.wav")
    key = asset_key(VICTIM.tenant_id, "local", ref.asset_id, ref.filename)
    path = store.work_dir.parent / "media" / key
    assert path.is_file()
    return path


def _playlists(secret: Path, data_dir: Path) -> dict[str, bytes]:
    relative = Path(*[".."] * WORK_DEPTH) / secret.relative_to(data_dir)
    entries = {"relative": str(relative), "file-url": f"file:{secret}"}
    return {
        name: ID3_HEADER
        + f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:2.0,\n{entry}\n#EXT-X-ENDLIST\n".encode()
        for name, entry in entries.items()
    }


def _plant(store: MediaStore, tmp: Path, name: str, body: bytes, probe: MediaInfo | None) -> str:
    """Store ``body`` in the attacker's media behind media_v2's checks (as an old release might
    have), with ``probe`` recorded as the probe of its registration."""
    path = tmp / f"{name}.mp3"
    path.write_bytes(body)
    digest = hashlib.sha256(body).hexdigest()
    metadata = None
    if probe is not None:
        metadata = {"probe": json.dumps(dataclasses.asdict(probe), sort_keys=True), "duration_s": "2.0"}
    key = asset_key(ATTACKER.tenant_id, "local", digest[:32], path.name)
    store.storage.put_file(key, path, content_type="audio/mpeg", sha256=digest, metadata=metadata)
    return f"atoms://media/{digest[:32]}/{path.name}"


FORGED_MP3 = MediaInfo(
    format_name="mp3", duration_s=2.0, has_video=False, has_audio=True, sample_rate=22050, channels=1
)
RECORDED_HLS = dataclasses.replace(FORGED_MP3, format_name="hls")


def test_registration_refuses_playlists(data: tuple[Settings, MediaStore], tmp_path: Path) -> None:
    settings, store = data
    secret = _victim_recording(store, tmp_path)
    for name, body in _playlists(secret, settings.data_dir).items():
        path = tmp_path / "imports" / f"{name}.mp3"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(body)
        module = importlib.reload(importlib.import_module("muscles.media.media_v2.mcp"))
        module.runtime.configure(settings)

        async def register(module: Any = module, path: Path = path) -> Any:
            async with Client(module.server) as client:
                return await client.call_tool("register", {"source": str(path)})

        result = anyio.run(register)
        assert result.is_error, name
        error = result.structured_content["error"]
        assert error["code"] == "container_not_allowed", (name, error)
        assert str(settings.data_dir) not in json.dumps(error)
    assert [ref.filename for ref in store.list(ATTACKER)] == []


@pytest.mark.parametrize(
    "probe", [FORGED_MP3, RECORDED_HLS, None], ids=["forged-mp3", "recorded-hls", "no-probe"]
)
def test_no_media_tool_reads_another_tenants_file(
    data: tuple[Settings, MediaStore], tmp_path: Path, probe: MediaInfo | None
) -> None:
    settings, store = data
    secret = _victim_recording(store, tmp_path)
    own = write_test_video(tmp_path / "own.mp4", seconds=1.0, size="64x48")
    own_uri = store.register_staged(ATTACKER, store.stage_local(own), "own.mp4").uri
    planted = [
        Planted(_plant(store, tmp_path, name, body, probe), name)
        for name, body in _playlists(secret, settings.data_dir).items()
    ]
    before = {ref.uri for ref in store.list(ATTACKER)}
    for muscle, tools in READERS.items():
        location, _ = SPECS[muscle]
        module = importlib.reload(importlib.import_module(mcp_module(location)))
        module.runtime.configure(settings)

        async def call_all(module: Any = module, tools: dict[str, str] = tools) -> list[tuple[str, Any]]:
            results = []
            try:
                async with Client(module.server) as client:
                    for tool, shape in tools.items():
                        for attack in planted:
                            request = _request(shape, attack.uri, own_uri)
                            results.append((f"{tool}/{attack.what}", await client.call_tool(tool, request)))
            finally:
                await module.runtime.stop()
            return results

        for label, result in anyio.run(call_all):
            assert result.is_error, f"{muscle}.{label} read the playlist: {result.structured_content}"
            error = result.structured_content["error"]
            assert error["code"] in MEDIA_ERRORS, (muscle, label, error)
            assert str(settings.data_dir) not in json.dumps(error), (muscle, label)
    assert {ref.uri for ref in store.list(ATTACKER)} == before, "a tool stored an output"
