"""find_services accepts every kind of path the sentinel CLI is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.discovery import find_services
from tests.conftest import add_service


@pytest.fixture
def project(scratch_project: Path) -> Path:
    root = scratch_project
    for category, name in [("audio", "a1"), ("audio", "a2"), ("video", "v1")]:
        add_service(root, category, name, "")
    return root


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (".", ["a1", "a2", "v1"]),
        ("muscles", ["a1", "a2", "v1"]),
        ("muscles/audio", ["a1", "a2"]),
        ("muscles/audio/a2", ["a2"]),
        ("muscles/video/v1/service.py", ["v1"]),
    ],
)
def test_finds_services_under_a_root_category_muscle_or_file(
    project: Path, relative: str, expected: list[str]
) -> None:
    assert [loc.name for loc in find_services(project / relative)] == expected
