"""Per-tenant limits on URL fetches, taken before a fetch gets a worker thread.

A fetch blocks its thread for as long as the remote server takes. Were fetches to run on the
default thread limiter that every other tool call shares, one tenant's slow fetches could
take all of its tokens and stall everyone's ``list_assets``. So each tenant may run at most
``per_tenant`` fetches at once, and a call beyond that is refused at once with
:class:`~core.errors.FetchLimitReached` (it holds no thread and queues nothing); the fetches
that are admitted run on a limiter of their own, never the default one.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from core.errors import FetchLimitReached

__all__ = ["FetchLimits"]


class FetchLimits:
    """At most ``per_tenant`` URL fetches at once for each tenant."""

    def __init__(self, per_tenant: int) -> None:
        self.per_tenant = per_tenant
        self._running: dict[str, int] = {}
        # Fetch threads come from here, not from the default limiter; the per-tenant counts
        # are what bound them.
        self._threads = anyio.CapacityLimiter(math.inf)

    def running(self, tenant_id: str) -> int:
        return self._running.get(tenant_id, 0)

    @asynccontextmanager
    async def slot(self, tenant_id: str) -> AsyncIterator[anyio.CapacityLimiter]:
        """Hold one of the tenant's fetch slots; yields the limiter to run the fetch thread on.

        Raises FetchLimitReached when the tenant's slots are all taken. The check and the
        count happen with no await between them, so concurrent calls cannot both slip in.
        """
        running = self.running(tenant_id)
        if running >= self.per_tenant:
            raise FetchLimitReached(
                f"this tenant already runs {self.per_tenant} URL fetches, the most "
                "ATOMS_FETCH_CONCURRENCY_PER_TENANT allows",
                value=self.per_tenant,
            )
        self._running[tenant_id] = running + 1
        try:
            yield self._threads
        finally:
            left = self._running[tenant_id] - 1
            if left:
                self._running[tenant_id] = left
            else:
                del self._running[tenant_id]
