"""muscle: list, serve, call and configure the muscles of this installation."""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio

from core.cli_help import HelpFormatter
from core.discovery import ServiceLocation, find_services, mcp_module, project_root
from core.errors import AtomsError
from core.serving import MountedMuscle, load_serving_settings, run_cli, serve_http, serve_in_process
from muscles.cli_output import ProgressLine, picked

__all__ = ["build_parser", "claude_desktop_config", "main"]


def _muscles() -> dict[str, ServiceLocation]:
    return {loc.name: loc for loc in find_services(project_root())}


def _location(name: str) -> ServiceLocation:
    muscles = _muscles()
    if name not in muscles:
        known = ", ".join(sorted(muscles)) or "none"
        raise SystemExit(f"error: no muscle named {name!r} (known: {known})")
    return muscles[name]


def _load(location: ServiceLocation) -> Any:
    return importlib.import_module(mcp_module(location))


def _cmd_list(as_json: bool) -> int:
    rows = []
    for name, loc in sorted(_muscles().items()):
        module = _load(loc)
        tools = sorted(t.name for t in anyio.run(module.server.list_tools))
        rows.append(
            {"name": name, "category": loc.category, "version": module.server.version, "tools": tools}
        )
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['name']:<24} {row['category']:<10} {row['version']:<8} {', '.join(row['tools'])}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    if args.all:
        settings = load_serving_settings(args.host, args.port)
        mounted = []
        for name, loc in sorted(_muscles().items()):
            module = _load(loc)
            mounted.append(MountedMuscle(name, module.server, module.runtime))
        serve_http(mounted, settings)
        return 0
    if not args.name:
        raise SystemExit("error: name a muscle, or pass --all")
    module = _load(_location(args.name))
    argv = ["--transport", args.transport]
    if args.host:
        argv += ["--host", args.host]
    if args.port is not None:
        argv += ["--port", str(args.port)]
    run_cli(module.server, module.runtime, argv)
    return 0


async def _call(
    location: ServiceLocation,
    tool: str,
    arguments: dict[str, Any],
    *,
    url: str | None,
    token: str | None,
    stdio: bool,
    get: str | None = None,
) -> int:
    import httpx2
    from mcp import Client, StdioServerParameters
    from mcp.client.streamable_http import streamable_http_client

    line = ProgressLine(sys.stderr)

    # The server's INFO logs stay out of the command's output unless ATOMS_LOG_LEVEL asks.
    log_level = os.environ.get("ATOMS_LOG_LEVEL", "WARNING")
    async with contextlib.AsyncExitStack() as stack:
        if url:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=None))
            await stack.enter_async_context(http)
            target: Any = streamable_http_client(url, http_client=http)
        elif stdio:
            # The SDK passes a stdio server only a minimal environment; forward ours so the
            # server sees the same ATOMS_* configuration.
            env = {**os.environ, "ATOMS_LOG_LEVEL": log_level}
            target = StdioServerParameters(command=sys.executable, args=["-m", mcp_module(location)], env=env)
        else:
            # The muscle's own server in this process, over the SDK's in-memory transport: the
            # same MCP messages as over stdio, without a second interpreter importing it all again.
            module = _load(location)
            settings = load_serving_settings(log_level=log_level)
            target = await stack.enter_async_context(
                serve_in_process(module.server, module.runtime, settings)
            )
        client = await stack.enter_async_context(Client(target))
        try:
            result = await client.call_tool(tool, arguments, progress_callback=line.update)
        finally:
            line.close()
    payload = result.structured_content
    if payload is None:
        payload = [block.model_dump(mode="json") for block in result.content]
    if get is not None and not result.is_error:
        print(_plain(picked(payload, get)))
    else:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    return 1 if result.is_error else 0


