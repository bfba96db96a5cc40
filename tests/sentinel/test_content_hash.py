"""The content hash covers everything the generated files are made from, wherever it is
written: editing a description in a module the service imports makes the files stale, a
regeneration changes the hash, and registry-sync then reports the change as one made without
a version bump (not as drift of the remote)."""

from __future__ import annotations

from pathlib import Path

from core.discovery import locate
from registry_sync.local import LocalState
from registry_sync.plan import Op, compute_plan
from registry_sync.records import RemoteRow, record_from_spec
from sentinel.generate import check, generate, introspect
from tests.conftest import add_service

SERVICE = '''"""A muscle whose result model lives in a module of its own."""

from __future__ import annotations

from core import Muscle, tool

from .words import Echoed


class Echo(Muscle):
    """Echoes text back."""

    version = "1.0.0"

    @tool
    def echo(self, text: str) -> Echoed:
        """Return `text` as it came."""
        return Echoed(text=text)
'''
WORDS = """from pydantic import BaseModel, Field


class Echoed(BaseModel):
    text: str = Field(description="{description}")
"""


def test_a_description_in_an_imported_module_changes_the_hash_and_needs_a_version_bump(
    scratch_project: Path,
) -> None:
    service = add_service(scratch_project, "demo", "echo", SERVICE)
    words = service.parent / "words.py"
    words.write_text(WORDS.format(description="The text as sent"))
    location = locate(service)
    first = generate(location)
    assert first.problem is None and first.spec is not None
    assert "muscles/demo/echo/words.py" in first.spec.dependencies
    skill_before = (service.parent / "SKILL.md").read_text()
    assert check(location).diffs == []

    words.write_text(WORDS.format(description="The text, exactly as it was sent"))
    stale = check(location)
    assert stale.diffs, "sentinel check passed although SKILL.md no longer matches its sources"
    second = generate(location)
    assert second.spec is not None and second.spec.source_sha256 != first.spec.source_sha256
    assert f"Source sha256: {second.spec.source_sha256}" in (service.parent / "mcp.py").read_text()

    registered = record_from_spec(first.spec, skill_before)
    remote = RemoteRow(**registered.row(status="active", source_commit="c0ffee", synced_by="ci"))
    local = record_from_spec(second.spec, (service.parent / "SKILL.md").read_text())
    plan = compute_plan(
        LocalState(records={"echo": local}, source_commit="beef", synced_by="dev"),
        {"echo": remote},
        prune=False,
    )
    [change] = plan.changes
    assert change.op == Op.ERROR and change.reason == "content changed without a version bump", change
    assert change.error is not None and change.error.code == "version_not_bumped"
    assert introspect(location).source_sha256 == second.spec.source_sha256  # deterministic
