"""Development tokens: `gateway token` mints a JWT that a local gateway on embedded defaults
accepts for any tenant, actor and role; outside ATOMS_ENV=local it is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import jwt

from tests.gateway.conftest import auth, serve_gateway

ACME_CANVAS = "/v1/acme/edit/p1/s1/app1/canvases/c1"
COMMAND = {"name": "import_media", "args": {"source": "clip.mp4"}}


def _mint(
    data_dir: Path, *args: str, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMS_")}
    env.update({"ATOMS_DATA_DIR": str(data_dir), **(env_extra or {})})
    return subprocess.run(
        [sys.executable, "-m", "gateway", "token", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_minted_token_acts_as_its_tenant_on_a_local_gateway_without_a_secret(tmp_path: Path) -> None:
    minted = _mint(tmp_path / "data", "--tenant", "acme", "--actor", "agent", "--role", "director")
    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["tenant_id"], claims["actor"], claims["agent_role"]) == ("acme", "agent", "director")
    assert (tmp_path / "data" / "gateway" / "dev-jwt-secret").stat().st_mode & 0o077 == 0
    with (
        serve_gateway(tmp_path, options={"jwt_secret": None}) as gw,
        httpx.Client(base_url=gw.base_url) as http,
    ):
        headers = {"Idempotency-Key": "cmd-1"}
        as_acme = http.post(f"{ACME_CANVAS}/commands", json=COMMAND, headers={**headers, **auth(token)})
        anonymous = http.post(f"{ACME_CANVAS}/commands", json=COMMAND, headers=headers)
        forged = jwt.encode(claims, "not-the-development-secret-0123456789", "HS256")
        wrong_key = http.post(f"{ACME_CANVAS}/commands", json=COMMAND, headers={**headers, **auth(forged)})
        local = http.post("/v1/local/edit/p1/s1/app1/canvases/c1/commands", json=COMMAND, headers=headers)
    assert as_acme.status_code == 202, as_acme.text
    # Without a token a loopback caller is still the local tenant, and only that.
    assert anonymous.status_code == 403 and anonymous.json()["error"]["code"] == "scope_mismatch"
    assert local.status_code == 202
    assert wrong_key.status_code == 401 and wrong_key.json()["error"]["code"] == "token_invalid"


def test_development_tokens_are_refused_outside_local(tmp_path: Path) -> None:
    for env in ("staging", "production"):
        minted = _mint(tmp_path / "data", "--tenant", "acme", env_extra={"ATOMS_ENV": env})
        assert minted.returncode == 2
        assert minted.stdout == ""
        assert f"refused with ATOMS_ENV={env}" in minted.stderr and "hint" in minted.stderr
    assert not (tmp_path / "data" / "gateway").exists()


def test_a_bad_pin_or_role_is_refused_before_any_token_exists(tmp_path: Path) -> None:
    bad_pin = _mint(tmp_path / "data", "--pin", "tenant_id=other")
    assert bad_pin.returncode == 2 and bad_pin.stdout == "" and "cannot pin tenant_id" in bad_pin.stderr
    bad_tenant = _mint(tmp_path / "data", "--tenant", "../x")
    assert bad_tenant.returncode == 2 and bad_tenant.stdout == ""
