"""``muscle``: list, serve, call and configure the muscles of this installation."""

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

from core.discovery import ServiceLocation, find_services, mcp_module, project_root
from core.errors import AtomsError
from core.serving import MountedMuscle, load_serving_settings, run_cli, serve_http, serve_in_process

__all__ = ["main"]


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
) -> int:
    import httpx2
    from mcp import Client, StdioServerParameters
    from mcp.client.streamable_http import streamable_http_client

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        share = f"{progress / total:.0%}" if total else f"{progress:g}"
        print(f"progress {share} {message or ''}".rstrip(), file=sys.stderr, flush=True)

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
        result = await client.call_tool(tool, arguments, progress_callback=on_progress)
    payload = result.structured_content
    if payload is None:
        payload = [block.model_dump(mode="json") for block in result.content]
    print(json.dumps(payload, indent=2, ensure_ascii=False))
    return 1 if result.is_error else 0


def _cmd_call(args: argparse.Namespace) -> int:
    try:
        arguments = json.loads(args.json)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"error: --json is not valid JSON: {exc}") from None
    if not isinstance(arguments, dict):
        raise SystemExit("error: --json must be a JSON object of tool arguments")
    location = _location(args.name)
    token = Path(args.token_file).read_text().strip() if args.token_file else None
    return anyio.run(
        functools.partial(_call, location, args.tool, arguments, url=args.url, token=token, stdio=args.stdio)
    )


def _cmd_config(client: str) -> int:
    root = project_root()
    uv = shutil.which("uv") or "uv"
    servers = {
        name: {"command": uv, "args": ["run", "--directory", str(root), "muscle", "serve", name]}
        for name in sorted(_muscles())
    }
    print(json.dumps({"mcpServers": servers}, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="muscle", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    lst = sub.add_parser("list", help="list muscles with their versions and tools")
    lst.add_argument("--json", action="store_true")
    srv = sub.add_parser("serve", help="serve one muscle (stdio or HTTP) or all of them (HTTP)")
    srv.add_argument("name", nargs="?")
    srv.add_argument("--all", action="store_true", help="one HTTP app with every muscle at /<name>/mcp")
    srv.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    srv.add_argument("--host")
    srv.add_argument("--port", type=int)
    call = sub.add_parser("call", help="call a tool through a real MCP client and print its result")
    call.add_argument("name")
    call.add_argument("tool")
    call.add_argument("--json", default="{}", help="tool arguments as a JSON object")
    call.add_argument("--url", help="call a running HTTP server (e.g. http://127.0.0.1:8700/media_v2/mcp)")
    call.add_argument(
        "--stdio",
        action="store_true",
        help="start the muscle as a stdio server subprocess (default: in this process)",
    )
    call.add_argument(
        "--token-file", help="file holding the bearer token for --url (kept out of argv and history)"
    )
    cfg = sub.add_parser("config", help="print client configuration for every muscle")
    cfg.add_argument("client", choices=["claude-desktop"])
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            return _cmd_list(args.json)
        if args.command == "serve":
            return _cmd_serve(args)
        if args.command == "call":
            return _cmd_call(args)
        return _cmd_config(args.client)
    except AtomsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def run() -> None:
    sys.exit(main())
