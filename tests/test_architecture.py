"""The architecture as tests: dependencies point to core only, and public surfaces are pinned."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import core
import core.storage
import sentinel

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "muscles", "sentinel", "registry_sync", "gateway")


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_dependencies_point_to_core_only(package: str) -> None:
    allowed = {"core"} if package == "core" else {"core", package}
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) - allowed)
        for path in (ROOT / package).rglob("*.py")
        if _imported_packages(path) - allowed
    }
    assert offenders == {}


def test_core_public_surface_is_deliberate() -> None:
    assert sorted(core.__all__) == [
        "AtomsError",
        "CanvasTool",
        "MediaRef",
        "Muscle",
        "MuscleSpec",
        "Progress",
        "Scope",
        "Settings",
        "ToolExample",
        "load_settings",
        "tool",
    ]
    assert sorted(core.storage.__all__) == [
        "LocalStorage",
        "ObjectInfo",
        "PresignedUrl",
        "S3Storage",
        "Storage",
        "asset_key",
        "check_key",
        "media_routes",
        "open_storage",
        "tenant_prefix",
        "upload_key",
        "upload_prefix",
    ]
    assert sorted(sentinel.__all__) == [
        "ServiceLocation",
        "check",
        "find_services",
        "generate",
        "introspect",
        "locate",
    ]
    for module in (core, core.storage, sentinel):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
