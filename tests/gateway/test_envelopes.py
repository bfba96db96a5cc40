"""Sidecars only: 50 crafted inline-media payloads are refused (422), 1,000 real events pass,
and an envelope over the size limit gets 413."""

from __future__ import annotations

import base64
import hashlib
import json
import random
from typing import Any

import httpx

from tests.gateway.conftest import CANVAS, Gateway, auth, token

DIRECTOR = auth(token(actor="agent", role="director"))
USER = auth(token())
PNG = b"\x89PNG\r\n\x1a\n" + bytes(random.Random(7).randrange(256) for _ in range(3000))
SHA = hashlib.sha256(PNG).hexdigest()
REF = {
    "uri": f"atoms://media/{SHA[:32]}/frame.png",
    "asset_id": SHA[:32],
    "filename": "frame.png",
    "mime_type": "image/png",
    "size_bytes": len(PNG),
    "sha256": SHA,
}


def crafted_payloads() -> list[tuple[str, bytes]]:
    """(route, body): events and commands smuggling media in every way we know of."""
    b64 = base64.b64encode(PNG).decode()
    b64url = base64.urlsafe_b64encode(PNG).decode().rstrip("=")
    data_uris = [
        f"data:image/png;base64,{b64[:200]}",
        "data:,hello",
        "DATA:text/plain;charset=utf-8,abc",
        f"see data:image/jpeg;base64,{b64[:40]}",
        "data:;base64,QUJD",
        "data:audio/wav;base64,UklGRg==",
        "data:video/mp4;name=clip.mp4;base64,AAAA",
        "data:application/octet-stream,%00%01",
    ]
    out: list[tuple[str, dict[str, Any]]] = []
    for uri in data_uris:
        out.append(("events", {"type": "state_patch", "data": {"image": uri}}))
        out.append(("commands", {"idempotency_key": "k", "name": "set", "args": {"src": uri}}))
        out.append(("events", {"type": "canvas_commit", "data": {"nested": [{"deep": {"x": uri}}]}}))
    for run in (b64, b64url, b64[:1024], b64url[:1500], b64.replace("+", "-")[:2048]):
        out.append(("events", {"type": "state_patch", "data": {"blob": run}}))
        out.append(("events", {"type": "log_line", "data": {"line": f"frame: {run} end"}}))
        out.append(("commands", {"idempotency_key": "k2", "name": "upload", "args": {"bytes": run}}))
    out.append(("events", {"type": "state_patch", "data": {b64[:1100]: 1}}))  # in a key
    out.append(("events", {"type": "state_patch", "data": {"bytes": list(PNG[:200])}}))
    out.append(
        ("events", {"type": "state_patch", "data": {"buffer": {"type": "Buffer", "data": list(PNG[:64])}}})
    )
    out.append(("commands", {"idempotency_key": "k3", "name": "put", "args": {"raw": list(range(256))}}))
    out.append(("events", {"type": "chat_token", "data": {"token": PNG[:40].decode("latin-1")}}))
    out.append(("chat", {"idempotency_key": "k4", "text": "look: " + PNG[:64].decode("latin-1")}))
    out.append(("chat", {"idempotency_key": "k5", "text": f"data:image/png;base64,{b64[:100]}"}))
    # A sidecar must be a MediaRef: a data: URI, a missing sha256 or an http URL is no sidecar.
    out.append(
        (
            "events",
            {"type": "snapshot_created", "sidecars": [{**REF, "uri": f"data:image/png;base64,{b64[:64]}"}]},
        )
    )
    out.append(
        (
            "events",
            {"type": "snapshot_created", "sidecars": [{k: v for k, v in REF.items() if k != "sha256"}]},
        )
    )
    out.append(
        ("events", {"type": "snapshot_created", "sidecars": [{**REF, "uri": "https://example.com/f.png"}]})
    )
    bodies = [(route, json.dumps(body).encode()) for route, body in out]
    bodies.append(("events", PNG))  # raw bytes, not even UTF-8
    bodies.append(("events", b'{"type": "state_patch", "data": {"x": "\x00\x01\x02\x03"}}'))
    return bodies


