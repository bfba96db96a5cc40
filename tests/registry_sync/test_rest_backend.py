"""The Supabase REST backend: the real supabase-py client against the PostgREST test double
(over real HTTP, in front of the real PostgreSQL). Golden tests pin the exact requests."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
import supabase
from pydantic import SecretStr

from core.spec import MuscleSpec
from registry_sync.backends.rest import RestBackend
from registry_sync.cli import main
from registry_sync.errors import RegistryAccessDenied
from tests.registry_sync.conftest import ANON_KEY, SERVICE_KEY, Project, settings_for, variant
from tests.registry_sync.postgrest_double import RecordedRequest, ServedDouble

CLIENT = f"supabase-py/{supabase.__version__}"
READ_HEADERS = {
    "accept-profile": "public",
    "content-profile": "public",
    "apikey": "<redacted>",
    "authorization": "Bearer <redacted>",
    "x-client-info": CLIENT,
}
# supabase-py builds ``columns`` from a set: the order varies, the set does not.
COLUMNS = sorted(
    [
        '"canvas_tools"',
        '"capabilities"',
        '"category"',
        '"content_hash"',
        '"description"',
        '"name"',
        '"skill_md"',
        '"source_commit"',
        '"source_sha256"',
        '"status"',
        '"synced_by"',
        '"tools"',
        '"transports"',
        '"version"',
    ]
)


def _golden(request: RecordedRequest) -> dict[str, Any]:
    query = [(k, sorted(v.split(",")) if k == "columns" else v) for k, v in request.query]
    return {
        "method": request.method,
        "path": request.path,
        "query": query,
        "headers": request.headers,
        "role": request.role,
    }


def _apply(project: Project, url: str, *argv: str) -> tuple[int, dict[str, Any]]:
    settings = settings_for(supabase_url=url, supabase_service_key=SecretStr(SERVICE_KEY))
    out = io.StringIO()
    code = main([*project.args(), *argv, "--json"], settings=settings, out=out, err=io.StringIO())
    return code, json.loads(out.getvalue())


def test_a_sync_sends_one_read_and_one_bulk_upsert_on_conflict_name(
    project: Project, database: str, serve_double: Callable[..., ServedDouble], media_spec: MuscleSpec
) -> None:
    server = serve_double(database)
    project.write([variant(media_spec, "alpha"), variant(media_spec, "beta")])
    code, document = _apply(project, server.url, "apply")
    assert (code, document["environments"][0]["writes"]) == (0, 1)
    ping, fetch, upsert = (_golden(r) for r in server.double.requests)
    assert ping == {
        "method": "GET",
        "path": "/rest/v1/muscles",
        "query": [("select", "name"), ("limit", "1")],
        "headers": READ_HEADERS,
        "role": "service_role",
    }
    assert fetch == {
        "method": "GET",
        "path": "/rest/v1/muscles",
        "query": [("select", "*"), ("order", "name.asc")],
        "headers": READ_HEADERS,
        "role": "service_role",
    }
    assert upsert == {
        "method": "POST",
        "path": "/rest/v1/muscles",
        "query": [("on_conflict", "name"), ("columns", COLUMNS)],
        "headers": {
            "accept-profile": "public",
            "content-profile": "public",
            "content-type": "application/json",
            "prefer": "return=minimal,resolution=merge-duplicates",
            "x-client-info": CLIENT,
            "apikey": "<redacted>",
            "authorization": "Bearer <redacted>",
        },
        "role": "service_role",
    }
    body = server.double.requests[2].body
    assert [row["name"] for row in body] == ["alpha", "beta"]
    assert {row["status"] for row in body} == {"active"}


def test_plan_apply_plan_over_rest_ends_in_sync_with_reads_only(
    project: Project, database: str, serve_double: Callable[..., ServedDouble], media_spec: MuscleSpec
) -> None:
    server = serve_double(database)
    project.write([variant(media_spec, "alpha")])
    assert _apply(project, server.url, "plan")[0] == 2
    assert _apply(project, server.url, "apply")[0] == 0
    server.double.requests.clear()
    code, document = _apply(project, server.url, "apply")
    assert (code, document["environments"][0]["writes"]) == (0, 0)
    assert [r.method for r in server.double.requests] == ["GET", "GET"]


def test_row_level_security_holds_through_the_rest_path(
    database: str, serve_double: Callable[..., ServedDouble]
) -> None:
    server = serve_double(database)
    anon = RestBackend("staging", server.url, SecretStr(ANON_KEY))
    with pytest.raises(RegistryAccessDenied) as caught:
        anon.ping()
    assert "42501" in caught.value.message
    assert server.double.requests[-1].role == "anon"
