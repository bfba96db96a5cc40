"""Where muscles live: ``<root>/muscles/<category>/<name>/service.py`` (+ generated mcp.py, SKILL.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GENERATED_FILES", "LayoutError", "ServiceLocation", "find_services", "locate"]

GENERATED_FILES = ("mcp.py", "SKILL.md")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


class LayoutError(ValueError):
    """A path that is not ``muscles/<category>/<name>/service.py``."""


@dataclass(frozen=True)
class ServiceLocation:
    root: Path
    category: str
    name: str

    @property
    def directory(self) -> Path:
        return self.root / "muscles" / self.category / self.name

    @property
    def service_path(self) -> Path:
        return self.directory / "service.py"

    @property
    def module(self) -> str:
        return f"muscles.{self.category}.{self.name}.service"

    @property
    def relative_path(self) -> str:
        return f"muscles/{self.category}/{self.name}/service.py"

    def output(self, filename: str) -> Path:
        return self.directory / filename


def locate(service_path: Path) -> ServiceLocation:
    """The location of one service.py; raise :class:`LayoutError` for any other path."""
    path = service_path.resolve()
    if path.name != "service.py" or len(path.parents) < 4 or path.parents[2].name != "muscles":
        raise LayoutError(f"{service_path}: services live at muscles/<category>/<name>/service.py")
    name, category = path.parent.name, path.parents[1].name
    for part in (name, category):
        if not _NAME.fullmatch(part):
            raise LayoutError(f"{service_path}: {part!r} is not a snake_case name")
    return ServiceLocation(root=path.parents[3], category=category, name=name)


def find_services(path: Path) -> list[ServiceLocation]:
    """Every service under ``path`` (a project root, a muscles/ folder, a muscle folder or a file)."""
    path = path.resolve()
    if path.is_file():
        return [locate(path)]
    if (path / "muscles").is_dir():
        found = (path / "muscles").glob("*/*/service.py")
    elif path.name == "muscles":
        found = path.glob("*/*/service.py")
    else:  # a category or a muscle folder
        found = path.rglob("service.py")
    return sorted((locate(p) for p in found), key=lambda loc: (loc.category, loc.name))


def project_root() -> Path:
    """The root holding the ``muscles`` folder: packages are installed side by side from it."""
    return Path(__file__).resolve().parent.parent


def mcp_module(location: ServiceLocation) -> str:
    return f"muscles.{location.category}.{location.name}.mcp"
