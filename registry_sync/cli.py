"""``registry-sync``: register every muscle in Supabase, staging and production.

    plan    what apply would change (exit 2 when something would)
    apply   write it (``--env all``: staging first, production only if staging succeeded)
    status  what each environment holds against the repo, drift included
    export  an MCP Registry server.json for one muscle
    migrate apply supabase/migrations over a direct PostgreSQL connection

Exit codes: 0 in sync or applied; 1 usage or validation error; 2 plan found changes;
3 preflight failed; 4 partial (some environments applied, others failed); 5 failed everywhere.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from core.cli_help import HelpFormatter
from core.discovery import project_root
from core.errors import AtomsError
from registry_sync.config import RegistrySettings
from registry_sync.errors import UnknownMuscle
from registry_sync.local import load_local
from registry_sync.migrate import apply_migrations
from registry_sync.render import Report
from registry_sync.server_json import server_json
from registry_sync.sync import (
    BackendFactory,
    ExitCode,
    apply_exit_code,
    backend_factory,
    plan_exit_code,
    run_apply,
    run_plan,
)
from registry_sync.vault import ENVIRONMENTS, EnvName, Vault

__all__ = ["build_parser", "main", "run"]


def _envs(choice: str) -> tuple[EnvName, ...]:
    return ENVIRONMENTS if choice == "all" else (choice,)  # type: ignore[return-value]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="registry-sync", description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--path", type=Path, default=None, help="project root (default: this checkout)")
    parser.add_argument("--specs", type=Path, help="read MuscleSpecs saved from `sentinel spec` instead")
    parser.add_argument(
        "--backend",
        choices=["rest", "postgres"],
        help="rest (Supabase REST API) or postgres (direct SQL) (default: $ATOMS_REGISTRY_BACKEND or rest)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, formatter_class=HelpFormatter)

    envs = ["staging", "production", "all"]
    env_help = "which environment (all: staging first, production only if staging succeeded)"
    for name, text in (("plan", "show what apply would change"), ("apply", "write the changes")):
        cmd = command(name, text)
        cmd.add_argument("--env", choices=envs, default="staging", help=env_help)
        cmd.add_argument("--prune", action="store_true", help="soft-delete muscles gone from the repo")
        cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status = command("status", "what each environment holds against the repo (drift included)")
    status.add_argument("--env", choices=envs, default="all", help="which environment")
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    export = command("export", "write an MCP Registry server.json for one muscle")
    export.add_argument("format", choices=["server.json"], help="the export format")
    export.add_argument("name", help="the muscle to export")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    migrate = command("migrate", "apply supabase/migrations directly (postgres backend)")
    migrate.add_argument("--env", choices=envs, default="staging", help=env_help)
    migrate.add_argument(
        "--migrations", type=Path, help="the migrations folder (default: <root>/supabase/migrations)"
    )
    return parser


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sync(
    args: argparse.Namespace, settings: RegistrySettings, report: Report, factory: BackendFactory
) -> int:
    root = args.path or project_root()
    local = load_local(root, args.specs, settings.registry_synced_by)
    envs = _envs(args.env)
    if args.command == "apply":
        outcomes = run_apply(envs, local, factory, prune=args.prune)
        code = apply_exit_code(outcomes)
    else:
        outcomes = run_plan(envs, local, factory, prune=getattr(args, "prune", False))
        code = plan_exit_code(outcomes, differences=args.command == "status")
    if args.json:
        report.json(json.dumps(report.document(args.command, outcomes, code), indent=2, sort_keys=True))
    else:
        for outcome in outcomes:
            report.environment(outcome, applying=args.command == "apply")
        report.line(f"exit {int(code)}: {_meaning(args.command, code)}")
    return int(code)


def _meaning(command: str, code: ExitCode) -> str:
    return {
        ExitCode.OK: "applied / in sync" if command == "apply" else "in sync",
        ExitCode.USAGE: "refused: fix the errors above, nothing was written",
        ExitCode.CHANGES: "changes to apply" if command == "plan" else "differences found",
        ExitCode.PREFLIGHT: "preflight failed, nothing was written there",
        ExitCode.PARTIAL: "partial: some environments applied, others failed (re-run apply once fixed)",
        ExitCode.FAILED: "failed everywhere",
    }[code]


def _export(args: argparse.Namespace, settings: RegistrySettings, report: Report) -> int:
    local = load_local(args.path or project_root(), args.specs, settings.registry_synced_by)
    record = local.records.get(args.name)
    if record is None:
        raise UnknownMuscle(f"no muscle named {args.name!r} in this checkout", value=args.name)
    document = server_json(
        record, namespace=settings.registry_namespace, remote_base_url=settings.registry_remote_base_url
    )
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        report.json(text.rstrip("\n"))
    else:
        _write_atomic(args.output, text)
        report.line(f"wrote {args.output}")
    return 0


def _migrate(args: argparse.Namespace, settings: RegistrySettings, report: Report) -> int:
    folder = args.migrations or (args.path or project_root()) / "supabase" / "migrations"
    vault = Vault(settings)
    done_any = failed_any = False
    for env in _envs(args.env):
        try:
            applied = apply_migrations(env, vault.db_url(env), folder, timeout_s=settings.registry_timeout_s)
        except AtomsError as exc:
            report.problem(exc)
            failed_any = True
            break
        done_any = True
        report.line(f"{env}: " + (", ".join(applied) if applied else "up to date"))
    if not failed_any:
        return ExitCode.OK
    return ExitCode.PARTIAL if done_any else ExitCode.FAILED


def main(
    argv: Sequence[str] | None = None,
    *,
    settings: RegistrySettings | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse's usage errors exit 2; ours are 1
        return ExitCode.USAGE if exc.code else ExitCode.OK
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(message)s")
    try:
        settings = settings or RegistrySettings()
    except ValidationError as exc:
        fields = ", ".join(f"ATOMS_{str(e['loc'][0]).upper()}" for e in exc.errors())
        print(f"error [config_invalid]: invalid settings: {fields}", file=err or sys.stderr)
        return ExitCode.USAGE
    if args.backend:
        settings = settings.model_copy(update={"registry_backend": args.backend})
    report = Report(out or sys.stdout, err or sys.stderr, Vault(settings).secrets())
    try:
        if args.command == "export":
            return _export(args, settings, report)
        if args.command == "migrate":
            return _migrate(args, settings, report)
        return _sync(args, settings, report, backend_factory(settings))
    except AtomsError as exc:
        report.problem(exc)
        return ExitCode.USAGE


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
