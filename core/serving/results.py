"""Tool results as clients that follow links see them: every MediaRef in a result's structured
content is also a ``resource_link`` content block (uri, name, mime type, size), so a client
can read the asset as an MCP resource (:mod:`core.serving.resources`). Never the media's bytes.
"""

from __future__ import annotations

from typing import Any

from mcp_types import CallToolResult, ResourceLink

from core.media import MEDIA_URI_SCHEME

__all__ = ["media_refs", "with_resource_links"]

_MEDIA_PREFIX = f"{MEDIA_URI_SCHEME}://media/"


def media_refs(value: Any) -> list[dict[str, Any]]:
    """Every MediaRef (as JSON: a dict with an atoms://media uri and a sha256) in ``value``."""
    found = []
    if isinstance(value, dict):
        uri = value.get("uri")
        if isinstance(uri, str) and uri.startswith(_MEDIA_PREFIX) and isinstance(value.get("sha256"), str):
            found.append(value)
        for item in value.values():
            found += media_refs(item)
    elif isinstance(value, list):
        for item in value:
            found += media_refs(item)
    return found


def with_resource_links(result: CallToolResult) -> CallToolResult:
    """``result`` with a resource link after its content for each distinct MediaRef it holds."""
    if result.is_error or result.structured_content is None:
        return result
    links: dict[str, ResourceLink] = {}
    for ref in media_refs(result.structured_content):
        size = ref.get("size_bytes")
        links.setdefault(
            ref["uri"],
            ResourceLink(
                type="resource_link",
                uri=ref["uri"],
                name=str(ref.get("filename") or ref["uri"].rsplit("/", 1)[-1]),
                mime_type=ref.get("mime_type") if isinstance(ref.get("mime_type"), str) else None,
                size=size if isinstance(size, int) else None,
            ),
        )
    if not links:
        return result
    return result.model_copy(update={"content": [*result.content, *links.values()]})
