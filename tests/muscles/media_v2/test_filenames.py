"""File names are what people call their files: any script, emoji and quotes, NFC-normalised
so one name has one spelling; separators, control characters, '..' and leading dots stay out."""

from __future__ import annotations

import unicodedata

import pytest

from tests.media_samples import write_tone_wav
from tests.muscles.media_v2.conftest import MediaServer, call

pytestmark = pytest.mark.anyio

ORDINARY = ["bünny 🐰.wav", 'it\'s a "quoted" clip.wav', "会议 录音.wav", "Ünïcödé (v2) [final].wav"]


@pytest.mark.parametrize("name", ORDINARY)
async def test_ordinary_names_register_stat_list_and_delete(media_server: MediaServer, name: str) -> None:
    write_tone_wav(media_server.imports / name, seconds=0.2)
    async with media_server.client() as client:
        is_error, ref, _ = await call(client, "register", {"source": name})
        assert not is_error, ref
        _, stat, _ = await call(client, "stat", {"uri": ref["uri"]})
        _, listing, _ = await call(client, "list_assets", {})
        _, link, _ = await call(client, "presign_download", {"uri": ref["uri"]})
        _, deleted, _ = await call(client, "delete", {"uri": ref["uri"]})
    assert ref["filename"] == name and stat == ref and listing["assets"] == [ref] and deleted == ref
    assert link["url"].startswith("http://") and " " not in link["url"]


async def test_a_decomposed_name_is_stored_in_its_composed_spelling(media_server: MediaServer) -> None:
    decomposed = "cafe\u0301.wav"  # e + combining acute
    write_tone_wav(media_server.imports / "tone.wav", seconds=0.2)
    async with media_server.client() as client:
        _, ref, _ = await call(client, "register", {"source": "tone.wav", "filename": decomposed})
        _, again, _ = await call(client, "register", {"source": "tone.wav", "filename": "café.wav"})
    assert ref["filename"] == unicodedata.normalize("NFC", decomposed) == "café.wav"
    assert again["uri"] == ref["uri"]


@pytest.mark.parametrize(
    "name", ["a/b.wav", "a\\b.wav", "..wav", ".hidden.wav", "x\u202e.wav", "tab\there.wav", "x."]
)
async def test_unsafe_names_are_refused_with_the_rule_in_the_hint(
    media_server: MediaServer, name: str
) -> None:
    write_tone_wav(media_server.imports / "tone.wav", seconds=0.2)
    async with media_server.client() as client:
        is_error, content, _ = await call(client, "register", {"source": "tone.wav", "filename": name})
    assert is_error and content["error"]["code"] == "invalid_identifier"
    assert "any script" in content["error"]["hint"] and "'/'" in content["error"]["hint"]
