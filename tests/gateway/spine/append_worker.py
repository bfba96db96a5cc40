"""A second gateway process for the spine tests: appends ``count`` events once told to go.

Usage: python append_worker.py (sqlite|postgres) TARGET STREAM COUNT LABEL [command KEY SHA]
Prints READY after opening, waits for a line on stdin, appends, prints DONE.
In ``command`` mode it sends the same idempotent command COUNT times concurrently instead and
prints how many of them were the first.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from gateway.spine.base import Spine
from gateway.spine.postgres import PostgresSpine
from gateway.spine.sqlite import SqliteSpine


async def main(argv: list[str]) -> None:
    kind, target, stream, count_text, label = argv[:5]
    count = int(count_text)
    spine: Spine = (
        PostgresSpine(target, apply_schema=False) if kind == "postgres" else SqliteSpine(Path(target))
    )
    await spine.open()
    try:
        print("READY", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        if len(argv) > 5 and argv[5] == "command":
            key, sha = argv[6], argv[7]
            outcomes = await asyncio.gather(
                *(
                    spine.append_command(stream, "tenant-a", key, sha, "command", {"by": label})
                    for _ in range(count)
                )
            )
            print(f"FIRST {sum(1 for _, first in outcomes if first)}", flush=True)
        else:
            # Several in flight at once, like a busy gateway, so the two processes really interleave.
            for start in range(0, count, 20):
                await asyncio.gather(
                    *(
                        spine.append(stream, "tenant-a", "state_patch", {"by": label, "i": i})
                        for i in range(start, min(start + 20, count))
                    )
                )
        print("DONE", flush=True)
    finally:
        await spine.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
