"""MCP Tasks over real streamable HTTP: video_render served by `muscle serve`, called by the
SDK's client declaring ``io.modelcontextprotocol/tasks`` on each request.

A render answers at once with a task; ``tasks/get`` shows its progress, then ``completed``
with the tool's own result inline; ``tasks/cancel`` stops ffmpeg and stores nothing; a task
survives a restart of the server; a client that does not declare the extension gets the plain
result (and -32021 for ``tasks/*``); another tenant's task id reads as unknown (-32602)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from core.jobs import JobEngine
from core.media.ref import MediaRef
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests import tasks_client
from tests.e2e.conftest import muscle_env, start_http, stop
from tests.muscles.video_render.media import crossfade_timeline, ffmpeg_running_under, register_clip
from tests.servers import RunningServer

TOKENS = '{"tenant-a": "token-a", "tenant-b": "token-b"}'
WAIT_S = 120.0


@dataclass
class Served:
    tmp: Path
    env: dict[str, str]
    server: RunningServer
    store: MediaStore
    scope: Scope

    @property
    def data_dir(self) -> Path:
        return self.tmp / "data"

    def restart(self) -> None:
        stop(self.server)
        self.server = start_http(
            ["serve", "video_render", "--transport", "http"], self.env, self.tmp / "server2.log"
        )

    @asynccontextmanager
    async def client(self, *, tasks: bool = True, token: str = "token-a") -> AsyncIterator[Client]:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30.0)
        async with http:
            transport = streamable_http_client(f"{self.server.base_url}/mcp", http_client=http)
            extensions = [tasks_client.TasksExtension()] if tasks else []
            async with Client(transport, extensions=extensions) as client:
                yield client

    def clip(self, name: str, **video: Any) -> MediaRef:
        return register_clip(self.store, self.scope, self.tmp / "media", name, **video)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp_path = tmp_path_factory.mktemp("tasks")
    env = muscle_env(tmp_path, ATOMS_AUTH_TOKENS=TOKENS, ATOMS_DASK_WORKERS="1")
    settings = Settings(data_dir=tmp_path / "data", tenant_id="tenant-a", signing_key="e2e-signing-key")
    server = start_http(["serve", "video_render", "--transport", "http"], env, tmp_path / "server.log")
    scope = Scope(tenant_id="tenant-a")
    running = Served(tmp_path, env, server, MediaStore.from_settings(settings), scope)
    try:
        yield running
    finally:
        stop(running.server)
        anyio.run(JobEngine(settings).stop_daemon)


def _slow_timeline(uri: str, *, preset: str = "veryslow") -> dict[str, Any]:
    """Enough encoding work to be still running when the test acts on it."""
    return {
        "tracks": [{"id": "v", "clips": [{"id": "long", "uri": uri}]}],
        "output": {"width": 1280, "height": 720, "preset": preset, "crf": 10, "fps": 50},
    }


async def _poll(
    client: Client, task_id: str, until: Callable[[dict[str, Any]], bool], seen: list[dict[str, Any]]
) -> dict[str, Any]:
    with anyio.fail_after(WAIT_S):
        while True:
            task = await tasks_client.get(client, task_id)
            seen.append(task)
            if until(task):
                return task
            await anyio.sleep(0.1)


def _percent(task: dict[str, Any]) -> int:
    found = re.search(r"(\d+)%", task.get("statusMessage", ""))
    return int(found.group(1)) if found else 0


def test_a_render_returns_a_task_at_once_that_shows_progress_and_completes_with_the_result(
    served: Served,
) -> None:
    first, second = served.clip("a.mp4", seconds=2), served.clip("b.mp4", seconds=2)
    # Big enough that polls see it between its start and its end.
    timeline = crossfade_timeline(first.uri, second.uri, width=1280, height=720, preset="medium")

    async def run() -> tuple[tasks_client.TaskCreated, list[dict[str, Any]], dict[str, Any]]:
        async with served.client() as client:
            created = await tasks_client.call(client, "render", {"timeline": timeline})
            assert isinstance(created, tasks_client.TaskCreated), created
            seen: list[dict[str, Any]] = []
            done = await _poll(client, created.task_id, lambda t: t["status"] != "working", seen)
            assert await tasks_client.get(client, created.task_id) == done  # terminal: frozen
            return created, seen, done

    created, seen, done = anyio.run(run)
    assert created.status == "working" and created.ttl_ms == 86_400_000 and created.poll_interval_ms == 1000
    assert created.task_id.startswith("task_") and len(created.task_id) == 37
    assert all(task["resultType"] == "complete" for task in seen)
    working = [task for task in seen if task["status"] == "working"]
    assert any(_percent(task) > 0 for task in working), [t.get("statusMessage") for t in seen]
    assert done["status"] == "completed" and done["ttlMs"] == 86_400_000 and "pollIntervalMs" not in done
    result = done["result"]
    assert result["isError"] is False
    media = result["structuredContent"]["media"]
    assert media["mime_type"] == "video/mp4" and result["structuredContent"]["frame_count"] == 65
    assert served.store.stat(served.scope, media["uri"]).sha256 == media["sha256"]


def test_cancelling_a_task_stops_ffmpeg_and_stores_nothing(served: Served) -> None:
    clip = served.clip("long.mp4", seconds=3)
    before = served.store.list(served.scope)

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        async with served.client() as client:
            created = await tasks_client.call(client, "render", {"timeline": _slow_timeline(clip.uri)})
            assert isinstance(created, tasks_client.TaskCreated), created
            await _poll(client, created.task_id, lambda t: _percent(t) > 5, [])
            assert ffmpeg_running_under(served.data_dir)
            ack = await tasks_client.cancel(client, created.task_id)
            seen: list[dict[str, Any]] = []
            done = await _poll(client, created.task_id, lambda t: t["status"] != "working", seen)
            with anyio.fail_after(WAIT_S):
                while ffmpeg_running_under(served.data_dir):  # noqa: ASYNC110 - another process tree
                    await anyio.sleep(0.1)
            return ack, done

    ack, done = anyio.run(run)
    assert ack["resultType"] == "complete" and set(ack) <= {"resultType", "_meta"}  # an empty ack
    assert done["status"] == "cancelled" and done["statusMessage"] == "cancelled by the client"
    assert "result" not in done and "error" not in done
    assert served.store.list(served.scope) == before
    assert ffmpeg_running_under(served.data_dir) == []


def test_a_task_survives_a_restart_of_the_server_and_completes(served: Served) -> None:
    first, second = served.clip("a.mp4", seconds=2), served.clip("b.mp4", seconds=2)
    timeline = crossfade_timeline(first.uri, second.uri, width=640, height=360)

    async def start() -> tuple[str, str]:
        async with served.client() as client:
            created = await tasks_client.call(client, "render", {"timeline": timeline})
            assert isinstance(created, tasks_client.TaskCreated), created
            return created.task_id, created.status

    async def finish(task_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        async with served.client() as client:
            after_restart = await tasks_client.get(client, task_id)
            done = await _poll(client, task_id, lambda t: t["status"] != "working", [])
            return after_restart, done

    task_id, status = anyio.run(start)
    assert status == "working"
    served.restart()  # at once: the server process goes while its task works on the job daemon
    after_restart, done = anyio.run(finish, task_id)
    assert after_restart["taskId"] == task_id and after_restart["status"] in ("working", "completed")
    assert done["status"] == "completed" and done["result"]["isError"] is False
    assert done["result"]["structuredContent"]["media"]["width"] == 640


def test_a_client_without_the_extension_gets_the_plain_result_and_cannot_use_tasks(served: Served) -> None:
    first, second = served.clip("a.mp4", seconds=2), served.clip("b.mp4", seconds=2)

    async def run() -> tuple[Any, MCPError, str]:
        async with served.client() as tasks_client_session:
            created = await tasks_client.call(
                tasks_client_session, "render", {"timeline": crossfade_timeline(first.uri, second.uri)}
            )
            assert isinstance(created, tasks_client.TaskCreated)
        async with served.client(tasks=False) as client:
            plain = await client.call_tool("render", {"timeline": crossfade_timeline(first.uri, second.uri)})
            with pytest.raises(MCPError) as refused:
                await tasks_client.get(client, created.task_id)
        return plain, refused.value, created.task_id

    plain, refused, _ = anyio.run(run)
    assert not plain.is_error and plain.structured_content["media"]["mime_type"] == "video/mp4"
    assert refused.error.code == -32021
    assert refused.error.data == {"requiredCapabilities": {"extensions": {tasks_client.TASKS: {}}}}


def test_another_tenants_task_and_an_unknown_id_read_alike_as_not_found(served: Served) -> None:
    first, second = served.clip("a.mp4", seconds=2), served.clip("b.mp4", seconds=2)

    async def run() -> list[MCPError]:
        async with served.client() as client:
            created = await tasks_client.call(
                client, "render", {"timeline": crossfade_timeline(first.uri, second.uri)}
            )
            assert isinstance(created, tasks_client.TaskCreated)
            bad = await tasks_client.call(client, "render", {"timeline": {"tracks": []}})
            assert not isinstance(bad, tasks_client.TaskCreated) and bad.is_error  # refused before a task
        errors = []
        async with served.client(token="token-b") as other:
            for request in (tasks_client.get, tasks_client.cancel, tasks_client.update):
                for task_id in (created.task_id, "task_" + "x" * 32):
                    with pytest.raises(MCPError) as refused:
                        await request(other, task_id)
                    errors.append(refused.value)
        return errors

    errors = anyio.run(run)
    assert [error.error.code for error in errors] == [-32602] * 6
    assert {error.error.message for error in errors} == {"Failed to retrieve task: Task not found"}
