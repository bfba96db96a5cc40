"""Identity (HS256 and JWKS tokens -> actors) and the fail-fast configuration of gateway serve."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anyio
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from core.errors import ConfigError, MissingConfig
from gateway.errors import TokenInvalid
from gateway.identity import TokenVerifier
from gateway.settings import load_gateway_config
from tests.gateway.conftest import SECRET, gateway_env, token

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_url() -> Iterator[str]:
    """A JWKS document served over real HTTP on loopback, as Supabase publishes one."""
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/auth/v1/.well-known/jwks.json"
    server.shutdown()


def test_hs256_claims_become_an_actor_with_tenant_role_and_pinned_scope() -> None:
    verifier = TokenVerifier(secret=SECRET)
    agent = verifier.verify_sync(token("tenant-x", actor="agent", role="planner", pinned={"canvas_id": "c9"}))
    assert (agent.tenant_id, agent.kind, agent.role, agent.pinned) == (
        "tenant-x",
        "agent",
        "planner",
        {"canvas_id": "c9"},
    )
    supabase_style = jwt.encode(
        {
            "sub": "u1",
            "exp": int(time.time()) + 60,
            "role": "authenticated",
            "app_metadata": {"tenant_id": "t1"},
        },
        SECRET,
        algorithm="HS256",
    )
    user = verifier.verify_sync(supabase_style)
    assert (user.tenant_id, user.kind, user.role) == ("t1", "canvas", "canvas")
    with pytest.raises(TokenInvalid):
        verifier.verify_sync(token(pinned={"tenant_id": "other"}))
    with pytest.raises(TokenInvalid):
        verifier.verify_sync(token("../etc"))
    audience = TokenVerifier(secret=SECRET, audience="authenticated")
    with pytest.raises(TokenInvalid):
        audience.verify_sync(token())


def test_jwks_tokens_verify_and_foreign_keys_do_not(jwks_url: str) -> None:
    verifier = TokenVerifier(jwks_url=jwks_url)
    claims = {
        "sub": "agent-1",
        "tenant_id": "t1",
        "actor": "agent",
        "agent_role": "director",
        "exp": int(time.time()) + 60,
    }
    good = jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k1"})
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"})
    hs_downgrade = jwt.encode(claims, "x" * 32, algorithm="HS256", headers={"kid": "k1"})

    async def run() -> str:
        actor = await verifier.verify(good)
        return actor.role

    assert anyio.run(run) == "director"
    for bad in (forged, hs_downgrade):
        with pytest.raises(TokenInvalid):
            verifier.verify_sync(bad)


def test_staging_and_production_name_every_missing_variable(tmp_path: Path) -> None:
    for env in ("staging", "production"):
        with pytest.raises(MissingConfig) as caught:
            load_gateway_config({"env": env, "data_dir": tmp_path})
        message = caught.value.message
        assert "ATOMS_DATABASE_URL" in message and "ATOMS_JWT_SECRET or ATOMS_JWKS_URL" in message
    with pytest.raises(ConfigError, match="requires authentication"):
        load_gateway_config({"data_dir": tmp_path}, {"host": "0.0.0.0"})
    config = load_gateway_config({"data_dir": tmp_path}, {"host": "0.0.0.0", "jwt_secret": "s"})
    assert config.authenticated


def test_gateway_serve_refuses_to_start_in_production_without_its_settings(tmp_path: Path) -> None:
    env = gateway_env(tmp_path, ATOMS_ENV="production")
    del env["ATOMS_JWT_SECRET"]
    proc = subprocess.run(
        [sys.executable, "-m", "gateway", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "ATOMS_DATABASE_URL" in proc.stderr and "ATOMS_JWT_SECRET or ATOMS_JWKS_URL" in proc.stderr
    assert "Traceback" not in proc.stderr
