"""sentinel watch: regenerate a muscle's files when its service.py, or a module it imports,
changes.

Changes are batched: after the first event the watcher waits for a quiet period with no
further events, then regenerates each affected service once. Which services a module affects
comes from each spec's ``dependencies`` (the first-party modules its introspection loaded),
learnt at start and after every regeneration. Events for the sentinel's own outputs (mcp.py,
SKILL.md, their temp files) are ignored, so writing never re-triggers.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from core.discovery import LayoutError, ServiceLocation, find_services, locate
from core.spec import MuscleSpec
from sentinel.generate import Outcome, WarmIntrospector, generate, introspect, warm_introspector
from sentinel.problem import ServiceProblem

__all__ = ["watch"]

logger = logging.getLogger(__name__)


def _source_paths(event: FileSystemEvent) -> list[Path]:
    paths = [event.src_path, getattr(event, "dest_path", "")]
    return [Path(str(p)) for p in paths if p and str(p).endswith(".py") and Path(str(p)).name != "mcp.py"]


class _Collector(FileSystemEventHandler):
    def __init__(self, changes: queue.Queue[Path]) -> None:
        self.changes = changes

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        for path in _source_paths(event):
            self.changes.put(path)


def watch(
    root: Path,
    *,
    on_outcome: Callable[[Outcome], None],
    stop: threading.Event,
    quiet_s: float = 0.1,
    ready: threading.Event | None = None,
) -> None:
    """Block until ``stop`` is set, regenerating after each quiet batch of service.py changes."""
    changes: queue.Queue[Path] = queue.Queue()
    observer = Observer()
    observer.schedule(_Collector(changes), str(root), recursive=True)
    observer.start()
    with warm_introspector() as warm:
        users = _Dependents(root)
        for location in find_services(root):
            with contextlib.suppress(ServiceProblem):
                users.learn(location, introspect(location, warm))
        if ready is not None:
            ready.set()
        try:
            _loop(changes, stop, quiet_s, warm, users, on_outcome)
        finally:
            observer.stop()
            observer.join()


def _loop(
    changes: queue.Queue[Path],
    stop: threading.Event,
    quiet_s: float,
    warm: WarmIntrospector | None,
    users: _Dependents,
    on_outcome: Callable[[Outcome], None],
) -> None:
    while not stop.is_set():
        try:
            first = changes.get(timeout=0.2)
        except queue.Empty:
            continue
        batch = {first}
        while True:  # wait for a quiet period, so an editor's write-rename burst is one change
            try:
                batch.add(changes.get(timeout=quiet_s))
            except queue.Empty:
                break
        for location in users.affected(batch):
            outcome = generate(location, warm)
            if outcome.spec is not None:
                users.learn(location, outcome.spec)
            on_outcome(outcome)


class _Dependents:
    """Which services each first-party module is loaded by."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._by_module: dict[str, set[ServiceLocation]] = {}

    def learn(self, location: ServiceLocation, spec: MuscleSpec) -> None:
        for users in self._by_module.values():
            users.discard(location)
        for module in spec.dependencies:
            self._by_module.setdefault(module, set()).add(location)

    def affected(self, changed: set[Path]) -> list[ServiceLocation]:
        found: set[ServiceLocation] = set()
        for path in changed:
            if not path.exists():
                continue
            if path.name == "service.py":
                try:
                    found.add(locate(path))
                except LayoutError as exc:
                    logger.warning("%s", exc)
                continue
            resolved = path.resolve()
            if resolved.is_relative_to(self.root):
                found |= self._by_module.get(resolved.relative_to(self.root).as_posix(), set())
        return sorted(found, key=lambda loc: (loc.category, loc.name))
