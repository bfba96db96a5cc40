"""Every skill (generated per muscle, and hand-written under skills/) passes the Agent Skills
validator once exported into a folder of its own name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.discovery import project_root
from sentinel.cli import main as sentinel_main


def _validator() -> str:
    return str(Path(sys.executable).with_name("agentskills"))


def test_exported_skills_pass_the_agent_skills_validator(tmp_path: Path) -> None:
    dest = tmp_path / "skills"
    assert sentinel_main(["export-skills", str(dest), "--path", str(project_root())]) == 0
    folders = sorted(p for p in dest.iterdir() if p.is_dir())
    names = {p.name for p in folders}
    assert {"media-v2", "create-muscle"} <= names
    for folder in folders:
        proc = subprocess.run([_validator(), "validate", str(folder)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{folder.name}: {proc.stdout}{proc.stderr}"
        assert len((folder / "SKILL.md").read_text().splitlines()) < 500


def test_the_validator_rejects_a_broken_skill(tmp_path: Path) -> None:
    """The check above can fail: a name that does not match its folder is refused."""
    folder = tmp_path / "some-skill"
    folder.mkdir()
    (folder / "SKILL.md").write_text("---\nname: other-name\ndescription: x\n---\n# x\n")
    proc = subprocess.run([_validator(), "validate", str(folder)], capture_output=True, text=True)
    assert proc.returncode != 0


def test_a_long_skill_keeps_an_index_and_moves_its_tool_sections_to_a_reference(tmp_path: Path) -> None:
    """A muscle with many tools exports a SKILL.md under the limit whose index names every
    tool and links the reference that holds each tool's whole section, word for word."""
    dest = tmp_path / "skills"
    assert sentinel_main(["export-skills", str(dest), "--path", str(project_root())]) == 0
    generated = (project_root() / "muscles/video/video_360/SKILL.md").read_text()
    assert len(generated.splitlines()) >= 500  # the case this test is about
    skill = (dest / "video-360" / "SKILL.md").read_text()
    tools = (dest / "video-360" / "references" / "tools.md").read_text()
    assert "[references/tools.md](references/tools.md)" in skill
    for section in generated.split("\n## Tool `")[1:]:
        name = section.split("`", 1)[0]
        assert f"- `{name}`: " in skill
        assert section.split("\n## ", 1)[0].strip() in tools
    assert "## Errors any tool may return" in skill and "## Canvas tools" in skill
