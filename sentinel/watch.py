"""sentinel watch: regenerate a muscle's files when its service.py changes.

Changes are batched: after the first event the watcher waits for a quiet period with no
further events, then regenerates each changed service once. Events for the sentinel's own
outputs (mcp.py, SKILL.md, their temp files) are ignored, so writing never re-triggers.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from core.discovery import LayoutError, locate
from sentinel.generate import Outcome, WarmIntrospector, generate, warm_introspector

__all__ = ["watch"]

logger = logging.getLogger(__name__)


def _service_paths(event: FileSystemEvent) -> list[Path]:
    paths = [event.src_path, getattr(event, "dest_path", "")]
    return [Path(str(p)) for p in paths if p and Path(str(p)).name == "service.py"]


class _Collector(FileSystemEventHandler):
    def __init__(self, changes: queue.Queue[Path]) -> None:
        self.changes = changes

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        for path in _service_paths(event):
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
        if ready is not None:
            ready.set()
        try:
            _loop(changes, stop, quiet_s, warm, on_outcome)
        finally:
            observer.stop()
            observer.join()


def _loop(
    changes: queue.Queue[Path],
    stop: threading.Event,
    quiet_s: float,
    warm: WarmIntrospector | None,
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
        for path in sorted(batch):
            if not path.exists():
                continue
            try:
                location = locate(path)
            except LayoutError as exc:
                logger.warning("%s", exc)
                continue
            on_outcome(generate(location, warm))
