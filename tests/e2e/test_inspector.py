"""MCP Inspector 2.12's CLI, an outside client, lists every muscle's tools with ``--strict``
and reports no schema-portability problem (no warnings, no errors) on any of them.

npx fetches the Inspector from the npm registry on first use and caches it; without
``npx`` the test skips (fails in CI)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.discovery import find_services, project_root
from tests.conftest import require
from tests.e2e.conftest import muscle_env, start_http, stop
from tests.servers import RunningServer

INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"
NAMES = sorted(location.name for location in find_services(project_root()))


@pytest.fixture(scope="module")
def every_muscle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("inspector")
    server = start_http(["serve", "--all"], muscle_env(tmp), tmp / "server.log")
    yield server
    stop(server)


@pytest.mark.parametrize("name", NAMES)
def test_inspector_strict_reports_no_schema_problem(every_muscle: RunningServer, name: str) -> None:
    npx = shutil.which("npx")
    require(npx is not None, "npx (Node.js) is not installed")
    assert npx is not None
    proc = subprocess.run(
        [
            npx,
            "-y",
            INSPECTOR,
            "--cli",
            "--strict",
            f"{every_muscle.base_url}/{name}/mcp",
            "--transport",
            "http",
            "--method",
            "tools/list",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout)
    assert len(listed["tools"]) >= 1
    # --strict prints each problem (Warning: / Error:) on stderr; a clean list prints none.
    assert "Warning" not in proc.stderr and "Error" not in proc.stderr, proc.stderr
    assert not Path(every_muscle.log).read_text().count("Traceback")
