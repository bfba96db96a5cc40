"""Idempotency keys are scoped per tenant, canvas and caller: one user's key neither collides
with nor reveals another's. On the embedded SQLite spine and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.gateway.conftest import CANVAS, auth, serve_gateway, token

OTHER_CANVAS = CANVAS.replace("/canvases/canvas-1", "/canvases/canvas-2")
ALICE = auth(token(subject="alice"))
BOB = auth(token(subject="bob"))


def test_the_same_key_from_another_user_or_canvas_is_another_command(
    tmp_path: Path, spine_options: dict[str, Any]
) -> None:
    def send(http: httpx.Client, canvas: str, who: dict[str, str], source: str) -> httpx.Response:
        body = {"idempotency_key": "cmd-1", "name": "import_media", "args": {"source": source}}
        return http.post(f"{canvas}/commands", json=body, headers=who)

    with (
        serve_gateway(tmp_path, options=spine_options) as gw,
        httpx.Client(base_url=gw.base_url, timeout=10) as http,
    ):
        alice = send(http, CANVAS, ALICE, "a.mp4")
        bob = send(http, CANVAS, BOB, "a.mp4")  # the same key and arguments as Alice's
        bob_retry = send(http, CANVAS, BOB, "a.mp4")
        alice_elsewhere = send(http, OTHER_CANVAS, ALICE, "c.mp4")
        alice_again = send(http, CANVAS, ALICE, "a.mp4")
        alice_changed = send(http, CANVAS, ALICE, "z.mp4")
    for fresh in (alice, bob, alice_elsewhere):
        assert fresh.status_code == 202 and fresh.headers.get("idempotent-replayed") is None, fresh.text
        assert fresh.json()["idempotency_key"] == "cmd-1"
    # Bob's key is his own: his retry replays his command, not Alice's, and tells him nothing of hers.
    assert bob_retry.headers.get("idempotent-replayed") == "true" and bob_retry.content == bob.content
    assert bob.json()["id"] != alice.json()["id"]
    assert alice_again.content == alice.content and alice_again.headers["idempotent-replayed"] == "true"
    assert (
        alice_changed.status_code == 409 and alice_changed.json()["error"]["code"] == "idempotency_conflict"
    )
