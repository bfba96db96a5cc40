"""LUTs and subtitles register as documents, recognised by name and checked by content."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import NotMedia
from core.media.documents import document_mime
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_known_text_assets_are_told_by_name_and_content(tmp_path: Path) -> None:
    cube = _write(tmp_path / "look.cube", 'TITLE "x"\nLUT_3D_SIZE 2\n0 0 0\n1 0 0\n')
    vtt = _write(tmp_path / "talk.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n")
    srt = _write(tmp_path / "talk.srt", "1\n00:00:00,000 --> 00:00:01,000\nhello\n")
    assert document_mime(cube, cube.name) == "text/x-cube-lut"
    assert document_mime(vtt, vtt.name) == "text/vtt"
    assert document_mime(srt, srt.name) == "application/x-subrip"
    assert document_mime(cube, "look.txt") is None  # by name only for the known kinds
    assert document_mime(_write(tmp_path / "fake.cube", b"\x00\xff\x00binary"), "fake.cube") is None
    assert document_mime(_write(tmp_path / "notes.cube", "just some notes\n"), "notes.cube") is None


def test_a_lut_registers_as_a_document_and_a_fake_one_is_not_media(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", tenant_id="t", signing_key="k")
    store, scope = MediaStore.from_settings(settings), Scope(tenant_id="t")
    cube = _write(tmp_path / "look.cube", "LUT_3D_SIZE 2\n" + "0 0 0\n" * 8)
    ref = store.register_staged(scope, store.stage_local(cube), cube.name)
    assert ref.mime_type == "text/x-cube-lut" and ref.filename == "look.cube"
    fake = _write(tmp_path / "fake.cube", "not a lut\n")
    with pytest.raises(NotMedia):
        store.register_staged(scope, store.stage_local(fake), fake.name)
