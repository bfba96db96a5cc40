"""sentinel: keep every muscle's mcp.py and SKILL.md in step with its service.py."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from core.cli_help import HelpFormatter
from core.discovery import LayoutError, find_services
from sentinel.export import export_skills
from sentinel.generate import Outcome, check, generate, introspect, warm_introspector
from sentinel.problem import ServiceProblem
from sentinel.watch import watch

__all__ = ["build_parser", "main"]


def _report(outcome: Outcome) -> bool:
    """Print one line per muscle (problems to stderr); True when it went well."""
    rel = outcome.location.relative_path
    if outcome.problem is not None:
        problem = outcome.problem
        print(
            f"{problem.path}:{problem.line}: error: {problem.message} (previous files kept)", file=sys.stderr
        )
        return False
    if outcome.written:
        print(f"{rel}: wrote {', '.join(p.name for p in outcome.written)}")
    else:
        print(f"{rel}: up to date")
    return True


def _cmd_generate(path: Path) -> int:
    with warm_introspector() as warm:
        ok = all([_report(generate(location, warm)) for location in find_services(path)])
    return 0 if ok else 1


def _cmd_check(path: Path) -> int:
    failed = 0
    with warm_introspector() as warm:
        outcomes = [check(location, warm) for location in find_services(path)]
    for outcome in outcomes:
        location = outcome.location
        if outcome.problem is not None:
            _report(outcome)
            failed += 1
        elif outcome.diffs:
            failed += 1
            print(
                f"{location.relative_path}: generated files are stale; run `sentinel generate`",
                file=sys.stderr,
            )
            for diff in outcome.diffs:
                sys.stdout.write(diff)
        else:
            print(f"{location.relative_path}: ok")
    return 1 if failed else 0


def _cmd_watch(path: Path, quiet_s: float) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    _cmd_generate(path)
    ready = threading.Event()

    def on_outcome(outcome: Outcome) -> None:
        _report(outcome)
        sys.stdout.flush()

    def announce() -> None:
        # Only once the observer runs: a change made after this line is never missed.
        if ready.wait(timeout=60):
            print(f"watching {path.resolve()} for service.py changes (Ctrl-C stops)", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    watch(path, on_outcome=on_outcome, stop=stop, quiet_s=quiet_s, ready=ready)
    return 0


def _cmd_spec(path: Path) -> int:
    """Print every muscle's MuscleSpec as one JSON array (what registry-sync reads)."""
    specs = []
    with warm_introspector() as warm:
        for location in find_services(path):
            outcome_spec = introspect(location, warm)
            specs.append(outcome_spec.model_dump(mode="json"))
    print(json.dumps(specs, indent=2, sort_keys=True))
    return 0


def _cmd_export(dest: Path, path: Path) -> int:
    hand_written = path / "skills" if (path / "skills").is_dir() else None
    for folder in export_skills(find_services(path), dest, hand_written):
        print(folder)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sentinel", description=__doc__, formatter_class=HelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, formatter_class=HelpFormatter)

    project = "the project root, or one category or muscle folder in it (default: the current folder)"
    gen = command("generate", "write mcp.py and SKILL.md for each service.py")
    gen.add_argument("path", nargs="?", type=Path, default=Path.cwd(), help=project)
    chk = command("check", "exit 1 with a diff when a generated file is stale or missing")
    chk.add_argument("path", nargs="?", type=Path, default=Path.cwd(), help=project)
    wat = command(
        "watch", "regenerate mcp.py and SKILL.md whenever a service.py (or a module it imports) changes"
    )
    wat.add_argument("path", nargs="?", type=Path, default=Path.cwd(), help=project)
    wat.add_argument(
        "--quiet-ms", type=int, default=100, help="quiet period (ms) that ends a batch of changes"
    )
    spc = command("spec", "print every muscle's MuscleSpec as JSON")
    spc.add_argument("path", nargs="?", type=Path, default=Path.cwd(), help=project)
    exp = command("export-skills", "write Agent Skills folders (one per muscle and guide) under DEST")
    exp.add_argument("dest", type=Path, help="the folder to write the skill folders into")
    exp.add_argument(
        "--path", type=Path, default=Path.cwd(), help="the project root (default: the current folder)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    try:
        if args.command == "generate":
            return _cmd_generate(args.path)
        if args.command == "check":
            return _cmd_check(args.path)
        if args.command == "watch":
            return _cmd_watch(args.path, args.quiet_ms / 1000)
        if args.command == "spec":
            return _cmd_spec(args.path)
        return _cmd_export(args.dest, args.path)
    except (LayoutError, ServiceProblem) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
