"""How fast sentinel turns service.py files into mcp.py, in a throwaway copy of the project.

(a) ``sentinel generate``: wall time of ``python -m sentinel generate <copy>`` over every
    muscle in the repo (a fresh interpreter that introspects each service in a child process).
    Anchor: ``python -c "import mcp.server.mcpserver"``, the start-up any design that imports
    services in a child process pays at least once. Runs alternate anchor and generate after a
    warm-up; prints p50 and mean of each and the ratio generate/anchor.
(b) ``sentinel watch``: save-to-written latency for one changed service. A watcher runs on the
    copy (``--quiet-ms 50``); each run appends a comment to a service.py (which changes the
    source sha256 in mcp.py's header) and times until mcp.py's content changes (polled every
    5 ms). Target: p50 and max <= 300 ms.

``muscles/`` is copied to a temp root first; nothing in the repo is written (the script checks).

Run it with::

    uv run python bench/sentinel_speed.py [--runs 5] [--edits 10]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from _timing import Summary

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WATCH_TARGET_MS = 300.0
QUIET_MS = 50
POLL_S = 0.005
CHANGE_TIMEOUT_S = 10.0
READY_TIMEOUT_S = 60.0
EDIT_MARKER = "# sentinel_speed edit"


def leaked_into_repo(bench_shas: set[str]) -> list[Path]:
    """Repo files showing this run's edits or outputs; empty unless generation escaped the copy.

    (Comparing the whole tree before and after would also flag edits others make meanwhile.)
    """
    muscles = ROOT / "muscles"
    leaks = [p for p in muscles.glob("*/*/service.py") if EDIT_MARKER in p.read_text()]
    leaks += [p for p in muscles.glob("*/*/mcp.py") if any(sha in p.read_text() for sha in bench_shas)]
    return leaks


def copy_project(dest: Path) -> Path:
    shutil.copytree(ROOT / "muscles", dest / "muscles", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def wall_time(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def bench_generate(root: Path, runs: int) -> tuple[Summary, Summary]:
    """(anchor, generate) wall times, alternating which goes first, after one warm-up each."""
    commands = {
        "anchor": [PYTHON, "-c", "import mcp.server.mcpserver"],
        "generate": [PYTHON, "-m", "sentinel", "generate", str(root)],
    }
    for command in commands.values():
        wall_time(command, root)
    samples: dict[str, list[float]] = {"anchor": [], "generate": []}
    for run in range(runs):
        order = ("anchor", "generate") if run % 2 == 0 else ("generate", "anchor")
        for which in order:
            samples[which].append(wall_time(commands[which], root))
    return Summary.of(samples["anchor"]), Summary.of(samples["generate"])


class Watcher:
    """A ``sentinel watch`` subprocess whose stdout lines arrive on a queue."""

    def __init__(self, root: Path) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "sentinel", "watch", str(root), "--quiet-ms", str(QUIET_MS)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, predicate: Callable[[str], bool], timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            if predicate(line):
                return line
        raise TimeoutError(f"sentinel watch printed no matching line within {timeout_s} s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def time_one_edit(
    service: Path, output: Path, shas: set[str], label: str, timeout_s: float = CHANGE_TIMEOUT_S
) -> float:
    """Append a comment to ``service``; seconds until ``output``'s content changes.

    The sha256 of each edited source goes into ``shas`` (mcp.py's header names it).
    """
    before = output.read_bytes()
    start = time.perf_counter()
    with service.open("a") as handle:
        handle.write(f"{EDIT_MARKER} {label}\n")
    shas.add(hashlib.sha256(service.read_bytes()).hexdigest())
    deadline = start + timeout_s
    while time.perf_counter() < deadline:
        if output.read_bytes() != before:
            return time.perf_counter() - start
        time.sleep(POLL_S)
    raise TimeoutError(f"{output} did not change within {timeout_s} s of the edit")


def prime(watcher: Watcher, service: Path, output: Path, shas: set[str]) -> None:
    """Edit until the watcher reacts once. It prints "watching" before its observer runs, so an
    edit made right after that line can go unseen; this also warms its introspection process."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    for attempt in itertools.count():
        try:
            time_one_edit(service, output, shas, f"warm-up {attempt}", timeout_s=2.0)
            break
        except TimeoutError:
            if time.monotonic() > deadline:
                raise
    watcher.wait_for_line(_reported, CHANGE_TIMEOUT_S)


def _reported(line: str) -> bool:
    return "wrote" in line or "up to date" in line


def bench_watch(root: Path, edits: int, shas: set[str]) -> Summary:
    service = root / "muscles" / "media" / "media_v2" / "service.py"
    output = service.with_name("mcp.py")
    watcher = Watcher(root)
    try:
        watcher.wait_for_line(lambda line: line.startswith("watching"), READY_TIMEOUT_S)
        prime(watcher, service, output, shas)
        samples = []
        for edit_no in range(edits):
            samples.append(time_one_edit(service, output, shas, str(edit_no)))
            # The watcher reports after writing every file; wait for it, so edits never overlap.
            watcher.wait_for_line(_reported, CHANGE_TIMEOUT_S)
    finally:
        watcher.stop()
    return Summary.of(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of generate and of the anchor")
    parser.add_argument("--edits", type=int, default=10, help="timed edits under sentinel watch")
    args = parser.parse_args()
    shas: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="bench-sentinel-") as tmp:
        root = copy_project(Path(tmp))
        services = sorted(str(p.relative_to(root)) for p in root.glob("muscles/*/*/service.py"))
        anchor, generate = bench_generate(root, args.runs)
        print(f"(a) sentinel generate over {len(services)} muscle(s): {', '.join(services)}")
        print(anchor.line("anchor"))
        print(generate.line("generate"))
        print(
            f"  ratio      p50 {generate.p50 / anchor.p50:8.3f}      mean {generate.mean / anchor.mean:8.3f}"
        )
        watch = bench_watch(root, args.edits, shas)
        verdict = "meets" if watch.max <= WATCH_TARGET_MS else "MISSES"
        print(f"(b) sentinel watch, save to mcp.py written, --quiet-ms {QUIET_MS}")
        print(watch.line("watch"))
        print(f"  target     p50 and max <= {WATCH_TARGET_MS:.0f} ms ({verdict} it)")
    leaks = leaked_into_repo(shas)
    for path in leaks:
        print(f"error: {path} shows this benchmark's edits: generation escaped the copy", file=sys.stderr)
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
