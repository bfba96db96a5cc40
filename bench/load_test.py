"""Load test of the muscles host: 50 concurrent MCP clients over loopback streamable HTTP call
cheap media_v2 tools (list_assets, stat) a fixed number of times against `muscle serve
media_v2 --transport http`. Prints errors, latency under load (p50/p95/p99) against the idle p50
measured in the same run (one client alone), and the server's resident memory after the
warm-up round and after each later round.

    uv run python bench/load_test.py [--clients 50] [--calls 20] [--rounds 5] [--idle 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import httpx
from mcp import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.load_driver import idle_latencies, run_load  # noqa: E402 - needs the repo root on sys.path
from tests.media_samples import write_tone_wav  # noqa: E402


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20, help="calls per client per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the first is the warm-up")
    parser.add_argument("--idle", type=int, default=200, help="sequential calls of the idle baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_tone_wav(folder / "imports" / "tone.wav")
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMS_")}
        env.update(
            ATOMS_DATA_DIR=str(folder / "data"),
            ATOMS_IMPORT_ROOTS=str(folder / "imports"),
            ATOMS_HTTP_PORT=str(port),
            ATOMS_LOG_LEVEL="WARNING",
        )
        server = subprocess.Popen(
            [sys.executable, "-m", "muscles", "serve", "media_v2", "--transport", "http"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
            anyio.run(_measure, f"{base}/mcp", server.pid, args)
        finally:
            server.terminate()
            server.wait(timeout=30)


async def _measure(url: str, pid: int, args: argparse.Namespace) -> None:
    async with Client(url) as client:
        tone = (await client.call_tool("register", {"source": "tone.wav"})).structured_content
    assert tone is not None
    await idle_latencies(url, tone["uri"], 20)  # warm the server up alone
    idle = await idle_latencies(url, tone["uri"], args.idle)
    started = time.perf_counter()
    report = await run_load(
        url, tone["uri"], clients=args.clients, calls=args.calls, rounds=args.rounds, pid=pid
    )
    elapsed = time.perf_counter() - started
    total = args.clients * args.calls * args.rounds
    idle_p50 = statistics.median(idle) * 1000
    loaded = report.latencies_s
    print(
        f"load: {args.clients} clients x {args.calls} calls x {args.rounds} rounds = {total} calls in {elapsed:.1f} s"
    )
    print(
        f"  errors        {len(report.errors)}" + (f"  (first: {report.errors[0]})" if report.errors else "")
    )
    print(f"  idle          p50 {idle_p50:8.2f} ms   (one client, {args.idle} calls)")
    print(
        f"  under load    p50 {_quantile(loaded, 0.50):8.2f} ms   p95 {_quantile(loaded, 0.95):8.2f} ms   "
        f"p99 {_quantile(loaded, 0.99):8.2f} ms   ({total / elapsed:.0f} calls/s)"
    )
    print(f"  ratio         p99 under load / idle p50 = {_quantile(loaded, 0.99) / idle_p50:.1f}")
    warm, *after = report.rss_kb
    print(
        f"  server RSS    after warm-up {warm / 1024:.1f} MiB; after each later round: "
        + ", ".join(f"{kb / 1024:.1f}" for kb in after)
        + f" MiB (growth {(max(after, default=warm) - warm) / 1024:+.1f} MiB)"
    )


if __name__ == "__main__":
    main()
