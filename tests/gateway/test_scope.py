"""Scope matrix: a token pinned to one scope gets 403 on every other (and on every route that
does not carry a pinned field), and no event crosses tenants."""

from __future__ import annotations

import anyio
import httpx
import pytest

from core.scope import Scope
from gateway.client import GatewayClient, SseEvent, canvas_path, run_path
from tests.gateway.conftest import CANVAS, SCOPE, Gateway, auth, token

BASE_PIN = {"mode": "edit", "project_id": "proj-1", "surface_id": "surf-1", "app_id": "app-1"}
CANVAS_PIN = {**BASE_PIN, "canvas_id": "canvas-1"}
RUN_PIN = {**BASE_PIN, "run_id": "run-1"}
OTHER = {
    "tenant_id": "tenant-b",
    "mode": "view",
    "project_id": "proj-2",
    "surface_id": "surf-2",
    "app_id": "app-2",
    "canvas_id": "canvas-2",
    "run_id": "run-2",
}


def _path(field: str, value: str) -> str:
    if field == "run_id":
        return run_path(SCOPE.model_copy(update={"run_id": value, "canvas_id": None}))
    return canvas_path(SCOPE.model_copy(update={field: value}))


def _subscribe(http: httpx.Client, path: str) -> httpx.Response:
    """The stream's answer, without reading an SSE body (a stream opened by mistake never ends)."""
    with http.stream("GET", f"{path}/events") as response:
        if response.status_code != 200:
            response.read()
    return response


def _answers(http: httpx.Client, path: str) -> dict[str, httpx.Response]:
    """Every route under ``path`` (a canvas path, or a run path with its events routes only)."""
    answers = {
        "subscribe": _subscribe(http, path),
        "publish": http.post(f"{path}/events", json={"type": "log_line", "data": {"line": "x"}}),
    }
    if "/canvases/" in path:
        answers["command"] = http.post(f"{path}/commands", json={"idempotency_key": "k", "name": "noop"})
        answers["chat"] = http.post(f"{path}/chat", json={"idempotency_key": "k", "text": "hi"})
        answers["ticket"] = http.post(f"{path}/ws-ticket", json={})
        answers["resolve"] = http.post(f"{path}/sidecars/resolve", json={"uri": "atoms://media/a/b.png"})
    return answers


def test_the_pinned_scope_itself_is_allowed(gateway: Gateway) -> None:
    with httpx.Client(base_url=gateway.base_url) as http:
        ok_canvas = http.post(
            f"{_path('canvas_id', 'canvas-1')}/commands",
            json={"idempotency_key": "k1", "name": "noop"},
            headers=auth(token(pinned=CANVAS_PIN)),
        )
        ok_run = http.post(
            f"{_path('run_id', 'run-1')}/events",
            json={"type": "log_line", "data": {"line": "x"}},
            headers=auth(token(pinned=RUN_PIN)),
        )
    assert ok_canvas.status_code == 202 and ok_run.status_code == 201


@pytest.mark.parametrize("field", list(OTHER))
def test_each_scope_field_mismatched_gives_403_on_every_route(gateway: Gateway, field: str) -> None:
    pinned = token(pinned=RUN_PIN if field == "run_id" else CANVAS_PIN)
    with httpx.Client(base_url=gateway.base_url, headers=auth(pinned), timeout=10) as http:
        answers = _answers(http, _path(field, OTHER[field]))
    for route, response in answers.items():
        assert response.status_code == 403, (route, response.text)
        assert response.json()["error"]["code"] == "scope_mismatch"
        assert response.json()["error"]["value"] == field


@pytest.mark.parametrize(("pin", "path"), [("canvas_id", _path("run_id", "run-1")), ("run_id", CANVAS)])
def test_a_route_without_the_pinned_field_is_refused_naming_it(gateway: Gateway, pin: str, path: str) -> None:
    """A token pinned to canvas-1 cannot reach run routes (they carry no canvas_id), and a token
    pinned to run-1 cannot reach canvas routes: a pin is a promise about every route."""
    pinned = token(pinned={**BASE_PIN, pin: "canvas-1" if pin == "canvas_id" else "run-1"})
    with httpx.Client(base_url=gateway.base_url, headers=auth(pinned), timeout=10) as http:
        answers = _answers(http, path)
    assert {route: r.status_code for route, r in answers.items()} == dict.fromkeys(answers, 403)
    assert {r.json()["error"]["code"] for r in answers.values()} == {"scope_mismatch"}
    assert {r.json()["error"]["value"] for r in answers.values()} == {pin}


def test_missing_expired_or_forged_tokens_get_401(gateway: Gateway) -> None:
    path = canvas_path(SCOPE)
    with httpx.Client(base_url=gateway.base_url, timeout=10) as http:
        codes = {
            "missing": http.get(f"{path}/events"),
            "expired": http.get(f"{path}/events", headers=auth(token(ttl_s=-60))),
            "forged": http.get(
                f"{path}/events", headers=auth(token(secret="another-secret-of-32-characters!"))
            ),
            "no tenant": http.get(f"{path}/events", headers=auth(token(tenant=""))),
            "agent without role": http.get(f"{path}/events", headers=auth(token(actor="agent"))),
        }
    for name, response in codes.items():
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] in ("unauthenticated", "token_invalid"), name
        assert "www-authenticate" in response.headers
        assert "secret" not in response.text


def test_none_of_1000_tenant_b_events_reach_a_tenant_a_subscriber(gateway: Gateway) -> None:
    """Both tenants use the very same mode/project/surface/app/canvas ids."""
    b_scope = Scope(**{**SCOPE.model_dump(), "tenant_id": "tenant-b"})
    a_path, b_path = canvas_path(SCOPE), canvas_path(b_scope)
    a_agent = token("tenant-a", actor="agent", role="director")
    b_agent = token("tenant-b", actor="agent", role="director")

    async def run() -> list[SseEvent]:
        got: list[SseEvent] = []
        subscribed = anyio.Event()
        async with (
            GatewayClient(gateway.base_url, token=a_agent) as a,
            GatewayClient(gateway.base_url, token=b_agent) as b,
            anyio.create_task_group() as group,
        ):

            async def listen() -> None:
                with anyio.fail_after(120):
                    async for event in a.stream_once(a_path):
                        got.append(event)
                        subscribed.set()
                        if event.event == "log_line" and event.json()["data"]["line"] == "a-done":
                            return

            group.start_soon(listen)
            # stream_ready carries the head the subscriber starts after: anything published from
            # now on reaches it, so a late subscriber cannot make this test pass without testing.
            with anyio.fail_after(20):
                await subscribed.wait()
            for i in range(1000):
                await b.publish(b_path, "log_line", {"tenant": "b", "i": i})
            await a.publish(a_path, "log_line", {"line": "a-done"})
        return got

    got = anyio.run(run)
    leaked = [e for e in got if e.event != "stream_ready" and e.json()["data"].get("tenant") == "b"]
    assert leaked == []
    assert [e.event for e in got] == ["stream_ready", "log_line"]
