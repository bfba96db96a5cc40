"""A record as an MCP Registry ``server.json``: reverse-DNS name with one ``/``, a description
of at most 100 characters, the exact version, a PyPI package run with ``uvx`` over stdio, a
streamable-http remote, and the environment variables (secrets marked)."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from registry_sync.records import MuscleRecord

__all__ = ["SCHEMA_URL", "server_json"]

SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json"
PACKAGE = "atoms-muscle"
_MAX_DESCRIPTION = 100

# What a muscle server reads (core.settings); the secret ones are marked for registry clients.
_ENVIRONMENT = (
    ("ATOMS_ENV", "local (default), staging or production", False, False),
    ("ATOMS_STORAGE", "local (default) or s3", False, False),
    ("ATOMS_S3_BUCKET", "Bucket for media (staging and production)", False, False),
    ("ATOMS_S3_ACCESS_KEY_ID", "S3 access key id", False, True),
    ("ATOMS_S3_SECRET_ACCESS_KEY", "S3 secret access key", False, True),
    ("ATOMS_SIGNING_KEY", "Key signing local /media URLs", False, True),
    ("ATOMS_AUTH_TOKENS", "tenant_id -> bearer token, as JSON (HTTP beyond loopback)", False, True),
)


def _short(text: str) -> str:
    """The first sentence, cut at a word boundary to fit the registry's 100 characters."""
    first = " ".join(text.split()).split(". ")[0].rstrip(".")
    if len(first) <= _MAX_DESCRIPTION:
        return first
    cut = first[: _MAX_DESCRIPTION - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "0.0.0"


def server_json(record: MuscleRecord, *, namespace: str, remote_base_url: str) -> dict[str, Any]:
    skill = record.name.replace("_", "-")
    return {
        "$schema": SCHEMA_URL,
        "name": f"{namespace}/{skill}",
        "title": record.name,
        "description": _short(record.description),
        "version": record.version,
        "packages": [
            {
                "registryType": "pypi",
                "identifier": PACKAGE,
                "version": _package_version(),
                "runtimeHint": "uvx",
                "runtimeArguments": [
                    {"type": "named", "name": "--from", "value": f"{PACKAGE}=={_package_version()}"}
                ],
                "packageArguments": [
                    {"type": "positional", "value": "muscle"},
                    {"type": "positional", "value": "serve"},
                    {"type": "positional", "value": record.name},
                ],
                "transport": {"type": "stdio"},
                "environmentVariables": [
                    {"name": name, "description": text, "isRequired": required, "isSecret": secret}
                    for name, text, required, secret in _ENVIRONMENT
                ],
            }
        ],
        "remotes": [
            {
                "type": "streamable-http",
                "url": f"{remote_base_url.rstrip('/')}/{record.name}/mcp",
                "headers": [
                    {
                        "name": "Authorization",
                        "description": "Bearer token of the calling tenant",
                        "isRequired": True,
                        "isSecret": True,
                    }
                ],
            }
        ],
        "_meta": {
            "io.modelcontextprotocol.registry/publisher-provided": {
                "content_hash": record.content_hash,
                "capabilities": record.capabilities,
                "tools": [tool["name"] for tool in record.tools],
            }
        },
    }
