"""Shared test helpers: services that must exist in CI, and a scratch muscles project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip when a needed service is not configured here; in CI a missing service fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def scratch_project(tmp_path: Path) -> Path:
    """An empty project root with a ``muscles`` package, for services written by tests."""
    (tmp_path / "muscles").mkdir()
    (tmp_path / "muscles" / "__init__.py").write_text("")
    return tmp_path


def add_service(root: Path, category: str, name: str, source: str) -> Path:
    folder = root / "muscles" / category / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder.parent / "__init__.py").touch()
    (folder / "__init__.py").touch()
    path = folder / "service.py"
    path.write_text(source)
    return path
