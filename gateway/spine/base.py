"""The event spine contract: an append-only, durable, per-stream ordered log.

The gateway relays canvas events; the spine is the only thing that remembers them. Every
backend (SQLite embedded, PostgreSQL shared by replicas) keeps the same promises:

- ``seq`` is strictly increasing per stream, starts at 1 and has no gaps a reader can see:
  a reader never observes N+1 before N is committed, so ``read_after(last)`` is a complete
  catch-up.
- ``wait`` is only a wake-up. Delivery always goes through ``read_after``; a lost wake-up
  costs latency (the periodic poll catches it), never an event.
- ``append_command`` is idempotent per ``(tenant_id, idempotency_key)``: one event, one record,
  however many concurrent callers. (The gateway scopes keys further, to a stream and a caller,
  before they reach the spine.)
- Nothing grows without bound: ``trim`` keeps the newest events of a stream (never deleting
  past a ``floor``: a canvas's newest snapshot), ``trim_commands`` forgets idempotency records
  older than a point in time.
- Canvas state lives beside the events (:mod:`gateway.spine.canvas_rows`): one transaction
  changes it and appends its event together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from core.errors import StorageError
from gateway.spine.canvas_rows import CanvasSpine

__all__ = ["CommandRecord", "Spine", "SpineEvent", "SpineUnavailable"]


@dataclass(frozen=True, slots=True)
class SpineEvent:
    stream: str  # opaque to the spine (the app builds it from the scope)
    seq: int  # strictly increasing per stream, starting at 1, no gaps from the reader's view
    type: str
    tenant_id: str
    payload: dict[str, Any]
    created_at: float


@dataclass(frozen=True, slots=True)
class CommandRecord:
    tenant_id: str
    idempotency_key: str
    body_sha256: str
    stream: str
    seq: int  # the event the command became
    created_at: float


class SpineUnavailable(StorageError):
    """The spine's database cannot be reached or answered with an error; retry later."""

    code = "spine_unavailable"
    default_hint = (
        "The gateway's event store is unreachable; check ATOMS_DATABASE_URL (or the data_dir disk) "
        "and retry in a few seconds."
    )
    http_status = 503


@runtime_checkable
class Spine(CanvasSpine, Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise SpineUnavailable when the store cannot answer."""
        ...

    async def append(self, stream: str, tenant_id: str, type: str, payload: dict[str, Any]) -> SpineEvent: ...

    async def append_command(
        self,
        stream: str,
        tenant_id: str,
        idempotency_key: str,
        body_sha256: str,
        type: str,
        payload: dict[str, Any],
    ) -> tuple[CommandRecord, bool]:
        """Atomic: the first call for (tenant_id, idempotency_key) appends the event and records the
        command (True); every later call returns the stored record (False) without appending, also
        under concurrency. The caller compares body_sha256 (409 on mismatch)."""
        ...

    async def read_after(self, stream: str, after_seq: int, limit: int = 500) -> list[SpineEvent]: ...

    async def head(self, stream: str) -> int:
        """Last seq of the stream, 0 when empty."""
        ...

    async def first_retained(self, stream: str) -> int:
        """Lowest seq still stored, 0 when empty."""
        ...

    async def wait(self, stream: str, after_seq: int, timeout_s: float) -> None:
        """Return soon after an event with seq > after_seq may exist, or at timeout. A wake-up only:
        callers always read_after() and must not trust it for delivery."""
        ...

    async def trim(self, stream: str, keep_last: int, *, floor: int | None = None) -> int:
        """Retention: delete all but the newest keep_last events of the stream, and none past
        ``floor`` when given; rows removed."""
        ...

    async def trim_commands(self, older_than: float) -> int:
        """Retention: forget the command records created before ``older_than`` (epoch seconds);
        their keys may then be used again. Rows removed."""
        ...
