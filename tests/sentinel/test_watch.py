"""sentinel watch rewrites mcp.py after a real file change, and keeps files on a broken one."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.discovery import locate
from sentinel.generate import Outcome, generate
from sentinel.watch import watch
from tests.conftest import add_service

GOOD = (Path(__file__).parent / "cases" / "minimal" / "service.py").read_text()
NEW_TOOL = '''

    @tool
    def shout(self, text: str) -> str:
        """Return `text` in capitals."""
        return text.upper()
'''
WAIT_S = 30.0  # an upper bound for a loaded CI machine, not an expectation


class _Watcher:
    def __init__(self, root: Path) -> None:
        self.outcomes: list[Outcome] = []
        self.changed = threading.Condition()
        self.stop = threading.Event()
        ready = threading.Event()
        self.thread = threading.Thread(
            target=watch, args=(root,), kwargs={"on_outcome": self._record, "stop": self.stop, "ready": ready}
        )
        self.thread.start()
        assert ready.wait(WAIT_S)

    def _record(self, outcome: Outcome) -> None:
        with self.changed:
            self.outcomes.append(outcome)
            self.changed.notify_all()

    def wait_for(self, count: int) -> list[Outcome]:
        deadline = time.monotonic() + WAIT_S
        with self.changed:
            while len(self.outcomes) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"watch produced {len(self.outcomes)} outcomes, expected {count}")
                self.changed.wait(remaining)
            return list(self.outcomes)


@pytest.fixture
def watched(scratch_project: Path) -> Iterator[tuple[Path, _Watcher]]:
    service = add_service(scratch_project, "demo", "echo", GOOD)
    assert generate(locate(service)).problem is None
    watcher = _Watcher(scratch_project)
    yield service, watcher
    watcher.stop.set()
    watcher.thread.join(WAIT_S)


def test_watch_rewrites_mcp_py_after_a_service_change(watched: tuple[Path, _Watcher]) -> None:
    service, watcher = watched
    service.write_text(GOOD + NEW_TOOL)
    outcomes = watcher.wait_for(1)
    assert outcomes[0].problem is None
    assert service.parent / "mcp.py" in outcomes[0].written
    assert 'name="shout"' in (service.parent / "mcp.py").read_text()


def test_watch_ignores_its_own_outputs(watched: tuple[Path, _Watcher]) -> None:
    service, watcher = watched
    service.write_text(GOOD + NEW_TOOL)
    watcher.wait_for(1)
    # Writing mcp.py and SKILL.md must not trigger another round; a second real change
    # must be the next outcome, and it must be the only one.
    service.write_text(GOOD)
    outcomes = watcher.wait_for(2)
    assert len(outcomes) == 2
    assert 'name="shout"' not in (service.parent / "mcp.py").read_text()


def test_watch_keeps_previous_files_when_the_service_breaks(watched: tuple[Path, _Watcher]) -> None:
    service, watcher = watched
    before = (service.parent / "mcp.py").read_bytes()
    service.write_text(GOOD.replace("def echo(", "def echo(("))
    outcome = watcher.wait_for(1)[0]
    assert outcome.problem is not None
    assert outcome.problem.path == "muscles/demo/echo/service.py"
    assert outcome.problem.line == _line_of(service.read_text(), "def echo((")
    assert (service.parent / "mcp.py").read_bytes() == before


def _line_of(source: str, needle: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), start=1) if needle in line)


IMPORTING = '''"""Echoes text back, its result described in a module of its own."""

from __future__ import annotations

from core import Muscle, tool

from .words import Echoed


class Echo(Muscle):
    """Echoes text back."""

    @tool
    def echo(self, text: str) -> Echoed:
        """Return `text`."""
        return Echoed(text=text)
'''
WORDS = 'from pydantic import BaseModel, Field\n\n\nclass Echoed(BaseModel):\n    text: str = Field(description="{0}")\n'


def test_watch_regenerates_when_a_module_the_service_imports_changes(scratch_project: Path) -> None:
    service = add_service(scratch_project, "demo", "echo", IMPORTING)
    words = service.parent / "words.py"
    words.write_text(WORDS.format("as sent"))
    assert generate(locate(service)).problem is None
    watcher = _Watcher(scratch_project)
    try:
        words.write_text(WORDS.format("exactly as it was sent"))
        outcome = watcher.wait_for(1)[0]
    finally:
        watcher.stop.set()
        watcher.thread.join(WAIT_S)
    assert outcome.problem is None and service.parent / "SKILL.md" in outcome.written
    assert "exactly as it was sent" in (service.parent / "SKILL.md").read_text()
