"""``registry-sync export server.json NAME`` satisfies the MCP Registry's server.json constraints."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema

from core.spec import MuscleSpec
from registry_sync.cli import main
from tests.registry_sync.conftest import Project, settings_for, variant

_SECRET_MARKED = {
    "type": "object",
    "required": ["name", "isSecret"],
    "properties": {"name": {"type": "string", "minLength": 1}, "isSecret": {"type": "boolean"}},
}
# The constraints of the MCP Registry's server.json that the issue lists, held by the tests.
SERVER_SCHEMA = {
    "type": "object",
    "required": ["$schema", "name", "description", "version", "packages", "remotes"],
    "properties": {
        "name": {"type": "string", "pattern": r"^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$", "maxLength": 200},
        "description": {"type": "string", "minLength": 1, "maxLength": 100},
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"},
        "packages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["registryType", "identifier", "version", "transport", "runtimeHint"],
                "properties": {
                    "registryType": {"const": "pypi"},
                    "identifier": {"type": "string", "minLength": 1},
                    "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+"},
                    "runtimeHint": {"const": "uvx"},
                    "transport": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"const": "stdio"}},
                    },
                    "environmentVariables": {"type": "array", "items": _SECRET_MARKED},
                },
            },
        },
        "remotes": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["type", "url"],
                "properties": {
                    "type": {"const": "streamable-http"},
                    "url": {"type": "string", "pattern": r"^https?://[^/\s]+/\S*$"},
                    "headers": {"type": "array", "items": _SECRET_MARKED},
                },
            },
        },
    },
}


def test_exported_server_json_satisfies_the_registry_constraints(
    project: Project, media_spec: MuscleSpec, tmp_path: Path
) -> None:
    project.write([variant(media_spec, "media_v2", version="1.4.2")])
    target = tmp_path / "server.json"
    out = io.StringIO()
    code = main(
        [*project.args(), "export", "server.json", "media_v2", "-o", str(target)],
        settings=settings_for(),
        out=out,
    )
    assert code == 0
    document = json.loads(target.read_text())
    jsonschema.validate(document, SERVER_SCHEMA)
    assert document["name"].count("/") == 1 and document["name"].endswith("/media-v2")
    assert document["version"] == "1.4.2"
    assert len(media_spec.description) > 100 >= len(document["description"])
    secrets = {v["name"] for v in document["packages"][0]["environmentVariables"] if v["isSecret"]}
    assert {"ATOMS_S3_SECRET_ACCESS_KEY", "ATOMS_AUTH_TOKENS"} <= secrets
    assert document["remotes"][0]["url"].endswith("/media_v2/mcp")


def test_exporting_an_unknown_muscle_is_a_coded_error(project: Project, media_spec: MuscleSpec) -> None:
    project.write([media_spec])
    err = io.StringIO()
    code = main(
        [*project.args(), "export", "server.json", "nope"],
        settings=settings_for(),
        out=io.StringIO(),
        err=err,
    )
    assert code == 1 and "error [unknown_muscle]" in err.getvalue()
