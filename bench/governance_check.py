"""The per-call cost of the governance check: the cached decision against deriving it each time.

Ours: ``Governor.check(maturity, muscle, tool)`` as the muscle host runs it on every call (a
dict lookup once a tool was rated). Anchor: the same decision derived from scratch each call
(``runtime.complexity(tool)``: the tool's options and signature, then ``decide``). Both on
media_v2's real runtime, over every (maturity, tool) pair, interleaved rounds.

    uv run python bench/governance_check.py [--calls 20000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import importlib
import time

import anyio
from _timing import Summary, ratio_line

from core.governance import Governor, Maturity, decide


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    module = importlib.import_module("muscles.media.media_v2.mcp")
    runtime = module.runtime
    tools = [tool.name for tool in anyio.run(module.server.list_tools)]
    pairs = [(maturity, tool) for maturity in Maturity for tool in tools]
    governor = Governor(lambda muscle, tool: runtime.complexity(tool))

    def cached() -> None:
        for n in range(args.calls):
            maturity, tool = pairs[n % len(pairs)]
            governor.check(maturity, "media_v2", tool)

    def derived() -> None:
        for n in range(args.calls):
            maturity, tool = pairs[n % len(pairs)]
            decide(maturity, runtime.complexity(tool))

    cached()
    derived()  # warm-up
    ours: list[float] = []
    anchor: list[float] = []
    for round_ in range(args.rounds):
        for label, run in (("ours", cached), ("anchor", derived))[:: 1 if round_ % 2 else -1]:
            started = time.perf_counter()
            run()
            per_call = (time.perf_counter() - started) / args.calls
            (ours if label == "ours" else anchor).append(per_call)
    cached_s, derived_s = Summary.of(ours), Summary.of(anchor)
    print(f"governance check per call ({args.calls} calls x {args.rounds} rounds, {len(pairs)} pairs)")
    print(
        f"  cached    p50 {cached_s.p50 * 1000:8.3f} us   mean {cached_s.mean * 1000:8.3f} us   max {cached_s.max * 1000:8.3f} us"
    )
    print(
        f"  derived   p50 {derived_s.p50 * 1000:8.3f} us   mean {derived_s.mean * 1000:8.3f} us   max {derived_s.max * 1000:8.3f} us"
    )
    print(ratio_line(cached_s, derived_s, 1.0))


if __name__ == "__main__":
    main()
