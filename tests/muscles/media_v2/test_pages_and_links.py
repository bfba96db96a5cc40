"""list_assets in pages (cursor + limit), MediaRefs also as resource links, and atoms://media
read as MCP resources within the caller's tenant (metadata; text for small documents; never
base64 of media)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import ResourceLink, TextResourceContents

from core.media.store import MediaStore
from core.scope import Scope
from tests.media_samples import write_tone_wav
from tests.muscles.media_v2.conftest import MediaServer, call

SRT = "1\n00:00:00,000 --> 00:00:01,000\nHello there\n"


def _register_tones(server: MediaServer, count: int) -> list[str]:
    for n in range(count):
        write_tone_wav(server.imports / f"t{n}.wav", seconds=0.1, freq=200 + 50 * n)

    async def run() -> list[str]:
        async with server.client() as client:
            uris = []
            for n in range(count):
                is_error, ref, _ = await call(client, "register", {"source": f"t{n}.wav"})
                assert not is_error, ref
                uris.append(ref["uri"])
            return uris

    return anyio.run(run)


def test_pages_of_assets_follow_each_other_to_the_end_without_gaps_or_repeats(
    media_server: MediaServer,
) -> None:
    uris = _register_tones(media_server, 7)

    async def run() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        async with media_server.client() as client:
            pages, cursor = [], None
            while True:
                args: dict[str, Any] = {"limit": 3} if cursor is None else {"limit": 3, "cursor": cursor}
                is_error, page, _ = await call(client, "list_assets", args)
                assert not is_error, page
                pages.append(page)
                cursor = page["next_cursor"]
                if cursor is None:
                    return pages, (await call(client, "list_assets", {}))[1]

    pages, everything = anyio.run(run)
    assert [page["count"] for page in pages] == [3, 3, 1]
    listed = [asset["uri"] for page in pages for asset in page["assets"]]
    assert listed == [asset["uri"] for asset in everything["assets"]] == sorted(uris)
    assert everything["next_cursor"] is None and everything["count"] == 7


@pytest.mark.parametrize(
    ("args", "value"),
    [({"cursor": "not-a-cursor!"}, "not-a-cursor!"), ({"limit": 0}, 0), ({"limit": 201}, 201)],
)
def test_a_bad_cursor_or_limit_is_a_coded_error_naming_it(
    media_server: MediaServer, args: dict[str, Any], value: Any
) -> None:
    async def run() -> tuple[bool, dict[str, Any], str]:
        async with media_server.client() as client:
            return await call(client, "list_assets", args)

    is_error, content, _ = anyio.run(run)
    assert is_error and content["error"]["code"] == "invalid_input"
    assert content["error"]["value"] == value


def test_a_media_result_carries_a_resource_link_beside_its_structured_mediaref(
    media_server: MediaServer,
) -> None:
    write_tone_wav(media_server.imports / "tone.wav")

    async def run() -> Any:
        async with media_server.client() as client:
            return await client.call_tool("register", {"source": "tone.wav"})

    result = anyio.run(run)
    ref = result.structured_content
    links = [block for block in result.content if isinstance(block, ResourceLink)]
    assert len(links) == 1
    link = links[0]
    assert (str(link.uri), link.name, link.mime_type, link.size) == (
        ref["uri"],
        "tone.wav",
        "audio/wav",
        ref["size_bytes"],
    )
    assert [block.type for block in result.content] == ["text", "resource_link"]  # no blob, no base64


def test_media_resources_give_the_mediaref_and_the_text_of_small_documents_within_the_tenant(
    media_server: MediaServer,
) -> None:
    [tone] = _register_tones(media_server, 1)
    store = MediaStore.from_settings(media_server.settings)
    own, other = Scope(tenant_id="tenant-a"), Scope(tenant_id="tenant-b")
    staged = media_server.imports / "captions.srt"
    staged.write_text(SRT)
    srt = store.store_document(own, store.stage_local(staged), "captions.srt", "application/x-subrip")
    staged.write_text(SRT)
    foreign = store.store_document(other, store.stage_local(staged), "theirs.srt", "application/x-subrip")

    async def run() -> tuple[Any, Any, list[MCPError], list[str]]:
        async with media_server.client() as client:
            templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
            media = await client.read_resource(tone)
            document = await client.read_resource(srt.uri)
            refused = []
            for uri in (foreign.uri, "atoms://media/0123456789abcdef0123456789abcdef/missing.wav"):
                with pytest.raises(MCPError) as caught:
                    await client.read_resource(uri)
                refused.append(caught.value)
            return media, document, refused, templates

    media, document, refused, templates = anyio.run(run)
    assert "atoms://media/{asset_id}/{filename}" in templates
    [meta] = media.contents
    assert isinstance(meta, TextResourceContents) and meta.mime_type == "application/json"
    assert json.loads(meta.text)["uri"] == tone  # metadata only: no bytes of the WAV
    described, text = document.contents
    assert json.loads(described.text) == srt.model_dump(mode="json")
    assert isinstance(text, TextResourceContents) and (text.mime_type, text.text) == (
        "application/x-subrip",
        SRT,
    )
    assert [error.error.code for error in refused] == [-32602, -32602]
