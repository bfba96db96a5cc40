"""Import-root files are opened without following symlinks: a file or folder swapped for a
symlink (or a FIFO) between the check and the open is refused and nothing is stored, while
ordinary files, nested folders and symlinks that stay inside the root still register."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from core.errors import PathNotAllowed
from core.media.sources import check_local_path, open_local_file
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests.media_samples import write_tone_wav

SCOPE = Scope(tenant_id="acme")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return (tmp_path / "imports").resolve()


@pytest.fixture
def store(tmp_path: Path, root: Path) -> MediaStore:
    root.mkdir()
    settings = Settings(data_dir=tmp_path / "data", import_roots=[root], tenant_id="acme", signing_key="k")
    return MediaStore.from_settings(settings)


def _file_becomes_a_link_outside(root: Path) -> None:
    secret = write_tone_wav(root.parent / "secret.wav", freq=880.0)
    (root / "sub" / "clip.wav").unlink()
    (root / "sub" / "clip.wav").symlink_to(secret)


def _folder_becomes_a_link_outside(root: Path) -> None:
    write_tone_wav(root.parent / "elsewhere" / "clip.wav", freq=880.0)
    (root / "sub").rename(root.parent / "old-sub")
    (root / "sub").symlink_to(root.parent / "elsewhere", target_is_directory=True)


def _file_becomes_a_fifo(root: Path) -> None:
    (root / "sub" / "clip.wav").unlink()
    os.mkfifo(root / "sub" / "clip.wav")


SWAPS = {
    "file swapped for a symlink out of the root": _file_becomes_a_link_outside,
    "parent folder swapped for a symlink out of the root": _folder_becomes_a_link_outside,
    "file swapped for a FIFO": _file_becomes_a_fifo,
}


@pytest.mark.parametrize("swap", SWAPS.values(), ids=SWAPS.keys())
def test_a_file_swapped_between_check_and_open_is_refused_and_nothing_is_stored(
    store: MediaStore, root: Path, swap: Callable[[Path], None]
) -> None:
    write_tone_wav(root / "sub" / "clip.wav")
    checked = check_local_path("sub/clip.wav", store.intake.sources.import_roots)
    swap(root)

    with pytest.raises(PathNotAllowed) as caught:
        store.intake.stage_import(checked)

    assert caught.value.code == "path_not_allowed"
    assert caught.value.value == "sub/clip.wav"  # what the caller sent, not a server path
    assert store.list(SCOPE) == []
    assert not store.work_dir.exists() or list(store.work_dir.iterdir()) == []


def test_the_open_file_not_the_path_is_what_gets_read(store: MediaStore, root: Path) -> None:
    original = write_tone_wav(root / "sub" / "clip.wav").read_bytes()
    checked = check_local_path("sub/clip.wav", store.intake.sources.import_roots)
    with open_local_file(checked) as handle:
        _file_becomes_a_link_outside(root)
        assert handle.read() == original


@pytest.mark.parametrize(
    "source", ["clip.wav", "a/b/c/clip.wav", "in-root-link.wav", "linked-folder/clip.wav"]
)
def test_ordinary_nested_and_in_root_linked_files_still_register(
    store: MediaStore, root: Path, source: str
) -> None:
    write_tone_wav(root / "clip.wav")
    write_tone_wav(root / "a" / "b" / "c" / "clip.wav")
    (root / "in-root-link.wav").symlink_to(root / "clip.wav")
    (root / "linked-folder").symlink_to(root / "a" / "b" / "c", target_is_directory=True)

    ref = store.register_source(SCOPE, source)

    assert ref.filename == "clip.wav"  # the name of the file the path resolves to
    assert [r.uri for r in store.list(SCOPE)] == [ref.uri]