def _plain(value: Any) -> str:
    """A picked value as a shell wants it: strings bare, everything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _cmd_call(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.json == "-" else args.json
    try:
        arguments = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"error: --json is not valid JSON: {exc}") from None
    if not isinstance(arguments, dict):
        raise SystemExit("error: --json must be a JSON object of tool arguments")
    location = _location(args.name)
    token = Path(args.token_file).read_text().strip() if args.token_file else None
    return anyio.run(
        functools.partial(
            _call, location, args.tool, arguments, url=args.url, token=token, stdio=args.stdio, get=args.get
        )
    )


def _cmd_samples(folder: Path) -> int:
    from muscles.samples import write_samples

    def written(path: Path, what: str) -> None:
        print(f"{path}  {what}")

    write_samples(folder, on_written=written)
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    print(json.dumps(claude_desktop_config(args.import_root, args.data_dir), indent=2))
    return 0


def claude_desktop_config(import_roots: Sequence[Path], data_dir: Path | None) -> dict[str, Any]:
    """The ``mcpServers`` block for every muscle: each runs over stdio through ``uv`` in this
    checkout, with the environment a desktop app does not pass on by itself."""
    root = project_root()
    uv = shutil.which("uv") or "uv"
    env = {"ATOMS_DATA_DIR": str((data_dir or load_serving_settings().data_dir).expanduser().resolve())}
    if import_roots:
        env["ATOMS_IMPORT_ROOTS"] = os.pathsep.join(str(p.expanduser().resolve()) for p in import_roots)
    servers = {
        name: {"command": uv, "args": ["run", "--directory", str(root), "muscle", "serve", name], "env": env}
        for name in sorted(_muscles())
    }
    return {"mcpServers": servers}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="muscle", description=__doc__, formatter_class=HelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, formatter_class=HelpFormatter)

    lst = command("list", "list the muscles with their versions and tools")
    lst.add_argument("--json", action="store_true", help="print JSON instead of a table")
    srv = command("serve", "serve one muscle (stdio or HTTP) or all of them (HTTP)")
    srv.add_argument("name", nargs="?", help="the muscle to serve (see `muscle list`); omit with --all")
    srv.add_argument("--all", action="store_true", help="one HTTP app with every muscle at /<name>/mcp")
    srv.add_argument(
        "--transport", choices=["stdio", "http"], default="stdio", help="how to serve one muscle"
    )
    srv.add_argument("--host", help="HTTP bind address (default: ATOMS_HTTP_HOST, 127.0.0.1)")
    srv.add_argument("--port", type=int, help="HTTP port (default: ATOMS_HTTP_PORT, 8700)")
    call = command("call", "call a tool through a real MCP client and print its result")
    call.add_argument("name", help="the muscle (see `muscle list`)")
    call.add_argument("tool", help="the tool to call (see the muscle's SKILL.md)")
    call.add_argument("--json", default="{}", help="tool arguments as a JSON object; - reads them from stdin")
    call.add_argument(
        "--get", metavar="PATH", help="print only this field of the result (dotted, e.g. uri or media.uri)"
    )
    call.add_argument("--url", help="call a running HTTP server (e.g. http://127.0.0.1:8700/media_v2/mcp)")
    call.add_argument(
        "--stdio", action="store_true", help="start the muscle as a stdio server subprocess (else in-process)"
    )
    call.add_argument(
        "--token-file", help="file holding the bearer token for --url (kept out of argv and history)"
    )
    smp = command("samples", "write small sample media (clips, a tone, speech) to try every muscle with")
    smp.add_argument("folder", type=Path, help="where to write them (made if missing)")
    cfg = command("config", "print a client's configuration for every muscle")
    cfg.add_argument("client", choices=["claude-desktop"], help="the client to configure")
    cfg.add_argument(
        "--import-root",
        type=Path,
        action="append",
        default=[],
        help="a folder register may read local files from (repeatable), e.g. ~/Videos",
    )
    cfg.add_argument(
        "--data-dir",
        type=Path,
        help="where the muscles keep media and jobs (default: ATOMS_DATA_DIR, ~/.local/share/atoms-muscle)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            return _cmd_list(args.json)
        if args.command == "serve":
            return _cmd_serve(args)
        if args.command == "call":
            return _cmd_call(args)
        if args.command == "samples":
            return _cmd_samples(args.folder)
        return _cmd_config(args)
    except AtomsError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
        return 2


def run() -> None:
    sys.exit(main())
