"""Child process of the kill -9 test: queue N records with batches of B and a long interval,
say how many are written once every full batch is, then wait to be killed."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from core.metering import LedgerWriter, SqliteLedger, UsageRecord


def main() -> None:
    path, count, batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    writer = LedgerWriter(SqliteLedger(path), batch_size=batch, flush_interval_s=3600)
    writer.start()
    for n in range(count):
        writer.record(
            UsageRecord(
                tenant_id="t1",
                actor="agent",
                muscle="media_v2",
                tool="stat",
                duration_s=0.001,
                cpu_s=0.0,
                bytes_in=0,
                bytes_out=0,
                outcome="ok",
                request_id=f"req_{n}",
            )
        )
    full = count - count % batch
    done = threading.Event()
    while not done.wait(0.01):  # the writer thread writes full batches by itself
        if writer.written >= full:
            done.set()
    print(f"written {writer.written} pending {len(writer.pending())}", flush=True)
    threading.Event().wait()  # until SIGKILL


if __name__ == "__main__":
    main()
