"""sentinel export-skills: Agent Skills folders, each named after its skill."""

from __future__ import annotations

import shutil
from pathlib import Path

from core.discovery import ServiceLocation
from sentinel.generate import write_atomic

__all__ = ["export_skills"]


def export_skills(locations: list[ServiceLocation], dest: Path, hand_written: Path | None) -> list[Path]:
    """Copy every generated SKILL.md (and every hand-written skill folder) under ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    exported: list[Path] = []
    for location in locations:
        skill = location.output("SKILL.md")
        if not skill.exists():
            continue
        folder = dest / location.name.replace("_", "-")
        folder.mkdir(exist_ok=True)
        write_atomic(folder / "SKILL.md", skill.read_text())
        exported.append(folder)
    if hand_written is not None and hand_written.is_dir():
        for folder in sorted(p for p in hand_written.iterdir() if (p / "SKILL.md").is_file()):
            target = dest / folder.name
            shutil.copytree(folder, target, dirs_exist_ok=True)
            exported.append(target)
    return exported
