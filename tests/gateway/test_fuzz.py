"""Every gateway route fuzzed over real HTTP (and the WebSocket over a real socket): whatever
arrives (bodies, headers, cursors, paths, methods, tokens), the answer is a coded error or a
success, never a 500 and never a traceback or an internal path.

Bounded for CI: ``ATOMS_FUZZ_EXAMPLES`` examples per route (default 25), derandomized so a CI
run is repeatable; a nightly run sets e.g. ``ATOMS_FUZZ_EXAMPLES=2000 ATOMS_FUZZ_DERANDOMIZE=false``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic_settings import BaseSettings, SettingsConfigDict
from websockets.asyncio.client import connect

from core.scope import Scope
from gateway.client import canvas_path, run_path
from gateway.envelopes import EVENT_TYPES
from gateway.spine.sqlite import SqliteSpine
from tests.gateway.conftest import SCOPE, Gateway, serve_gateway, token


class FuzzSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ATOMS_FUZZ_", extra="ignore")

    examples: int = 25
    derandomize: bool = True


FUZZ = FuzzSettings()
FUZZED = settings(
    max_examples=FUZZ.examples,
    derandomize=FUZZ.derandomize,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
END_MARKER = "fuzz_end_marker"
RUN = run_path(Scope(**{**SCOPE.model_dump(), "canvas_id": None, "run_id": "run-1"}))
ROUTES = [
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/metrics"),
    ("GET", "{canvas}/events"),
    ("POST", "{canvas}/events"),
    ("POST", "{canvas}/commands"),
    ("POST", "{canvas}/chat"),
    ("POST", "{canvas}/sidecars/resolve"),
    ("POST", "{canvas}/ws-ticket"),
    ("GET", "{run}/events"),
    ("POST", "{run}/events"),
    ("GET", "{canvas}/state"),
    ("POST", "{canvas}/snapshots"),
    ("GET", "{canvas}/snapshots/1"),
    ("GET", "{canvas}/snapshots/" + "9" * 40),
    ("GET", "/sse/chat/canvas-1"),
    ("POST", "/ws/chat/canvas-1/ticket"),
    ("GET", "/ui/canvas.html"),
]
TOKENS = [
    token(actor="agent", role="director"),
    token(actor="agent", role="planner"),
    token(),
    token(pinned={"canvas_id": "canvas-1"}),
    token(ttl_s=-10),
    token(actor="agent", role="nobody"),
    "not-a-jwt",
]
PATHOLOGICAL = [
    b"[" * 5000,
    b'{"type": "log_line", "data": {"x": ' + b"1" * 4301 + b"}}",
    b'{"type": "log_line", "data": {"x": "\\ud800"}}',
    b'{"type": "log_line", "data": {"x": NaN}}',
    b'{"type": "log_line", "data": {"x": 1e999}}',
    b'{"type": "state_patch", "data": {"ops": [{"op": "move", "path": "/a"}]}}',
    b"\xff\xfe\x00\x01",
    b"",
]

_header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40
)
# What HTTP/1.1 can carry at all (the client refuses the rest before sending): latin-1, no
# controls, no surrounding whitespace.
header_bytes = _header_text.map(lambda text: text.strip(" \t").encode("latin-1"))
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30))
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
op = st.fixed_dictionaries(
    {
        "op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "x"]),
        "path": st.text(max_size=12),
    },
    optional={"from": st.text(max_size=8), "value": json_value},
)
data = st.one_of(
    st.dictionaries(st.text(max_size=12), json_value, max_size=5),
    st.fixed_dictionaries({"tokens": st.dictionaries(st.text(max_size=12), json_value, max_size=4)}),
    st.fixed_dictionaries({"ops": st.lists(op, max_size=3)}),
    # Patches against a base revision, with paths into what earlier examples built.
    st.fixed_dictionaries(
        {
            "base_revision": st.integers(min_value=-2, max_value=6),
            "ops": st.lists(
                st.fixed_dictionaries(
                    {
                        "op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test"]),
                        "path": st.sampled_from(["", "/a", "/a/0", "/a/-", "/tokens/x", "/b/" + "9" * 30]),
                        "value": json_value,
                    },
                    optional={"from": st.sampled_from(["", "/a", "/tokens"])},
                ),
                max_size=3,
            ),
        },
        optional={"idempotency_key": st.text(max_size=8), "tokens": json_value},
    ),
    st.fixed_dictionaries(
        {"canvas_type": st.sampled_from(["generic", "video_editor", "x"]) | st.text(max_size=8)}
    ),
    st.fixed_dictionaries({"path": st.text(max_size=12), "op": st.text(max_size=8), "value": json_value}),
    json_value,
)
envelope = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from([*EVENT_TYPES, "command", "gesture"]) | st.text(max_size=12),
        "data": data,
        "sidecars": st.lists(json_value, max_size=2),
        "idempotency_key": st.text(max_size=20) | st.from_regex(r"\A[a-z0-9]{1,12}\Z"),
        "name": st.text(max_size=12) | st.sampled_from(["noop", "import_media"]),
        "args": json_value,
        "text": st.text(max_size=40),
        "uri": st.text(max_size=40)
        | st.sampled_from(["atoms://media/0123456789abcdef0123456789abcdef/a.png"]),
        "ttl_s": st.integers(),
    },
)
body = st.one_of(
    envelope.map(lambda value: json.dumps(value).encode()),
    json_value.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=64),
    st.sampled_from(PATHOLOGICAL),
)
path_part = st.one_of(
    st.sampled_from(["tenant-a", "tenant-b", "canvas-1", "edit"]),
    st.text(max_size=16).map(lambda text: quote(text, safe="")),
)
request_headers = st.fixed_dictionaries(
    {},
    optional={
        "content-type": st.sampled_from(["application/json", "text/plain", "application/json; charset=utf-8"])
        | header_bytes,
        "last-event-id": header_bytes
        | st.integers(min_value=-5, max_value=10**30).map(lambda n: str(n).encode()),
        "idempotency-key": header_bytes,
        "origin": st.sampled_from([b"https://evil.example.net", b"null"]) | header_bytes,
        "cookie": st.sampled_from(TOKENS).map(lambda value: f"atoms_gateway_token={value}".encode()),
    },
)


class _Tracebacks(logging.Handler):
    """Records every error the server logs (with a traceback or not) while the fuzz runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


