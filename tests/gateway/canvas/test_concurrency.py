"""Two agents patch one canvas concurrently for 1,000 operations, on disjoint and overlapping
paths, while reference clients follow it and are cut off and resumed at random points (some past
retention, so they resync from a snapshot). Every replica ends byte-identical to the gateway's
state; every conflict is a 409 naming its paths; no commit is lost or applied twice (a full log
of the stream holds each accepted patch exactly once, in revision order, and retried patches are
replayed, not re-applied). On the SQLite spine, and on PostgreSQL with each agent on its own
gateway replica sharing the database."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest

from gateway.canvas.patches import canonical
from gateway.canvas_client import CanvasFollower, ReplicaBehind
from gateway.client import GatewayClient, GatewayError, SseEvent
from gateway.spine.sqlite import SqliteSpine
from tests.gateway.conftest import CANVAS, Gateway, serve_gateway, token

OPERATIONS = 1000
REPLICAS = 3
AGENTS = ("a", "b")
SHARED = ("/shared/x", "/shared/y", "/list")
OPTIONS = {"retention_events": 60, "snapshot_every": 25, "queue_limit": 20_000}
AGENT_TOKENS = {name: token(actor="agent", role="director", subject=f"agent-{name}") for name in AGENTS}
READER = token(actor="agent", role="director", subject="reader")


class Progress:
    """Commits accepted so far, and a way to wait (without sleeping) for more."""

    def __init__(self) -> None:
        self.count = 0
        self.done = False
        self._changed = anyio.Event()

    def bump(self, done: bool = False) -> None:
        self.count += 1
        self.done = self.done or done
        self._changed.set()
        self._changed = anyio.Event()

    async def reach(self, target: int) -> None:
        while self.count < target and not self.done:
            await self._changed.wait()


@dataclass
class Outcome:
    accepted: dict[str, int] = field(default_factory=dict)  # idempotency key -> revision
    conflicts: list[tuple[list[str], list[str]]] = field(default_factory=list)  # (touched, named)
    replays: int = 0


def _operation(name: str, i: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[str]]:
    """One patch and the shared paths it touches (none for an agent's own subtree)."""
    roll = rng.random()
    if roll < 0.15:
        return [{"op": "replace", "path": "/shared/x", "value": f"{name}{i}"}], ["/shared/x"]
    if roll < 0.25:
        return [{"op": "add", "path": "/list/-", "value": f"{name}{i}"}], ["/list"]
    if roll < 0.3:
        ops = [
            {"op": "test", "path": "/shared/y", "value": 0},
            {"op": "add", "path": f"/{name}/t{i}", "value": i},
        ]
        return ops, ["/shared/y"]
    return [{"op": "add", "path": f"/{name}/k{i % 25}", "value": i}], []


async def _agent(url: str, name: str, count: int, outcome: Outcome, progress: Progress) -> None:
    rng = random.Random(f"agent-{name}")
    known = 1
    async with GatewayClient(url, token=AGENT_TOKENS[name]) as client:
        for i in range(count):
            ops, shared = _operation(name, i, rng)
            key, base = f"{name}-{i}", known
            try:
                reply = await client.patch(CANVAS, base, ops, idempotency_key=key)
            except GatewayError as exc:
                assert exc.status == 409 and exc.error_code == "patch_conflict", exc
                outcome.conflicts.append((shared, list(exc.details["paths"])))
                known = int(exc.details["revision"])
                continue
            assert not reply["replayed"]
            outcome.accepted[key] = int(reply["revision"])
            known = int(reply["revision"])
            progress.bump()
            if rng.random() < 0.05:  # a retry after a lost reply: replayed, not applied again
                again = await client.patch(CANVAS, base, ops, idempotency_key=key)
                assert again["replayed"] and again["revision"] == reply["revision"]
                outcome.replays += 1


def _is_end(event: SseEvent) -> bool:
    return event.event == "log_line" and event.json()["data"].get("line") == "end"


async def _consume(client: GatewayClient, follower: CanvasFollower, stop: Callable[[], bool]) -> bool:
    """Apply events until ``stop()`` (False) or the end marker (True)."""
    async for event in client.stream_once(CANVAS, follower.cursor):
        try:
            await follower.handle(event)
        except ReplicaBehind:
            await follower.load()
            return False
        if _is_end(event):
            return True
        if stop():
            return False
    return False


async def _replica(url: str, seed: int, progress: Progress) -> CanvasFollower:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(20, 800), 3))
    async with GatewayClient(url, token=READER) as client:
        follower = CanvasFollower(client, CANVAS)
        await follower.load()
        for cut in cuts:
            if await _consume(client, follower, lambda cut=cut: follower.replica.applied >= cut):  # type: ignore[misc]
                return follower
            await progress.reach(progress.count + rng.choice((3, 20, 150, 300)))  # away for a while
        while not await _consume(client, follower, lambda: False):
            pass
        return follower


