"""How fast each muscle's server starts, against the smallest real MCP server.

Measures, for every muscle and for ``bench/anchors/bare_server.py`` (a plain ``MCPServer``
with one tool), in interleaved rounds (anchor first on even rounds, ours first on odd ones):

- **server start**: spawn ``python -m muscles.<...>.mcp`` as a stdio server, ``initialize``,
  ``tools/list``: the client-side wall time until the tool list arrives. This is what every
  MCP client (Claude Desktop, an agent runtime) waits for before its first call.
- **one-shot call**: ``muscle call <name> <tool>`` end to end (the CLI starts, loads the
  muscle, calls it over the SDK's in-memory transport, prints the result, exits), against a
  one-file script that loads the bare server and calls ``echo`` the same way: what a shell
  user waits for.

Each server runs on its own fresh data dir, so nothing is warm but the OS's file cache (one
unmeasured warm-up start of each first). Target: every muscle's server start within 1.5x the
anchor's (p50).

Run it with::

    uv run python bench/muscle_start.py [--rounds 7] [--muscles media_v2,video_render]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from _timing import Summary, ratio_line
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = ROOT / "bench" / "anchors" / "bare_server.py"
TARGET = 1.5
QUIET = open(os.devnull, "w")  # noqa: SIM115 - the servers' stderr, for the whole run
# A cheap tool of each muscle for the one-shot call (arguments that need no media).
ONE_SHOT: dict[str, tuple[str, str]] = {
    "media_v2": ("list_assets", "{}"),
    "video_render": ("list_jobs", "{}"),
    "transcriber": ("list_jobs", "{}"),
    "video_timeline": ("describe", '{"timeline": {"tracks": []}}'),
    "audio_capture_normalize": ("normalize", '{"uri": "atoms://media/none/x.wav"}'),
}
ANCHOR_CLIENT = """
import runpy
import sys
import anyio
from mcp import Client

server = runpy.run_path(sys.argv[1])["server"]

async def main() -> None:
    async with Client(server) as client:
        print((await client.call_tool("echo", {"text": "hi"})).structured_content)

anyio.run(main)
"""

sys.path.insert(0, str(ROOT))
from core.discovery import find_services, mcp_module  # noqa: E402 - needs the repo root on sys.path


def fresh_env(tmp: Path, label: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMS_")}
    env.update(ATOMS_DATA_DIR=str(tmp / label), ATOMS_LOG_LEVEL="WARNING")
    return env


async def time_server_start(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Spawn a stdio server, list its tools; the seconds until the list came, and its length."""
    params = StdioServerParameters(command=sys.executable, args=args, env=env, cwd=ROOT)
    start = time.perf_counter()
    async with Client(stdio_client(params, errlog=QUIET)) as client:
        tools = await client.list_tools()
        elapsed = time.perf_counter() - start
    return elapsed, len(tools.tools)


def time_one_shot(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=False, timeout=120)
    return time.perf_counter() - start


def muscle_modules(only: set[str] | None) -> dict[str, str]:
    found = {loc.name: mcp_module(loc) for loc in find_services(ROOT / "muscles")}
    return {name: module for name, module in sorted(found.items()) if only is None or name in only}


async def main_async(args: argparse.Namespace) -> None:
    muscles = muscle_modules(set(args.muscles.split(",")) if args.muscles else None)
    muscle_cli = str(Path(sys.executable).with_name("muscle"))
    with tempfile.TemporaryDirectory(prefix="atoms-start-bench-") as tmp_name:
        tmp = Path(tmp_name)
        anchor_env = fresh_env(tmp, "anchor-warmup")
        await time_server_start([str(ANCHOR)], anchor_env)
        for name, module in muscles.items():
            await time_server_start(["-m", module], fresh_env(tmp, f"{name}-warmup"))
        start_s: dict[str, list[float]] = {"anchor": [], **{name: [] for name in muscles}}
        shot_s: dict[str, list[float]] = {"anchor": [], **{name: [] for name in muscles}}
        tool_counts: dict[str, int] = {}
        for round_no in range(args.rounds):
            order = ["anchor", *muscles] if round_no % 2 == 0 else [*muscles, "anchor"]
            for which in order:
                env = fresh_env(tmp, f"{which}-{round_no}")
                server = [str(ANCHOR)] if which == "anchor" else ["-m", muscles[which]]
                elapsed, tool_counts[which] = await time_server_start(server, env)
                start_s[which].append(elapsed)
                if which == "anchor":
                    command = [sys.executable, "-c", ANCHOR_CLIENT, str(ANCHOR)]
                else:
                    tool, arguments = ONE_SHOT.get(which, ("list_jobs", "{}"))
                    command = [muscle_cli, "call", which, tool, "--json", arguments]
                shot_s[which].append(await anyio.to_thread.run_sync(time_one_shot, command, env))

    anchor_start, anchor_shot = Summary.of(start_s["anchor"]), Summary.of(shot_s["anchor"])
    print(f"server start (spawn, initialize, tools/list), {args.rounds} rounds")
    print(anchor_start.line("anchor") + f"   {tool_counts['anchor']} tool")
    for name in muscles:
        ours = Summary.of(start_s[name])
        print(ours.line(name[:10]) + f"   {tool_counts[name]} tools")
        print(ratio_line(ours, anchor_start, TARGET))
    print(
        f"\none-shot call (`muscle call NAME TOOL` vs a one-file in-memory client of the bare server), {args.rounds} rounds"
    )
    print(anchor_shot.line("anchor"))
    for name in muscles:
        ours = Summary.of(shot_s[name])
        print(ours.line(name[:10]) + f"   ({' '.join(ONE_SHOT.get(name, ('list_jobs',))[:1])})")
        print(ratio_line(ours, anchor_shot, TARGET))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--muscles", default="", help="comma-separated muscle names (default: all)")
    anyio.run(main_async, parser.parse_args())
    return 0


if __name__ == "__main__":
    sys.exit(main())
