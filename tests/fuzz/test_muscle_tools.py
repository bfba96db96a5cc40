"""Every tool of every muscle, fuzzed from its own inputSchema over real stdio.

Arguments are drawn by hypothesis-jsonschema from the schema the server itself lists, so a new
tool is fuzzed the day it is written. Whatever the arguments, a call ends either in a result
that validates against the tool's outputSchema or in a coded tool error: never an
``internal_error``, never a traceback. The example count per tool is small by default (CI);
``ATOMS_FUZZ_EXAMPLES=500`` makes a nightly-sized run. Examples are derandomized, so a run is
repeatable and a failure reproduces with the same seed.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.from_thread
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator
from mcp import Client, StdioServerParameters

from core.discovery import find_services, project_root
from tests.e2e.conftest import muscle_env

EXAMPLES = int(os.environ.get("ATOMS_FUZZ_EXAMPLES", "5"))
MUSCLES = [location.name for location in find_services(project_root())]


@pytest.fixture(scope="module")
def portal() -> Iterator[anyio.from_thread.BlockingPortal]:
    with anyio.from_thread.start_blocking_portal() as portal:
        yield portal


@pytest.fixture(scope="module", params=MUSCLES)
def stdio_client(
    request: pytest.FixtureRequest,
    portal: anyio.from_thread.BlockingPortal,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Client]]:
    """One real stdio server per muscle for the whole module, on a scratch data dir."""
    tmp = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "muscles", "serve", request.param],
        env=muscle_env(tmp, ATOMS_LOG_LEVEL="WARNING", ATOMS_DASK_WORKERS="1"),
        cwd=str(tmp),
    )
    with portal.wrap_async_context_manager(Client(params)) as client:
        yield request.param, client


def _check(muscle: str, tool: Any, arguments: dict[str, Any], result: Any, validator: Any) -> None:
    where = f"{muscle}.{tool.name}({json.dumps(arguments)[:300]})"
    text = "\n".join(getattr(block, "text", "") for block in result.content)
    assert "Traceback" not in text, where
    content = result.structured_content
    if result.is_error:
        assert isinstance(content, dict) and "error" in content, f"{where}: uncoded error {text[:300]}"
        error = content["error"]
        assert error["code"] != "internal_error", f"{where}: {error}"
        assert error.get("hint"), f"{where}: an error without a hint: {error}"
    elif validator is not None:
        problems = [p.message for p in validator.iter_errors(content)]
        assert not problems, f"{where}: output does not match outputSchema: {problems[:3]}"


def test_no_tool_answers_internal_error_or_breaks_its_output_schema(
    stdio_client: tuple[str, Client], portal: anyio.from_thread.BlockingPortal
) -> None:
    muscle, client = stdio_client
    tools = portal.call(client.list_tools).tools
    assert tools, muscle
    for tool in tools:
        _fuzz(muscle, client, portal, tool)


def _fuzz(muscle: str, client: Client, portal: anyio.from_thread.BlockingPortal, tool: Any) -> None:
    validator = Draft202012Validator(tool.output_schema) if tool.output_schema else None

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(arguments=from_schema(tool.input_schema))
    def fuzz(arguments: dict[str, Any]) -> None:
        result = portal.call(client.call_tool, tool.name, arguments)
        _check(muscle, tool, arguments, result, validator)

    fuzz()


def test_the_fuzz_data_dir_is_left_clean(
    stdio_client: tuple[str, Client], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Work folders and staged files of failed calls are gone (only stored assets and tables stay).
    muscle, _ = stdio_client
    root = Path(tmp_path_factory.getbasetemp())
    leftovers = [
        p
        for p in root.glob(f"fuzz-{muscle}*/data/*/*")
        if p.parent.name in ("staging", "render", "work") and p.name != ".owner"
    ]
    assert leftovers == [], leftovers
