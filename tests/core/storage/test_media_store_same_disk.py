"""MediaStore on local storage: registration renames the staged file into place and records its
probe; opening an asset hands out a hard link plus that probe, per tenant."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import AssetNotFound
from core.media import MediaInfo
from core.media.probe import probe_sync
from core.media.staging import stage_chunks
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from core.storage import LocalStorage, asset_key
from tests.media_samples import write_test_video

SCOPE = Scope(tenant_id="acme")


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore.from_settings(Settings(data_dir=tmp_path / "data", tenant_id="acme", signing_key="k"))


def test_registering_moves_the_staged_file_and_records_its_probe(store: MediaStore, tmp_path: Path) -> None:
    clip = write_test_video(tmp_path / "clip.mp4", seconds=1)
    staged = store.stage_local(clip)
    inode = staged.path.stat().st_ino

    ref = store.register_staged(SCOPE, staged, "clip.mp4")

    assert isinstance(store.storage, LocalStorage)
    stored = store.storage.root / asset_key("acme", store.env, ref.asset_id, "clip.mp4")
    assert stored.stat().st_ino == inode  # renamed into place, not copied
    assert not staged.path.exists()
    assert ref.sha256 == staged.sha256 and ref.size_bytes == clip.stat().st_size
    assert store.stat(SCOPE, ref.uri) == ref

    dest = tmp_path / "work" / "input-0.mp4"
    path, recorded = _open(store, SCOPE, ref.uri, dest)

    assert path == dest and dest.stat().st_ino == inode  # a hard link, not a copy
    assert recorded == probe_sync(clip)


def test_an_asset_stored_without_a_probe_is_opened_without_one(store: MediaStore, tmp_path: Path) -> None:
    clip = write_test_video(tmp_path / "clip.mp4", seconds=1)
    staged = stage_chunks([clip.read_bytes()], tmp_path / "staging", max_bytes=10**9, what="clip")
    key = asset_key("acme", store.env, staged.sha256[:32], "clip.mp4")
    store.storage.put_file(key, staged.path, content_type="video/mp4", sha256=staged.sha256, metadata={})

    path, recorded = _open(store, SCOPE, f"atoms://media/{staged.sha256[:32]}/clip.mp4", tmp_path / "in.mp4")

    assert recorded is None and path.read_bytes() == clip.read_bytes()


def test_opening_is_per_tenant_and_refuses_missing_assets(store: MediaStore, tmp_path: Path) -> None:
    clip = write_test_video(tmp_path / "clip.mp4", seconds=1)
    ref = store.register_staged(SCOPE, store.stage_local(clip), "clip.mp4")
    dest = tmp_path / "work" / "in.mp4"

    with pytest.raises(AssetNotFound):
        _open(store, Scope(tenant_id="other"), ref.uri, dest)
    store.delete(SCOPE, ref.uri)
    with pytest.raises(AssetNotFound):
        _open(store, SCOPE, ref.uri, dest)
    assert not dest.exists()


def _open(store: MediaStore, scope: Scope, uri: str, dest: Path) -> tuple[Path, MediaInfo | None]:
    asset = store.describe(scope, uri)
    return store.open(asset, dest), asset.info