BASE = -1  # placeholder: the test writes each patch against the revision the canvas is at


def legitimate_events(n: int) -> list[dict[str, Any]]:
    rng = random.Random(11)
    words = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "a",
        "lazy",
        "dog",
        "while",
        "planners",
        "plan",
        "and",
        "directors",
        "direct",
    ]
    events: list[dict[str, Any]] = []
    for i in range(n):
        kind = i % 6
        if kind == 0:
            events.append({"type": "chat_token", "data": {"token": rng.choice(words) + " ", "i": i}})
        elif kind == 1:
            text = " ".join(rng.choice(words) for _ in range(rng.randrange(5, 200)))
            events.append({"type": "log_line", "data": {"line": f"[{i}] {text}", "level": "info"}})
        elif kind == 2:
            value = {"x": rng.random(), "y": rng.random(), "sha256": SHA, "id": f"layer-{i}"}
            value["url"] = (
                f"https://cdn.example.com/a/{SHA}.png?X-Amz-Signature={SHA}&X-Amz-Date=20250101T000000Z"
            )
            ops = [{"op": "add", "path": f"/layer-{i}", "value": value}]
            events.append({"type": "state_patch", "data": {"base_revision": BASE, "ops": ops}})
        elif kind == 3:
            events.append({"type": "log_line", "data": {"snapshot": f"snap-{i}"}, "sidecars": [REF]})
        elif kind == 4:
            tokens = {"color.primary": f"#{i:06x}", "plan.step": i}
            events.append({"type": "token_patch", "data": {"base_revision": BASE, "tokens": tokens}})
        else:
            events.append(
                {
                    "type": "CANVAS_READY",
                    "data": {
                        "canvas_type": "generic",
                        "message": "metadata: updated, data: kept",
                        "jwt_like": "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl",
                    },
                }
            )
    return events


def test_50_crafted_inline_media_payloads_are_rejected_with_422(gateway: Gateway) -> None:
    bodies = crafted_payloads()
    assert len(bodies) >= 50
    statuses: dict[int, list[str]] = {}
    with httpx.Client(base_url=gateway.base_url, timeout=10) as http:
        for route, body in bodies:
            headers = {**(DIRECTOR if route == "events" else USER), "content-type": "application/json"}
            response = http.post(f"{CANVAS}/{route}", content=body, headers=headers)
            statuses.setdefault(response.status_code, []).append(response.text[:200])
            if response.status_code == 422:
                error = response.json()["error"]
                assert error["code"] in ("inline_media", "invalid_envelope") and error["hint"]
    assert list(statuses) == [422], statuses


def test_1000_legitimate_events_are_all_accepted(gateway: Gateway) -> None:
    events = legitimate_events(1000)
    revision = 0
    statuses = []
    with httpx.Client(base_url=gateway.base_url, headers=DIRECTOR, timeout=10) as http:
        for event in events:
            if event["data"].get("base_revision") == BASE:  # patches are written against the head
                event = {**event, "data": {**event["data"], "base_revision": revision}}
            response = http.post(f"{CANVAS}/events", json=event)
            statuses.append(response.status_code)
            revision = response.json().get("revision", revision)
    assert statuses.count(201) == 1000


def test_an_envelope_over_the_size_limit_gets_413(gateway: Gateway) -> None:
    words = " ".join(["word"] * 20_000)
    with httpx.Client(base_url=gateway.base_url, headers=DIRECTOR, timeout=10) as http:
        big = http.post(f"{CANVAS}/events", json={"type": "log_line", "data": {"line": words}})

        def chunks() -> Any:
            body = json.dumps({"type": "log_line", "data": {"line": words}}).encode()
            for i in range(0, len(body), 4096):
                yield body[i : i + 4096]

        streamed = http.post(  # chunked: no Content-Length
            f"{CANVAS}/events", content=chunks(), headers={"content-type": "application/json"}
        )
    for response in (big, streamed):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "envelope_too_large"
