"""fetch_url connects to exactly the addresses that were checked, hop by hop, keeps the
hostname for the Host header and TLS, and stops at one deadline for the whole fetch.

Real servers on 127.0.0.1; the host names are "resolved" by resolver seams, so no test
depends on DNS, and the rebinding test's network backend refuses to leave the machine."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import time
from collections.abc import Iterable
from pathlib import Path

import httpcore
import pytest

from core.errors import FetchFailed, FetchTimeout, UrlNotAllowed
from core.media.sources import FetchPolicy, fetch_url
from tests.core.http_servers import recording_server, trickle_server

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
BODY = b"media bytes " * 100


class Answers:
    """A resolver seam: each host's first lookup gets ``first``, every later one ``then``."""

    def __init__(self, first: str, then: str | None = None) -> None:
        self.first = ipaddress.ip_address(first)
        self.then = ipaddress.ip_address(then or first)
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[IPAddress]:
        seen_before = host in self.asked
        self.asked.append(host)
        return [self.then if seen_before else self.first]


class LoopbackOnly(httpcore.SyncBackend):
    """httpcore's real socket backend that records each address it is asked for and never
    connects beyond the machine."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        self.asked.append(host)
        if not ipaddress.ip_address(host).is_loopback:
            raise httpcore.ConnectError(f"this test never leaves the machine ({host})")
        return super().connect_tcp(host, port, timeout, local_address, socket_options)


def body_reply(path: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, BODY


def test_a_rebinding_resolver_cannot_steer_the_fetch_to_loopback() -> None:
    with recording_server(body_reply) as (port, seen):
        url = f"http://media.example:{port}/clip.mp4"
        network = LoopbackOnly()
        rebinding = Answers("8.8.8.8", then="127.0.0.1")  # public for the check, loopback after
        with pytest.raises(FetchFailed) as caught:
            list(fetch_url(url, FetchPolicy(resolver=rebinding, network=network, deadline_s=5)))
        assert caught.value.code == "fetch_failed"
        assert seen.requests == []  # the loopback server was never reached
        assert network.asked == ["8.8.8.8"]  # only the address that was checked
        assert rebinding.asked == ["media.example"]  # resolved once, by the check

        # Control: the same backend and server do meet when the check itself says loopback.
        allowed = FetchPolicy(allow_private=True, resolver=Answers("127.0.0.1"), network=network)
        assert b"".join(fetch_url(url, allowed)) == BODY
        assert seen.requests == [("/clip.mp4", f"media.example:{port}")]


def test_every_redirect_hop_is_resolved_once_checked_and_pinned_with_its_own_host() -> None:
    ports: list[int] = []

    def reply(path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/start":
            return 302, {"Location": f"http://cdn.example:{ports[0]}/clip.mp4"}, b""
        return body_reply(path)

    with recording_server(reply) as (port, seen):
        ports.append(port)
        # Later lookups would answer the metadata address: pinning means there are none.
        answers = Answers("127.0.0.1", then="169.254.169.254")
        policy = FetchPolicy(allow_private=True, resolver=answers)
        assert b"".join(fetch_url(f"http://media.example:{port}/start", policy)) == BODY
    assert answers.asked == ["media.example", "cdn.example"]
    assert seen.requests == [("/start", f"media.example:{port}"), ("/clip.mp4", f"cdn.example:{port}")]


def test_a_redirect_to_a_forbidden_address_is_refused_before_it_is_followed() -> None:
    def reply(path: str) -> tuple[int, dict[str, str], bytes]:
        return 302, {"Location": "http://metadata.example/latest/meta-data/"}, b""

    def resolve(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.1" if host == "media.example" else "169.254.169.254")]

    with recording_server(reply) as (port, seen):
        policy = FetchPolicy(allow_private=True, resolver=resolve)
        with pytest.raises(UrlNotAllowed) as caught:
            list(fetch_url(f"http://media.example:{port}/start", policy))
    assert caught.value.code == "url_not_allowed"
    assert [path for path, _ in seen.requests] == ["/start"]


def test_a_server_trickling_a_byte_a_second_is_cut_at_the_overall_deadline() -> None:
    policy = FetchPolicy(allow_private=True, resolver=Answers("127.0.0.1"), timeout_s=5.0, deadline_s=1.5)
    with trickle_server(interval_s=1.0, length=60) as (port, seen):
        started = time.monotonic()
        with pytest.raises(FetchTimeout) as caught:
            list(fetch_url(f"http://media.example:{port}/slow.mp4", policy))
        took = time.monotonic() - started
    assert caught.value.code == "fetch_timeout"
    assert "deadline of 1.5 s" in caught.value.message
    # Every byte came within the per-read timeout: only the overall deadline can have cut it.
    assert policy.deadline_s <= took < policy.timeout_s
    assert len(seen.requests) == 1


def test_a_server_that_goes_silent_is_cut_at_the_read_timeout() -> None:
    policy = FetchPolicy(allow_private=True, resolver=Answers("127.0.0.1"), timeout_s=0.3, deadline_s=30)
    with trickle_server(interval_s=10.0, length=5) as (port, _), pytest.raises(FetchTimeout) as caught:
        list(fetch_url(f"http://media.example:{port}/silent.mp4", policy))
    assert "sent nothing for 0.3 s" in caught.value.message


def test_tls_is_verified_for_the_hostname_while_the_connection_goes_to_the_checked_address(
    tmp_path: Path,
) -> None:
    client_context, server_context, server_names = _tls_contexts(tmp_path, "media.example")
    with recording_server(body_reply, tls=server_context) as (port, seen):
        policy = FetchPolicy(allow_private=True, resolver=Answers("127.0.0.1"), ssl_context=client_context)
        assert b"".join(fetch_url(f"https://media.example:{port}/clip.mp4", policy)) == BODY
        with pytest.raises(FetchFailed):  # same address, but the certificate is not for this name
            list(fetch_url(f"https://other.example:{port}/clip.mp4", policy))
    assert server_names == ["media.example", "other.example"]  # SNI carried the names
    assert seen.requests == [("/clip.mp4", f"media.example:{port}")]


def _tls_contexts(tmp: Path, hostname: str) -> tuple[ssl.SSLContext, ssl.SSLContext, list[str]]:
    """A self-signed certificate for ``hostname``: a client context trusting only it, and a
    server context presenting it that records each SNI name it is sent."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp / "cert.pem").write_bytes(cert_pem)
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")
    names: list[str] = []
    server.sni_callback = lambda _sock, sni, _ctx: names.append(sni or "") or None
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return client, server, names
