"""FetchLimits: a tenant's fetches beyond its limit are refused at once with a coded error
naming the limit and the setting; slots are per tenant, come back on any exit, and the
fetch threads never come from the default thread limiter."""

from __future__ import annotations

from contextlib import AsyncExitStack

import anyio
import pytest

from core.errors import FetchLimitReached
from core.media._fetch_limits import FetchLimits

pytestmark = pytest.mark.anyio


async def test_a_tenant_beyond_its_limit_is_refused_and_others_are_not() -> None:
    limits = FetchLimits(per_tenant=2)
    async with AsyncExitStack() as held:
        for _ in range(2):
            await held.enter_async_context(limits.slot("tenant-b"))
        with pytest.raises(FetchLimitReached) as caught:
            await held.enter_async_context(limits.slot("tenant-b"))
        async with limits.slot("tenant-a"):
            assert limits.running("tenant-a") == 1
        assert limits.running("tenant-b") == 2
    error = caught.value.to_dict()
    assert error["code"] == "fetch_limit_reached" and error["value"] == 2
    assert "ATOMS_FETCH_CONCURRENCY_PER_TENANT" in error["message"]
    assert limits.running("tenant-b") == 0


async def test_a_slot_comes_back_when_the_fetch_fails() -> None:
    limits = FetchLimits(per_tenant=1)
    with pytest.raises(RuntimeError):
        async with limits.slot("tenant-b"):
            raise RuntimeError("the fetch failed")
    async with limits.slot("tenant-b"):
        assert limits.running("tenant-b") == 1


async def test_fetch_threads_come_from_their_own_limiter() -> None:
    limits = FetchLimits(per_tenant=1)
    async with limits.slot("tenant-b") as threads:
        assert threads is not anyio.to_thread.current_default_thread_limiter()
        assert await anyio.to_thread.run_sync(lambda: 42, limiter=threads) == 42
