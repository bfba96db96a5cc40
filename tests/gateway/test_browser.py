"""Browser requests: a cookie-authenticated write needs an allowed Origin and a JSON body; form
and text/plain bodies are refused whatever the auth; CORS answers the configured origins only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.settings import GatewayOptions
from tests.gateway.conftest import CANVAS, Gateway, auth, serve_gateway, token

APP = "https://app.example.com"
EVIL = "https://evil.example.net"
COOKIE = {"atoms_gateway_token": token()}
COMMAND = json.dumps({"idempotency_key": "k-1", "name": "noop"})


@pytest.fixture
def browser_gateway(tmp_path: Path) -> Iterator[Gateway]:
    with serve_gateway(tmp_path, options={"allowed_origins": f"{APP}, http://localhost:5173"}) as gw:
        yield gw


def _post(gw: Gateway, headers: dict[str, str], body: str = COMMAND, cookie: bool = True) -> httpx.Response:
    with httpx.Client(base_url=gw.base_url, cookies=COOKIE if cookie else None, timeout=10) as http:
        return http.post(f"{CANVAS}/commands", content=body, headers=headers)


def test_a_cookie_write_needs_an_allowed_origin(browser_gateway: Gateway) -> None:
    json_type = {"content-type": "application/json"}
    no_origin = _post(browser_gateway, json_type)
    evil = _post(browser_gateway, {**json_type, "origin": EVIL})
    null = _post(browser_gateway, {**json_type, "origin": "null"})
    allowed = _post(browser_gateway, {**json_type, "origin": APP})
    for refused in (no_origin, evil, null):
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "origin_not_allowed"
    assert evil.json()["error"]["value"] == EVIL
    assert allowed.status_code == 202, allowed.text


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ],
)
def test_form_and_text_bodies_are_refused_with_415(browser_gateway: Gateway, content_type: str) -> None:
    from_page = _post(browser_gateway, {"content-type": content_type, "origin": APP})
    with_bearer = _post(browser_gateway, {"content-type": content_type, **auth(token())}, cookie=False)
    for response in (from_page, with_bearer):
        assert response.status_code == 415, response.text
        assert response.json()["error"]["code"] == "unsupported_content_type"


def test_a_page_of_another_origin_cannot_write_even_without_a_cookie(browser_gateway: Gateway) -> None:
    """Also protects a loopback gateway without tokens from pages its user visits."""
    response = _post(browser_gateway, {"content-type": "application/json", "origin": EVIL, **auth(token())})
    assert response.status_code == 403 and response.json()["error"]["code"] == "origin_not_allowed"


def test_cors_answers_the_configured_origins_only(browser_gateway: Gateway) -> None:
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    with httpx.Client(base_url=browser_gateway.base_url, timeout=10) as http:
        ok = http.options(f"{CANVAS}/commands", headers={**preflight, "origin": APP})
        refused = http.options(f"{CANVAS}/commands", headers={**preflight, "origin": EVIL})
        read = http.get("/health/live", headers={"origin": APP})
        foreign_read = http.get("/health/live", headers={"origin": EVIL})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == APP
    assert ok.headers["access-control-allow-credentials"] == "true"
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in refused.headers
    assert read.headers["access-control-allow-origin"] == APP
    assert "access-control-allow-origin" not in foreign_read.headers


def test_allowed_origins_are_read_from_the_setting_and_wildcards_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ATOMS_GATEWAY_ALLOWED_ORIGINS", "https://App.example.com/, http://localhost:5173")
    assert GatewayOptions().allowed_origins == ("https://app.example.com", "http://localhost:5173")
    for bad in ("*", "null", "https://app.example.com/path", "app.example.com"):
        monkeypatch.setenv("ATOMS_GATEWAY_ALLOWED_ORIGINS", bad)
        with pytest.raises(ValueError, match="not an origin"):
            GatewayOptions()
