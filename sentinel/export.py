"""sentinel export-skills: Agent Skills folders, each named after its skill.

Agent Skills asks for a SKILL.md under 500 lines (an agent loads it whole when the skill
triggers) and for detail in files it reads when needed. A muscle with many tools outgrows
that, so its export keeps the overview, an index of the tools and the shared sections in
SKILL.md and moves every tool's section (inputs, outputs, examples, errors) to
``references/tools.md``, which SKILL.md links. Smaller skills are copied as they are.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Final

from core.discovery import ServiceLocation
from sentinel.generate import write_atomic

__all__ = ["export_skills", "split_skill"]

MAX_SKILL_LINES: Final = 500
_TOOL_HEADING: Final = re.compile(r"^## Tool `(?P<name>[^`]+)`: .*$", re.M)
_FIRST_SENTENCE: Final = re.compile(r"^(.+?[.!?])(?:\s|$)", re.S)


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
        text = skill.read_text()
        if len(text.splitlines()) >= MAX_SKILL_LINES:
            text, tools = split_skill(text)
            (folder / "references").mkdir(exist_ok=True)
            write_atomic(folder / "references" / "tools.md", tools)
        write_atomic(folder / "SKILL.md", text)
        exported.append(folder)
    if hand_written is not None and hand_written.is_dir():
        for folder in sorted(p for p in hand_written.iterdir() if (p / "SKILL.md").is_file()):
            target = dest / folder.name
            shutil.copytree(folder, target, dirs_exist_ok=True)
            exported.append(target)
    return exported


def split_skill(text: str) -> tuple[str, str]:
    """A generated SKILL.md as (SKILL.md with a tool index, references/tools.md)."""
    headings = list(_TOOL_HEADING.finditer(text))
    if not headings:
        return text, ""
    start = headings[0].start()
    after = text.find("\n## ", headings[-1].end())
    end = len(text) if after < 0 else after + 1
    sections = text[start:end]
    index = []
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = text[heading.end() : following.start() if following else end].strip().split("\n\n", 1)[0]
        sentence = _FIRST_SENTENCE.match(" ".join(body.split()))
        summary = sentence.group(1) if sentence else " ".join(body.split())
        index.append(f"- `{heading['name']}`: {summary}")
    tools_index = (
        "## Tools\n\n"
        "Each tool's inputs, outputs, a real example and its errors are in "
        "[references/tools.md](references/tools.md); read a tool's section there before calling it.\n\n"
        + "\n".join(index)
        + "\n\n"
    )
    title = re.search(r"^# (.+)$", text[:start], re.M)
    reference = f"# {title.group(1) if title else 'Tools'}: tools\n\n" + sections
    return text[:start] + tools_index + text[end:], reference
