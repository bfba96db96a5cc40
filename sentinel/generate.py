"""generate and check: service.py -> (child process) MuscleSpec -> mcp.py + SKILL.md."""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.discovery import ServiceLocation
from core.spec import MuscleSpec
from sentinel.problem import ServiceProblem
from sentinel.render import render_mcp, render_skill

__all__ = [
    "Outcome",
    "WarmIntrospector",
    "check",
    "generate",
    "introspect",
    "render_all",
    "warm_introspector",
    "write_atomic",
]

_CHILD_TIMEOUT_S = 120


_CHILD_ENV = {"PYTHONDONTWRITEBYTECODE": "1"}


class WarmIntrospector:
    """Keeps one warm process that forks per request: ~10x faster than a fresh interpreter,
    which is what makes ``sentinel watch`` feel immediate. POSIX only (it forks)."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "sentinel._forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **_CHILD_ENV},
        )

    def run(self, location: ServiceLocation, out: Path) -> None:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps({"service": str(location.service_path), "out": str(out)}) + "\n")
        self._proc.stdin.flush()
        self._proc.stdout.readline()

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=_CHILD_TIMEOUT_S)


@contextlib.contextmanager
def warm_introspector() -> Iterator[WarmIntrospector | None]:
    """A warm introspector where the OS can fork (POSIX), else None (a fresh child per service)."""
    if not hasattr(os, "fork"):
        yield None
        return
    warm = WarmIntrospector()
    try:
        yield warm
    finally:
        warm.close()


def _run_child(location: ServiceLocation, out: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "sentinel._child", str(location.service_path), str(out)],
        capture_output=True,
        text=True,
        timeout=_CHILD_TIMEOUT_S,
        cwd=location.root,
        env={**os.environ, **_CHILD_ENV},
    )
    return proc.stderr or ""


def introspect(location: ServiceLocation, warm: WarmIntrospector | None = None) -> MuscleSpec:
    """Import the service in a child process and return its spec, or raise ServiceProblem."""
    with tempfile.TemporaryDirectory(prefix="sentinel-") as tmp:
        out = Path(tmp) / "spec.json"
        stderr = ""
        if warm is not None:
            warm.run(location, out)
        else:
            stderr = _run_child(location, out)
        if not out.exists():
            tail = stderr.strip().splitlines()[-1:] or ["no output"]
            raise ServiceProblem(location.relative_path, 1, f"introspection crashed: {tail[0]}")
        result = json.loads(out.read_text())
    if not result["ok"]:
        raise ServiceProblem(result["path"], result["line"], result["message"])
    return MuscleSpec.model_validate(result["spec"])


def render_all(spec: MuscleSpec) -> dict[str, str]:
    return {"mcp.py": render_mcp(spec), "SKILL.md": render_skill(spec)}


def write_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` via a temp file and rename; return False when unchanged."""
    data = text.encode()
    if path.exists() and path.read_bytes() == data:
        return False  # leave the mtime alone, so watchers and make see no change
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@dataclass
class Outcome:
    location: ServiceLocation
    spec: MuscleSpec | None = None
    written: list[Path] = field(default_factory=list)
    problem: ServiceProblem | None = None
    diffs: list[str] = field(default_factory=list)


def generate(location: ServiceLocation, warm: WarmIntrospector | None = None) -> Outcome:
    """Regenerate one muscle's files; a broken service leaves the previous files untouched."""
    outcome = Outcome(location)
    try:
        outcome.spec = introspect(location, warm)
    except ServiceProblem as problem:
        outcome.problem = problem
        return outcome
    for name, text in render_all(outcome.spec).items():
        if write_atomic(location.output(name), text):
            outcome.written.append(location.output(name))
    return outcome


def check(location: ServiceLocation, warm: WarmIntrospector | None = None) -> Outcome:
    """Compare the files on disk with what generate would write; collect unified diffs."""
    outcome = Outcome(location)
    try:
        outcome.spec = introspect(location, warm)
    except ServiceProblem as problem:
        outcome.problem = problem
        return outcome
    for name, expected in render_all(outcome.spec).items():
        path = location.output(name)
        actual = path.read_text() if path.exists() else ""
        if actual != expected:
            rel = f"{location.relative_path.rsplit('/', 1)[0]}/{name}"
            label = rel if path.exists() else f"{rel} (missing)"
            outcome.diffs.append(
                "".join(
                    difflib.unified_diff(
                        actual.splitlines(keepends=True),
                        expected.splitlines(keepends=True),
                        fromfile=f"{label} (on disk)",
                        tofile=f"{rel} (generated)",
                    )
                )
            )
    return outcome
