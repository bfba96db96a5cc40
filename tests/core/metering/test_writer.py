"""The ledger writer: batches off the caller's path, nothing lost on a clean stop, at most the
last batch lost to SIGKILL, a failing database retried without duplicates, memory bounded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from core.metering import LedgerWriter, SqliteLedger, UsageRecord

CHILD = Path(__file__).with_name("writer_child.py")


def usage(n: int, tenant: str = "t1") -> UsageRecord:
    return UsageRecord(
        tenant_id=tenant,
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


class RecordingLedger:
    """A ledger that keeps batches in memory and can be told to fail."""

    name = "memory"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.failures_left = 0
        self.written = threading.Condition()

    def write(self, records: Sequence[UsageRecord]) -> None:
        with self.written:
            if self.failures_left:
                self.failures_left -= 1
                raise OSError("database unreachable")
            self.batches.append([r.record_id for r in records])
            self.written.notify_all()

    def wait_for(self, count: int) -> bool:
        with self.written:
            return self.written.wait_for(lambda: sum(map(len, self.batches)) >= count, 30)

    def records(self, tenant_id: str, *, limit: int = 1000) -> list[UsageRecord]:
        return []

    def cpu_seconds_since(self, tenant_id: str, since: float) -> float:
        return 0.0

    def delete_before(self, cutoff: float) -> int:
        return 0

    def close(self) -> None:
        pass


def test_full_batches_are_written_by_the_writer_thread_without_a_flush() -> None:
    ledger = RecordingLedger()
    writer = LedgerWriter(ledger, batch_size=10, flush_interval_s=60)
    writer.start()
    for n in range(25):
        writer.record(usage(n))
    assert ledger.wait_for(20)
    assert [len(batch) for batch in ledger.batches] == [10, 10]
    assert len(writer.pending()) == 5
    writer.close()
    assert [len(batch) for batch in ledger.batches] == [10, 10, 5]


def test_a_failing_database_is_retried_and_each_record_is_written_once() -> None:
    ledger = RecordingLedger()
    ledger.failures_left = 2
    writer = LedgerWriter(ledger, batch_size=5, flush_interval_s=0.05)
    writer.start()
    records = [usage(n) for n in range(12)]
    for record in records:
        writer.record(record)
    assert writer.flush(timeout_s=30)
    writer.close()
    written = [record_id for batch in ledger.batches for record_id in batch]
    assert sorted(written) == sorted(r.record_id for r in records)
    assert writer.dropped == 0


def test_an_unreachable_database_drops_the_oldest_records_past_the_bound_and_counts_them() -> None:
    ledger = RecordingLedger()
    ledger.failures_left = 10**6
    writer = LedgerWriter(ledger, batch_size=1000, flush_interval_s=60, max_pending=100)
    for n in range(150):
        writer.record(usage(n))  # the writer thread is not started: nothing is written
    assert writer.dropped == 50
    assert [r.request_id for r in writer.pending()][:2] == ["req_50", "req_51"]


def test_a_clean_stop_writes_every_record(tmp_path: Path) -> None:
    writer = LedgerWriter(SqliteLedger(tmp_path / "ledger.sqlite3"), batch_size=100, flush_interval_s=60)
    writer.start()
    for n in range(1050):
        writer.record(usage(n, tenant=f"t{n % 4}"))
    writer.close()
    ledger = SqliteLedger(tmp_path / "ledger.sqlite3")
    assert sum(len(ledger.records(f"t{n}", limit=10_000)) for n in range(4)) == 1050


def test_kill_9_loses_at_most_the_last_batch(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(path), "1050", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(Path(__file__).resolve().parents[3]),
    )
    try:
        assert child.stdout is not None
        ready = child.stdout.readline().strip()  # the child says so once its full batches are written
        assert ready == "written 1000 pending 50", child.stderr.read() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    stored = len(SqliteLedger(path).records("t1", limit=10_000))
    assert child.returncode == -signal.SIGKILL
    assert stored == 1000  # 50 lost: less than one batch
