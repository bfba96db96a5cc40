"""The task table and task objects: durable rows, a terminal outcome frozen once, TTL expiry and
its sweep, and the wire shape (ttlMs always present, null when unlimited)."""

from __future__ import annotations

from pathlib import Path

from core.serving.housekeeping import sweep
from core.serving.tasks.store import TaskRow, TaskTable, new_task_id
from core.serving.tasks.wire import iso8601, task_object
from core.settings import Settings
from core.storage import open_storage


def _row(task_id: str, created_at: float, ttl_ms: int | None) -> TaskRow:
    return TaskRow(
        task_id=task_id,
        tenant_id="t1",
        actor="agent-1",
        muscle="video_render",
        tool="render",
        job_id="job_" + "0" * 32,
        created_at=created_at,
        ttl_ms=ttl_ms,
    )


def test_task_ids_are_unguessable_and_distinct() -> None:
    ids = {new_task_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(task_id.startswith("task_") and len(task_id) == 37 for task_id in ids)


def test_a_task_written_by_one_connection_is_read_by_another(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    writer, reader = TaskTable(path), TaskTable(path)
    writer.create(_row("task_a", 100.0, 5000))
    found = reader.get("task_a")
    assert found is not None and found.actor == "agent-1" and found.ttl_ms == 5000
    assert reader.get("task_b") is None


def test_the_first_terminal_outcome_is_kept_for_good(tmp_path: Path) -> None:
    table = TaskTable(tmp_path / "jobs.sqlite3")
    table.create(_row("task_a", 100.0, None))
    kept = table.freeze("task_a", {"status": "cancelled"})
    again = table.freeze("task_a", {"status": "completed"})
    assert kept == again == {"status": "cancelled"}
    found = table.get("task_a")
    assert found is not None and found.outcome == {"status": "cancelled"}


def test_expired_tasks_are_swept_with_finished_jobs_by_housekeeping(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, signing_key="k")
    table = TaskTable(settings.jobs_db_path)
    table.create(_row("task_old", 1000.0, 60_000))
    table.create(_row("task_new", 1050.0, 60_000))
    table.create(_row("task_forever", 0.0, None))
    assert _row("x", 1000.0, 60_000).expired(1060.0) and not _row("x", 1000.0, 60_000).expired(1059.9)
    report = sweep(settings, open_storage(settings), clock=lambda: 1080.0)
    assert report.tasks == 1
    assert table.get("task_old") is None
    assert table.get("task_new") is not None and table.get("task_forever") is not None


def test_task_objects_always_carry_ttl_ms_and_utc_millisecond_times() -> None:
    task = task_object(
        task_id="task_a", status="working", created_at=0.5, updated_at=0.0, ttl_ms=None, poll_interval_ms=1000
    )
    assert task == {
        "taskId": "task_a",
        "status": "working",
        "createdAt": "1970-01-01T00:00:00.500Z",
        "lastUpdatedAt": "1970-01-01T00:00:00.500Z",  # never before createdAt
        "ttlMs": None,
        "pollIntervalMs": 1000,
    }
    assert iso8601(1_800_000_000.123) == "2027-01-15T08:00:00.123Z"
