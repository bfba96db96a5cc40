"""Golden tests: sample services produce exactly the committed mcp.py and SKILL.md.

Run with UPDATE_GOLDEN=1 to rewrite the expected files after an intended template change.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from core.discovery import locate
from sentinel.generate import generate
from tests.conftest import add_service

CASES = Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "service.py").exists())


def _assert_same(expected_path: Path, actual: str) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.parent.mkdir(exist_ok=True)
        expected_path.write_text(actual)
    expected = expected_path.read_text()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), "expected", "generated"
            )
        )
        pytest.fail(f"{expected_path} differs from the generated file:\n{diff}")


@pytest.mark.parametrize("case", CASE_NAMES)
def test_sample_service_generates_the_expected_files(scratch_project: Path, case: str) -> None:
    service = add_service(scratch_project, "demo", case, (CASES / case / "service.py").read_text())
    outcome = generate(locate(service))
    assert outcome.problem is None, outcome.problem
    for name in ("mcp.py", "SKILL.md"):
        _assert_same(CASES / case / "expected" / name, (service.parent / name).read_text())


@pytest.mark.parametrize("case", CASE_NAMES)
def test_regenerating_is_byte_identical_and_writes_nothing(scratch_project: Path, case: str) -> None:
    service = add_service(scratch_project, "demo", case, (CASES / case / "service.py").read_text())
    first = generate(locate(service))
    before = {n: (service.parent / n).read_bytes() for n in ("mcp.py", "SKILL.md")}
    mtimes = {n: (service.parent / n).stat().st_mtime_ns for n in ("mcp.py", "SKILL.md")}
    second = generate(locate(service))
    assert len(first.written) == 2
    assert second.written == []
    assert {n: (service.parent / n).read_bytes() for n in before} == before
    assert {n: (service.parent / n).stat().st_mtime_ns for n in mtimes} == mtimes
