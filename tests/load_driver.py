"""A load driver for the muscles host: many MCP clients over loopback streamable HTTP calling
cheap media_v2 tools, with per-call latencies, errors and the server's resident memory after
each round. Used by bench/load_test.py (the figures) and tests/e2e/test_load.py (bounded)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

__all__ = ["LoadReport", "idle_latencies", "rss_kb", "run_load"]


@dataclass
class LoadReport:
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)  # the server's RSS after each round


def rss_kb(pid: int) -> int:
    """Resident memory of process ``pid`` (kB), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def _calls(uri: str) -> list[tuple[str, dict[str, Any]]]:
    return [("list_assets", {"limit": 5}), ("stat", {"uri": uri})]


async def _client(url: str, uri: str, calls: int, report: LoadReport) -> None:
    plan = _calls(uri)
    try:
        async with Client(url) as client:
            for n in range(calls):
                tool, args = plan[n % len(plan)]
                started = time.perf_counter()
                result = await client.call_tool(tool, args)
                report.latencies_s.append(time.perf_counter() - started)
                if result.is_error:
                    report.errors.append(f"{tool}: {result.structured_content}")
    except Exception as exc:
        report.errors.append(f"client failed: {type(exc).__name__}: {exc}")


async def run_load(url: str, uri: str, *, clients: int, calls: int, rounds: int, pid: int) -> LoadReport:
    """``rounds`` rounds of ``clients`` concurrent clients making ``calls`` calls each."""
    report = LoadReport()
    for _ in range(rounds):
        async with anyio.create_task_group() as group:
            for _ in range(clients):
                group.start_soon(_client, url, uri, calls, report)
        report.rss_kb.append(rss_kb(pid))
    return report


async def idle_latencies(url: str, uri: str, calls: int) -> list[float]:
    """One client alone: the latency of ``calls`` sequential calls."""
    report = LoadReport()
    await _client(url, uri, calls, report)
    if report.errors:
        raise RuntimeError(report.errors[0])
    return report.latencies_s