TRACEBACKS = _Tracebacks()


@pytest.fixture(scope="module")
def fuzzed_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("fuzz")
    # NORMAL: no fsync per commit, so examples cost requests, not disk flushes.
    spine = SqliteSpine(tmp / "spine.sqlite3", synchronous="NORMAL")
    loggers = [logging.getLogger(), logging.getLogger("uvicorn")]  # uvicorn's does not propagate
    for logger in loggers:
        logger.addHandler(TRACEBACKS)
    try:
        with serve_gateway(tmp, spine=spine, options={"ping_s": 0.2}) as gw:
            yield gw
    finally:
        for logger in loggers:
            logger.removeHandler(TRACEBACKS)
    assert TRACEBACKS.records == []


@pytest.fixture(scope="module")
def client(fuzzed_gateway: Gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzzed_gateway.base_url, timeout=httpx.Timeout(10.0)) as http:
        yield http


def _assert_no_leak(response: httpx.Response, text: str) -> None:
    assert response.status_code < 500, text
    assert "Traceback" not in text and 'File "' not in text and "/gateway/" not in text, text
    if response.status_code >= 400:
        error = json.loads(text)["error"]
        assert error["code"] and error["message"] and error["hint"], text


def _send(http: httpx.Client, method: str, url: str, headers: dict[str, bytes], content: bytes) -> None:
    request = http.build_request(method, url, headers=headers, content=content or None)
    response = http.send(request, stream=True)
    try:
        streaming = response.headers.get("content-type", "").startswith("text/event-stream")
        if method == "HEAD":
            assert response.status_code < 500
        elif response.status_code == 200 and streaming:
            # A stream: its opening event (or a ping) proves it is alive; then hang up.
            assert next(response.iter_lines(), None) is not None
        else:
            _assert_no_leak(response, response.read().decode(errors="replace"))
    finally:
        response.close()
    assert TRACEBACKS.records == []


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {t}" for m, t in ROUTES])
@FUZZED
@given(
    auth=st.sampled_from([*TOKENS, None]),
    headers=request_headers,
    content=body,
    query=st.dictionaries(
        st.sampled_from(["last_event_id", "lastEventId", "x"]), st.text(max_size=30), max_size=2
    ),
)
def test_every_route_answers_fuzz_with_coded_errors_only(
    client: httpx.Client,
    method: str,
    template: str,
    auth: str | None,
    headers: dict[str, bytes],
    content: bytes,
    query: dict[str, str],
) -> None:
    url = template.format(canvas=canvas_path(SCOPE), run=RUN)
    if query:
        url += "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
    if auth is not None:
        headers = {**headers, "authorization": f"Bearer {auth}".encode()}
    _send(client, method, url, headers, content)


