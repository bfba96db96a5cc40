"""Every bad input gets a coded error, never a 500 or a traceback: odd Last-Event-IDs, lone
surrogates, huge integers, deep nesting, non-finite numbers, unknown routes and methods. And an
SSE stream ends when its token expires; the client resumes with a fresh one, losing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import psycopg
import pytest

from gateway.client import GatewayClient, SseEvent
from tests.gateway.conftest import CANVAS, PG_ADMIN, Gateway, auth, serve_gateway, token

DIRECTOR = token(actor="agent", role="director")
EVENT_HEAD = b'{"type": "log_line", "data": {"line": '


def _get(http: httpx.Client, url: str, **kwargs: Any) -> httpx.Response:
    """A GET that cannot hang on a stream the server opened by mistake: an SSE body is not read."""
    with http.stream("GET", url, **kwargs) as response:
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            response.read()
    return response


def _assert_coded(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["hint"]
    assert "Traceback" not in response.text and ".py" not in response.text


@pytest.mark.parametrize(
    "cursor",
    [b"\xb2", "١٢".encode(), b"1" * 5000, b"99999999999999999999", b"-1", b"1e3", b"0x10", b"\xff" * 20],
    ids=[
        "superscript two",
        "arabic-indic digits",
        "5000 digits",
        "past int64",
        "negative",
        "exponent",
        "hex",
        "latin-1",
    ],
)
def test_an_unusable_last_event_id_is_a_coded_400(gateway: Gateway, cursor: bytes) -> None:
    with httpx.Client(base_url=gateway.base_url, headers=auth(DIRECTOR), timeout=10) as http:
        header = _get(http, f"{CANVAS}/events", headers={"last-event-id": cursor})
        query = _get(http, f"{CANVAS}/events", params={"last_event_id": cursor.decode("latin-1")})
    for response in (header, query):
        _assert_coded(response, 400, "invalid_input")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (EVENT_HEAD + b'"\\ud800"}}', "invalid_envelope"),
        (EVENT_HEAD + b'"ok \\udfff end"}}', "invalid_envelope"),
        (EVENT_HEAD + b"1" * 4301 + b"}}", "invalid_envelope"),
        (EVENT_HEAD + b"-" + b"9" * 4400 + b"}}", "invalid_envelope"),
        (EVENT_HEAD + b"NaN}}", "invalid_envelope"),
        (EVENT_HEAD + b"Infinity}}", "invalid_envelope"),
        (EVENT_HEAD + b"1e999}}", "invalid_envelope"),
        (EVENT_HEAD + b"[" * 1000 + b"]" * 1000 + b"}}", "envelope_too_deep"),
        (b"[" * 30000, "envelope_too_deep"),
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "envelope_too_deep"),
        (EVENT_HEAD + b'"unterminated', "invalid_envelope"),
        (b"", "invalid_envelope"),
    ],
    ids=[
        "lone high surrogate",
        "lone low surrogate",
        "4301-digit integer",
        "4401-digit negative",
        "NaN",
        "Infinity",
        "overflowing float",
        "1000 deep arrays",
        "30000 open brackets",
        "5000 deep objects",
        "unterminated",
        "empty",
    ],
)
def test_a_body_python_json_chokes_on_is_a_coded_422(gateway: Gateway, body: bytes, code: str) -> None:
    headers = {**auth(DIRECTOR), "content-type": "application/json"}
    with httpx.Client(base_url=gateway.base_url, headers=headers, timeout=10) as http:
        answers = [
            http.post(f"{CANVAS}/events", content=body),
            http.post(f"{CANVAS}/commands", content=body.replace(b'"type": "log_line"', b'"name": "x"')),
        ]
    for response in answers:
        _assert_coded(response, 422, code)


def test_unknown_routes_and_methods_get_coded_errors(gateway: Gateway) -> None:
    with httpx.Client(base_url=gateway.base_url, headers=auth(DIRECTOR), timeout=10) as http:
        missing = http.get("/v1/nothing/here")
        wrong_method = http.delete(f"{CANVAS}/events")
        websocket_over_http = http.get("/v1/ws")
    _assert_coded(missing, 404, "route_not_found")
    _assert_coded(wrong_method, 405, "method_not_allowed")
    _assert_coded(websocket_over_http, 404, "route_not_found")


def test_a_spine_outage_is_a_coded_503_that_names_no_host_database_or_path(
    tmp_path: Path, pg_database: str
) -> None:
    name = pg_database.rsplit("/", 1)[1]
    with serve_gateway(tmp_path, options={"database_url": pg_database}) as gw:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')  # the spine's database is gone
        with httpx.Client(base_url=gw.base_url, headers=auth(DIRECTOR), timeout=30) as http:
            response = http.post(f"{CANVAS}/events", json={"type": "log_line", "data": {"line": "x"}})
    _assert_coded(response, 503, "spine_unavailable")
    assert name not in response.text and "127.0.0.1" not in response.text and "5432" not in response.text


def test_a_stream_ends_when_its_token_expires_and_resumes_with_a_fresh_one(gateway: Gateway) -> None:
    short_lived = token(actor="agent", role="director", ttl_s=2)  # exp in 1 to 2 s
    refreshed: list[str] = []

    async def fresh_token() -> str:
        refreshed.append("yes")
        return DIRECTOR

    async def run() -> list[SseEvent]:
        got: list[SseEvent] = []
        ready, expired = anyio.Event(), anyio.Event()
        async with (
            GatewayClient(gateway.base_url, token=short_lived, refresh_token=fresh_token) as canvas,
            GatewayClient(gateway.base_url, token=DIRECTOR) as agent,
            anyio.create_task_group() as group,
        ):

            async def listen() -> None:
                async for event in canvas.subscribe(CANVAS, retry_s=0.05):
                    got.append(event)
                    if event.event == "stream_ready":
                        ready.set()
                    if event.event == "token_expired":
                        expired.set()
                    if event.event == "log_line" and event.json()["data"]["line"] == "after 2":
                        return

            with anyio.fail_after(20):
                group.start_soon(listen)
                await ready.wait()
                for n in (1, 2):
                    await agent.publish(CANVAS, "log_line", {"line": f"before {n}"})
                await expired.wait()  # the protocol's signal: the stream ended at the token's exp
                for n in (1, 2):
                    await agent.publish(CANVAS, "log_line", {"line": f"after {n}"})
        return got

    got = anyio.run(run)
    assert [e.event for e in got] == [
        "stream_ready",
        "log_line",
        "log_line",
        "token_expired",
        "log_line",
        "log_line",
    ]
    lines = [e.json()["data"]["line"] for e in got if e.event == "log_line"]
    assert lines == ["before 1", "before 2", "after 1", "after 2"]
    assert [e.id for e in got if e.event == "log_line"] == ["1", "2", "3", "4"]
    assert got[3].id is None and got[3].json()["reason"] == "token_expired"
    assert refreshed == ["yes"]
