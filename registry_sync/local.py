"""What this checkout would register: every muscle's MuscleSpec (from ``sentinel spec``,
run as a child process so registry_sync never imports the sentinel) and its generated SKILL.md."""

from __future__ import annotations

import getpass
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from core.spec import MuscleSpec
from registry_sync.errors import LocalSpecUnavailable, SkillStale
from registry_sync.records import MuscleRecord, record_from_spec

__all__ = ["LocalState", "load_local", "load_specs", "records_from_specs"]

_SPEC_TIMEOUT_S = 300
_SOURCE_LINE = re.compile(r"^# Source sha256: ([0-9a-f]{64})$", re.MULTILINE)


@dataclass(frozen=True)
class LocalState:
    """The records of a checkout, plus who syncs them from which commit."""

    records: dict[str, MuscleRecord]
    source_commit: str | None
    synced_by: str


def load_specs(root: Path, specs_file: Path | None = None) -> list[MuscleSpec]:
    """The specs ``sentinel spec ROOT`` prints, or those saved earlier in ``specs_file``."""
    if specs_file is not None:
        try:
            text = specs_file.read_text()
        except OSError as exc:
            raise LocalSpecUnavailable(
                f"cannot read {specs_file}: {exc.strerror}", value=str(specs_file)
            ) from None
    else:
        proc = subprocess.run(
            [sys.executable, "-m", "sentinel", "spec", str(root)],
            capture_output=True,
            text=True,
            timeout=_SPEC_TIMEOUT_S,
            cwd=root,
        )
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise LocalSpecUnavailable(f"`sentinel spec {root}` failed: {tail}", value=str(root))
        text = proc.stdout
    try:
        return [MuscleSpec.model_validate(item) for item in json.loads(text)]
    except (ValueError, ValidationError, TypeError) as exc:
        raise LocalSpecUnavailable(f"not a list of MuscleSpec: {str(exc).splitlines()[0]}") from None


def _skill_md(root: Path, spec: MuscleSpec) -> str:
    path = root / Path(spec.service_path).parent / "SKILL.md"
    if not path.is_file():
        raise SkillStale(f"{spec.name}: {path.relative_to(root)} is missing", value=spec.name)
    text = path.read_text()
    found = _SOURCE_LINE.search(text)
    if found is None or found.group(1) != spec.source_sha256:
        raise SkillStale(
            f"{spec.name}: {path.relative_to(root)} was not generated from the current service.py",
            value=spec.name,
        )
    return text


def records_from_specs(root: Path, specs: list[MuscleSpec]) -> dict[str, MuscleRecord]:
    records = [record_from_spec(spec, _skill_md(root, spec)) for spec in specs]
    return {record.name: record for record in sorted(records, key=lambda r: r.name)}


def _git_commit(root: Path) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = proc.stdout.strip()
    return commit if proc.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else None


def load_local(root: Path, specs_file: Path | None = None, synced_by: str | None = None) -> LocalState:
    records = records_from_specs(root, load_specs(root, specs_file))
    return LocalState(records, _git_commit(root), synced_by or f"registry-sync:{getpass.getuser()}")
