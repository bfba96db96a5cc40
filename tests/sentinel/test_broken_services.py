"""A service that fails to import or breaks the contract keeps its previous files and is
reported at file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.discovery import locate
from sentinel.cli import main as sentinel_main
from sentinel.generate import WarmIntrospector, generate
from tests.conftest import add_service

CASES = Path(__file__).parent / "cases"
GOOD = (CASES / "basic" / "service.py").read_text()

# (description, edit applied to the good source, the line the report must point at)
BREAKAGES = [
    ("syntax error", lambda s: s.replace("async def count(", "async def count(("), "async def count"),
    (
        "missing docstring on a tool",
        lambda s: s.replace('        """Return the tenant the call acts for."""\n', ""),
        "def whoami",
    ),
    (
        "parameter without annotation",
        lambda s: s.replace("def whoami(self, scope: Scope)", "def whoami(self, scope: Scope, tag)"),
        "def whoami",
    ),
    (
        "canvas tool bound to an unknown tool",
        lambda s: s.replace('tool="count", action', 'tool="counter", action'),
        "class WordCounter",
    ),
    (
        "import error at module level",
        lambda s: s.replace(
            "from typing import Literal", "from typing import Literal\nimport no_such_module_xyz"
        ),
        "import no_such_module_xyz",
    ),
    (
        "version that is not semantic",
        lambda s: s.replace('version = "2.1.0"', 'version = "two"'),
        "class WordCounter",
    ),
    (
        "tool name that clashes with a global of mcp.py",
        lambda s: s.replace("def whoami(", "def server("),
        "def server(",
    ),
    (
        "name in a signature that service.py does not define",
        lambda s: s.replace("-> Counts:", "-> Countz:"),
        "async def count",
    ),
]


def _line_of(source: str, needle: str) -> int:
    for number, line in enumerate(source.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(("what", "edit", "needle"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_broken_service_keeps_previous_files_and_reports_file_line(
    scratch_project: Path, what: str, edit: object, needle: str, warm: WarmIntrospector | None
) -> None:
    service = add_service(scratch_project, "demo", "basic", GOOD)
    assert generate(locate(service), warm).problem is None
    previous = {n: (service.parent / n).read_bytes() for n in ("mcp.py", "SKILL.md")}

    broken = edit(GOOD)  # type: ignore[operator]
    assert broken != GOOD, f"the edit for {what!r} changed nothing"
    service.write_text(broken)
    outcome = generate(locate(service), warm)

    assert outcome.problem is not None, what
    assert outcome.problem.path == "muscles/demo/basic/service.py"
    assert outcome.problem.line == _line_of(broken, needle), outcome.problem
    assert outcome.written == []
    assert {n: (service.parent / n).read_bytes() for n in previous} == previous
    assert not [p for p in service.parent.iterdir() if p.name.endswith(".tmp")]


def test_cli_reports_broken_service_as_file_line_and_exits_1(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = add_service(
        scratch_project, "demo", "basic", GOOD.replace("async def count(", "async def count((")
    )
    assert sentinel_main(["generate", str(scratch_project)]) == 1
    err = capsys.readouterr().err
    line = _line_of(service.read_text(), "async def count")
    assert f"muscles/demo/basic/service.py:{line}: error: syntax error" in err
    assert "Traceback" not in err


def test_check_fails_with_a_diff_when_a_generated_file_is_stale(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = add_service(scratch_project, "demo", "basic", GOOD)
    assert sentinel_main(["generate", str(scratch_project)]) == 0
    assert sentinel_main(["check", str(scratch_project)]) == 0
    service.write_text(GOOD.replace("Count the words and characters", "Count words and characters"))
    capsys.readouterr()
    assert sentinel_main(["check", str(scratch_project)]) == 1
    out = capsys.readouterr().out
    assert "--- muscles/demo/basic/mcp.py (on disk)" in out
    assert '+    description="Count words and characters' in out


def test_check_fails_when_a_generated_file_is_missing(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = add_service(scratch_project, "demo", "basic", GOOD)
    assert sentinel_main(["generate", str(scratch_project)]) == 0
    (service.parent / "SKILL.md").unlink()
    capsys.readouterr()
    assert sentinel_main(["check", str(scratch_project)]) == 1
    assert "SKILL.md (missing)" in capsys.readouterr().out


def test_spec_prints_each_muscle_spec_as_json(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_service(scratch_project, "demo", "basic", GOOD)
    assert sentinel_main(["spec", str(scratch_project)]) == 0
    (spec,) = json.loads(capsys.readouterr().out)
    assert spec["name"] == "basic" and spec["version"] == "2.1.0"
    assert [t["name"] for t in spec["tools"]] == ["count", "whoami"]
    assert spec["tools"][0]["input_schema"]["required"] == ["text"]
