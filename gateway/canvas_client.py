"""The reference canvas client: a local replica of a canvas's state, kept by applying its commits.

async with GatewayClient("http://127.0.0.1:8800", token=jwt) as gw:
    follower = CanvasFollower(gw, canvas_path(scope))
    await follower.follow(until=lambda replica: replica.revision >= 10)
    follower.replica.state          # what the gateway holds (as this caller's lens sees it)

The replica starts from ``GET .../state`` (state, revision and the stream position ``seq`` read
together), then applies each ``canvas_commit`` in revision order: a commit it already has is
skipped, one that skips a revision means it fell behind (it reloads), and where the commit
carries ``state_sha256`` (readers who see the whole state) the replica checks that its own
canonical text hashes the same. A resume older than the stream's retention gets
``resync_required`` with the canvas's snapshot: the replica takes it (fetching it through the
gateway when it is stored as a document) and the commits that follow bring it up to date.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.errors import AtomsError
from gateway.canvas.patches import apply_ops, canonical
from gateway.client import GatewayClient, GatewayError, SseEvent

__all__ = ["CanvasFollower", "CanvasReplica", "ReplicaBehind", "ReplicaDiverged"]

logger = logging.getLogger(__name__)


class ReplicaBehind(AtomsError):
    """A commit arrived for a revision past the next one: the replica must reload."""

    code = "replica_behind"
    default_hint = "Reload the state (GET .../state) and follow from its seq."


class ReplicaDiverged(AtomsError):
    """After a commit, the replica's state does not hash to the gateway's ``state_sha256``."""

    code = "replica_diverged"
    default_hint = "A bug: report it with the canvas and revision; reload the state to go on."


@dataclass
class CanvasReplica:
    canvas_type: str | None = None
    revision: int = -1  # -1: nothing loaded yet
    state: Any = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    applied: int = 0  # commits applied (not counting loads)
    resyncs: int = 0  # snapshots taken from resync_required

    def load(self, canvas_type: str | None, revision: int, state: Any) -> None:
        self.canvas_type, self.revision, self.state = canvas_type, revision, state

    def apply_commit(self, data: dict[str, Any]) -> bool:
        """Apply one commit's operations; False when the replica already has that revision."""
        revision = int(data["revision"])
        if revision <= self.revision:
            return False
        if revision != self.revision + 1:
            raise ReplicaBehind(f"commit {revision} arrived at revision {self.revision}", value=revision)
        self.state = apply_ops(self.state, data["ops"], in_place=True).state
        self.revision = revision
        self.applied += 1
        expected = data.get("state_sha256")
        if expected is not None and hashlib.sha256(self.text().encode()).hexdigest() != expected:
            raise ReplicaDiverged(
                f"the replica differs from the gateway at revision {revision}", value=revision
            )
        return True

    def text(self) -> str:
        """The canonical text of the state: what the gateway holds, byte for byte."""
        return canonical(self.state)


class CanvasFollower:
    """Keeps a :class:`CanvasReplica` of one canvas over SSE; ``cursor`` is its stream position."""

    def __init__(self, client: GatewayClient, canvas: str) -> None:
        self.client = client
        self.canvas = canvas
        self.replica = CanvasReplica()
        self.cursor: str | None = None

    async def load(self) -> None:
        """Start (or start again) from the current state and the stream position read with it."""
        body = await self.client.state(self.canvas)
        self.replica.load(body["canvas_type"], int(body["revision"]), body["state"])
        self.replica.tools = list(body.get("tools") or [])
        self.cursor = str(body["seq"])

    async def handle(self, event: SseEvent) -> None:
        """Apply one event of the canvas stream (and move the cursor past it)."""
        if event.event == "canvas_commit":
            self.replica.apply_commit(event.json()["data"])
        elif event.event == "resync_required":
            await self._resync(event.json().get("snapshot"))
        elif event.event == "CANVAS_READY":
            data = event.json()["data"]
            self.replica.canvas_type = data.get("canvas_type")
            self.replica.tools = list(data.get("tools") or [])
        if event.id is not None:
            self.cursor = event.id

    async def _resync(self, snapshot: dict[str, Any] | None) -> None:
        if snapshot is None:
            await self.load()
            return
        state = snapshot.get("state")
        if "state" not in snapshot:
            response = await self.client.http.get(str(snapshot["href"]))
            if response.status_code >= 400:
                raise GatewayError(response.status_code, response.json() if response.content else {})
            state = response.json()["state"]
        self.replica.load(snapshot.get("canvas_type"), int(snapshot["revision"]), state)
        self.replica.resyncs += 1

    async def follow_once(self, until: Callable[[CanvasReplica], bool] | None = None) -> bool:
        """One SSE connection from the cursor; True once ``until`` holds (False: the stream ended)."""
        if self.cursor is None:
            await self.load()
        async for event in self.client.stream_once(self.canvas, self.cursor):
            try:
                await self.handle(event)
            except ReplicaBehind:
                await self.load()  # a gap: start again from the state and its position
                return False
            if until is not None and until(self.replica):
                return True
        return False

    async def follow(self, until: Callable[[CanvasReplica], bool] | None = None, *, retries: int = 5) -> None:
        """Follow until ``until`` holds, reconnecting (and resuming) after network errors."""
        failures = 0
        while True:
            try:
                if await self.follow_once(until):
                    return
                failures = 0
            except (httpx.TransportError, httpx.RemoteProtocolError) as exc:
                failures += 1
                if failures > retries:
                    raise
                logger.info("canvas stream dropped (%s); resuming after %s", type(exc).__name__, self.cursor)
