"""Tool-call round trip of the generated media_v2 server against a hand-written MCPServer.

Measures: the client-side wall time of one ``call_tool("stat", {"uri": ...})`` on an asset
registered first, so every call does real work (a storage head plus a metadata parse), over
stdio and over streamable HTTP (stateful, SSE responses: the defaults of both servers).

- ours: ``python -m muscles.media.media_v2.mcp`` (generated mcp.py -> MuscleServer ->
  MuscleRuntime -> MediaV2.stat -> MediaStore), over HTTP with our app (BearerAuth, health and
  /media routes, the MCP app mounted at /mcp).
- anchor: ``bench/anchors/handwritten_media_server.py``, a plain MCPServer whose ``stat`` calls
  the same MediaStore directly. The ratio ours/anchor is our framework's overhead.

Both servers run at once against the same data directory; calls are made in interleaved
rounds (anchor first on even rounds, ours first on odd ones) after a warm-up, so machine noise
lands on both. Target: ratio <= 1.05 (p50; the mean is printed too, and shows single long
pauses such as a full garbage collection in either server).

Run it with::

    uv run python bench/mcp_roundtrip.py [--calls 300] [--transport stdio|http|both] [--rounds 50]
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO

import anyio
from _timing import Summary, ratio_line
from anyio.abc import Process
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parent.parent
ANCHOR_SCRIPT = ROOT / "bench" / "anchors" / "handwritten_media_server.py"
OURS_MODULE = "muscles.media.media_v2.mcp"
TARGET = 1.05
START_TIMEOUT_S = 60.0

sys.path.insert(0, str(ROOT))
from tests.media_samples import write_tone_wav  # noqa: E402 - needs the repo root on sys.path


def server_args(which: str, port: int | None) -> list[str]:
    """Interpreter arguments that start the anchor or ours, on stdio or on ``port``."""
    base = [str(ANCHOR_SCRIPT)] if which == "anchor" else ["-m", OURS_MODULE]
    if port is None:
        return base
    return (
        [*base, "--port", str(port)]
        if which == "anchor"
        else [*base, "--transport", "http", "--port", str(port)]
    )


def make_env(tmp: Path) -> dict[str, str]:
    """The servers' environment: a fresh data dir and an import root holding ``tone.wav``."""
    imports = tmp / "imports"
    write_tone_wav(imports / "tone.wav")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMS_")}
    env.update(ATOMS_DATA_DIR=str(tmp / "data"), ATOMS_IMPORT_ROOTS=str(imports), ATOMS_TENANT_ID="bench")
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_for_port(port: int, proc: Process) -> None:
    with anyio.fail_after(START_TIMEOUT_S):
        while True:
            if proc.returncode is not None:
                raise RuntimeError(f"server exited with {proc.returncode} before listening on {port}")
            try:
                await (await anyio.connect_tcp("127.0.0.1", port)).aclose()
                return
            except OSError:
                await anyio.sleep(0.05)


@asynccontextmanager
async def connect(which: str, transport: str, env: dict[str, str], log: TextIO) -> AsyncIterator[Client]:
    """A connected client for the anchor or ours; the server's logs go to ``log``."""
    if transport == "stdio":
        params = StdioServerParameters(
            command=sys.executable, args=server_args(which, None), env=env, cwd=ROOT
        )
        async with Client(stdio_client(params, errlog=log)) as client:
            yield client
        return
    port = free_port()
    proc = await anyio.open_process(
        [sys.executable, *server_args(which, port)], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    try:
        await wait_for_port(port, proc)
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            yield client
    finally:
        proc.terminate()
        with anyio.fail_after(10):
            await proc.wait()


async def time_calls(client: Client, uri: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        result = await client.call_tool("stat", {"uri": uri})
        samples.append(time.perf_counter() - start)
        if result.is_error:
            raise RuntimeError(f"stat failed: {result.content}")
    return samples


async def register_tone(env: dict[str, str], log_dir: Path) -> str:
    """Register ``tone.wav`` through a short-lived server of ours; return its uri.

    A separate process, so both measured servers start alike: only ``stat`` calls, no
    leftovers of a register.
    """
    with (log_dir / "register.log").open("w") as log:
        async with connect("ours", "stdio", env, log) as client:
            result = await client.call_tool("register", {"source": "tone.wav"})
    if result.is_error or result.structured_content is None:
        raise RuntimeError(f"register failed: {result.content}")
    return str(result.structured_content["uri"])


async def bench_transport(
    transport: str, uri: str, env: dict[str, str], log_dir: Path, *, calls: int, rounds: int, warmup: int
) -> tuple[Summary, Summary]:
    """(anchor, ours) for one transport, from interleaved rounds of ``calls // rounds`` calls."""
    per_round = max(1, calls // rounds)
    samples: dict[str, list[float]] = {"anchor": [], "ours": []}
    with (
        (log_dir / f"anchor-{transport}.log").open("w") as anchor_log,
        (log_dir / f"ours-{transport}.log").open("w") as ours_log,
    ):
        async with (
            connect("anchor", transport, env, anchor_log) as anchor,
            connect("ours", transport, env, ours_log) as ours,
        ):
            clients = {"anchor": anchor, "ours": ours}
            for client in clients.values():
                await time_calls(client, uri, warmup)
            for round_no in range(rounds):
                order = ("anchor", "ours") if round_no % 2 == 0 else ("ours", "anchor")
                for which in order:
                    samples[which] += await time_calls(clients[which], uri, per_round)
    return Summary.of(samples["anchor"]), Summary.of(samples["ours"])


def report(transport: str, anchor: Summary, ours: Summary, rounds: int) -> None:
    print(f"{transport}: stat round trip, {anchor.n} calls each in {rounds} interleaved rounds")
    print(anchor.line("anchor"))
    print(ours.line("ours"))
    print(ratio_line(ours, anchor, TARGET))


async def main_async(args: argparse.Namespace) -> None:
    transports = ["stdio", "http"] if args.transport == "both" else [args.transport]
    with tempfile.TemporaryDirectory(prefix="bench-roundtrip-") as tmp_name:
        tmp = Path(tmp_name)
        env = make_env(tmp)
        log_dir = args.log_dir or tmp
        log_dir.mkdir(parents=True, exist_ok=True)
        uri = await register_tone(env, log_dir)
        for transport in transports:
            anchor, ours = await bench_transport(
                transport, uri, env, log_dir, calls=args.calls, rounds=args.rounds, warmup=args.warmup
            )
            report(transport, anchor, ours, args.rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="measured calls per server and transport")
    parser.add_argument("--transport", choices=["stdio", "http", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=50, help="interleaved rounds the calls are split into")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured calls per server first")
    parser.add_argument("--log-dir", type=Path, default=None, help="keep the servers' logs here")
    args = parser.parse_args()
    anyio.run(main_async, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
