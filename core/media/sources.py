"""Where media may come from: local paths under the import roots, and public http(s) URLs.

A remote caller must never make the server read its own files or reach its private network.
Paths are resolved before the root check and then opened without following symlinks (see
:mod:`core._import_roots`). Every host a URL (or a redirect) names is resolved once, refused
when any address is not allowed (:mod:`core._address_policy`), and the connection goes to
exactly the addresses that were checked (:mod:`core._pinned_transport`), all within one
deadline for the whole fetch.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin

import httpcore
import httpx

from core.errors import FetchFailed, FetchTimeout, UrlNotAllowed
from core.media._address_policy import IPAddress, refusal
from core.media._import_roots import LocalFile, check_local_path, open_local_file
from core.media._pinned_transport import Deadline, PinnedTransport, VettedTarget

__all__ = [
    "FetchPolicy",
    "LocalFile",
    "Resolver",
    "VettedTarget",
    "check_local_path",
    "check_url",
    "fetch_url",
    "open_local_file",
    "resolve_host",
]

_MAX_REDIRECTS = 5
_CHUNK = 1024 * 1024

Resolver = Callable[[str, int], list[IPAddress]]


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for ``host``, in its order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise FetchFailed("the URL's host does not resolve", value=host) from None
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


@dataclass(frozen=True)
class FetchPolicy:
    """How :func:`fetch_url` may fetch: what it may reach, and for how long."""

    allow_private: bool = False
    timeout_s: float = 60.0  # the longest wait for one step: a connect, a read
    deadline_s: float = 600.0  # the whole fetch, redirects included
    resolver: Resolver = resolve_host
    network: httpcore.NetworkBackend | None = None  # opens the sockets; httpcore's by default
    ssl_context: ssl.SSLContext | None = None  # certifi's roots by default
    clock: Callable[[], float] = time.monotonic


def check_url(url: str, *, allow_private: bool, resolver: Resolver = resolve_host) -> VettedTarget:
    """The host, port and addresses to connect to for ``url``; refuse non-http(s) URLs and,
    when any address the host resolves to is not allowed, the whole host."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise UrlNotAllowed("not a valid URL", value=url) from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise UrlNotAllowed("only http and https URLs can be fetched", value=url)
    if parsed.userinfo:
        raise UrlNotAllowed("URLs with credentials are refused", value=parsed.host)
    host = parsed.raw_host.decode("ascii")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = tuple(resolver(host, port))
    if not addresses:
        raise FetchFailed("the URL's host does not resolve", value=host)
    for address in addresses:
        reason = refusal(address, allow_private=allow_private)
        if reason is not None:
            raise UrlNotAllowed(f"{parsed.host} resolves to {reason}", value=str(address))
    return VettedTarget(host, port, addresses)


def fetch_url(url: str, policy: FetchPolicy) -> Iterator[bytes]:
    """Stream the body of ``url``; every redirect hop is checked and pinned like the first."""
    deadline = Deadline(policy.deadline_s, clock=policy.clock)
    ssl_context = policy.ssl_context or _default_ssl_context()
    for _ in range(_MAX_REDIRECTS + 1):
        target = check_url(url, allow_private=policy.allow_private, resolver=policy.resolver)
        transport = PinnedTransport(target, deadline, ssl_context=ssl_context, network=policy.network)
        # trust_env=False: a proxy from the environment would connect in our place, unpinned.
        with httpx.Client(transport=transport, timeout=policy.timeout_s, trust_env=False) as client:
            try:
                with client.stream("GET", url) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise FetchFailed(f"the URL answered HTTP {response.status_code}", value=url)
                    yield from response.iter_bytes(_CHUNK)
                    return
            except httpx.HTTPError as exc:
                if deadline.expired or isinstance(exc, httpx.TimeoutException):
                    raise _timeout(url, policy, deadline) from None
                raise FetchFailed(f"could not fetch the URL: {type(exc).__name__}", value=url) from None
    raise FetchFailed("too many redirects", value=url)


@cache
def _default_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes a while; one context serves every fetch (it is thread-safe).
    return httpx.create_ssl_context()


def _timeout(url: str, policy: FetchPolicy, deadline: Deadline) -> FetchTimeout:
    if deadline.expired:
        return FetchTimeout(
            f"the URL did not finish within the fetch deadline of {policy.deadline_s:g} s", value=url
        )
    return FetchTimeout(f"the URL sent nothing for {policy.timeout_s:g} s", value=url)