async def _observer(url: str, log: list[tuple[int, str]], ready: anyio.Event) -> int:
    """Never cut off: every commit of the stream, in order."""
    resyncs = 0
    async with GatewayClient(url, token=READER) as client:
        async for event in client.stream_once(CANVAS):
            ready.set()  # stream_ready: from here on it sees every commit
            if event.event == "canvas_commit":
                data = event.json()["data"]
                log.append((int(data["revision"]), str(data["idempotency_key"])))
            resyncs += event.event == "resync_required"
            if _is_end(event):
                return resyncs
    return resyncs


@contextlib.contextmanager
def _gateways(tmp_path: Path, spine_options: dict[str, Any]) -> Iterator[tuple[Gateway, Gateway]]:
    options = {**spine_options, **OPTIONS}
    if "database_url" not in spine_options:
        # NORMAL: no fsync per commit group; what is measured here is ordering, not durability.
        spine = SqliteSpine(tmp_path / "spine.sqlite3", synchronous="NORMAL")
        with serve_gateway(tmp_path / "one", spine=spine, options=options) as only:
            yield only, only
        return
    with (
        serve_gateway(tmp_path / "one", options=options) as first,
        serve_gateway(tmp_path / "two", options=options) as second,
    ):
        yield first, second


def test_two_agents_1000_operations_every_replica_ends_identical(
    tmp_path: Path, spine_options: dict[str, Any]
) -> None:
    outcome = Outcome()
    progress = Progress()

    async def run(
        one: Gateway, two: Gateway
    ) -> tuple[list[CanvasFollower], list[tuple[int, str]], int, dict[str, Any]]:
        urls = {"a": one.base_url, "b": two.base_url}
        async with GatewayClient(one.base_url, token=READER) as setup:
            ops = [
                {"op": "add", "path": "/a", "value": {}},
                {"op": "add", "path": "/b", "value": {}},
                {"op": "add", "path": "/shared", "value": {"x": "", "y": 0}},
                {"op": "add", "path": "/list", "value": []},
            ]
            await setup.patch(CANVAS, 0, ops, idempotency_key="setup")
        log: list[tuple[int, str]] = []
        followers: list[CanvasFollower] = []
        observed: list[int] = []
        with anyio.fail_after(240):
            async with anyio.create_task_group() as group:
                ready = anyio.Event()

                async def observe() -> None:
                    observed.append(await _observer(one.base_url, log, ready))

                async def follow(url: str, seed: int) -> None:
                    followers.append(await _replica(url, seed, progress))

                group.start_soon(observe)
                await ready.wait()
                for seed in range(REPLICAS):
                    group.start_soon(follow, (one.base_url, two.base_url)[seed % 2], seed)
                async with anyio.create_task_group() as writers:
                    for name in AGENTS:
                        writers.start_soon(
                            _agent, urls[name], name, OPERATIONS // len(AGENTS), outcome, progress
                        )
                async with GatewayClient(one.base_url, token=READER) as closer:
                    await closer.publish(CANVAS, "log_line", {"line": "end"})
                    final = await closer.state(CANVAS)
                progress.bump(done=True)
        return followers, log, observed[0], final

    with _gateways(tmp_path, spine_options) as (one, two):
        followers, log, observer_resyncs, final = anyio.run(run, one, two)

    # Every operation was either committed once or refused with 409 naming its shared paths.
    assert len(outcome.accepted) + len(outcome.conflicts) == OPERATIONS
    assert outcome.conflicts, "overlapping patches on stale bases must conflict"
    for shared, named in outcome.conflicts:
        assert named and set(named) <= set(shared) <= set(SHARED), (shared, named)
    assert outcome.replays > 0
    # No commit lost or applied twice: revisions 2..N are exactly the accepted patches, each once.
    final_revision = int(final["revision"])
    assert final_revision == 1 + len(outcome.accepted)
    assert sorted(outcome.accepted.values()) == list(range(2, final_revision + 1))
    assert observer_resyncs == 0
    assert log == sorted((revision, key) for key, revision in outcome.accepted.items())
    # Every replica, cut off and resumed (some past retention), ends byte-identical.
    expected = canonical(final["state"])
    assert len(followers) == REPLICAS
    for follower in followers:
        assert follower.replica.revision == final_revision
        assert follower.replica.text() == expected
    assert sum(f.replica.resyncs for f in followers) > 0, "some replica must have resumed past retention"


@pytest.mark.parametrize("seed", [7])
def test_conflict_paths_are_only_the_overlapping_ones(seed: int) -> None:
    rng = random.Random(seed)
    kinds = {tuple(_operation("a", i, rng)[1]) for i in range(200)}
    assert kinds == {(), ("/shared/x",), ("/list",), ("/shared/y",)}