@FUZZED
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    parts=st.lists(path_part, min_size=0, max_size=9),
    tail=st.sampled_from(
        [
            "events",
            "commands",
            "chat",
            "ws-ticket",
            "sidecars/resolve",
            "state",
            "snapshots",
            "snapshots/2",
            "",
        ]
    ),
    content=body,
)
def test_any_method_on_any_path_answers_with_a_coded_error(
    client: httpx.Client, method: str, parts: list[str], tail: str, content: bytes
) -> None:
    url = "/v1/" + "/".join([*parts, tail])
    headers = {"authorization": f"Bearer {TOKENS[0]}".encode(), "content-type": b"application/json"}
    _send(client, method, url, headers, content)


@FUZZED
@given(messages=st.lists(st.one_of(envelope.map(json.dumps), st.text(max_size=60)), min_size=1, max_size=8))
def test_the_websocket_answers_fuzz_with_relays_or_coded_errors(
    fuzzed_gateway: Gateway, messages: list[str]
) -> None:
    """Each message is relayed to the other socket or answered with a coded error frame, one or the other."""
    with httpx.Client(base_url=fuzzed_gateway.base_url, timeout=10) as http:
        tickets = [
            http.post(
                f"{canvas_path(SCOPE)}/ws-ticket", json={}, headers={"authorization": f"Bearer {who}"}
            ).json()["ticket"]
            for who in (TOKENS[2], TOKENS[1])
        ]
    ws_url = fuzzed_gateway.base_url.replace("http://", "ws://")

    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        errors: list[dict[str, Any]] = []
        relayed: list[dict[str, Any]] = []
        with anyio.fail_after(20):
            async with (
                connect(f"{ws_url}/v1/ws?ticket={tickets[0]}") as sender,
                connect(f"{ws_url}/v1/ws?ticket={tickets[1]}") as receiver,
            ):
                for socket in (sender, receiver):
                    assert json.loads(await socket.recv())["type"] == "socket_ready"
                for message in messages:
                    await sender.send(message)
                await sender.send(json.dumps({"type": "presence", "data": {"fuzz": "end"}}))
                # Refused for its extra field: its error frame comes after every earlier one.
                await sender.send(json.dumps({"type": "presence", END_MARKER: True}))
                while (frame := json.loads(await receiver.recv()))["data"] != {"fuzz": "end"}:
                    relayed.append(frame)
                while END_MARKER not in (frame := json.loads(await sender.recv()))["error"]["message"]:
                    errors.append(frame)
        return errors, relayed

    errors, relayed = anyio.run(run)
    assert TRACEBACKS.records == []
    assert len(errors) + len(relayed) == len(messages)
    for frame in errors:
        assert frame["type"] == "error" and frame["error"]["code"] and frame["error"]["hint"], frame


def test_fuzz_examples_are_configured_in_one_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOMS_FUZZ_EXAMPLES", "2000")
    assert FuzzSettings().examples == 2000
