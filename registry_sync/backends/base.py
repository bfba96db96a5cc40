"""The Protocol every registry backend implements."""

from __future__ import annotations

from typing import Any, Protocol

from registry_sync.records import RemoteRow

__all__ = ["TABLE", "RegistryBackend"]

TABLE = "muscles"


class RegistryBackend(Protocol):
    """One environment's registry.

    ``ping`` is the reachable + migrated + allowed part of the preflight and raises a
    ``PreflightFailed``; ``apply`` writes all rows in a single request or transaction (or
    nothing when ``rows`` is empty) and raises ``RegistryWriteFailed``. ``writes`` counts
    write requests/transactions sent, for the report and the benchmark.
    """

    label: str
    writes: int

    def ping(self) -> None: ...

    def fetch_state(self) -> dict[str, RemoteRow]: ...

    def apply(self, rows: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...
