"""Where media may come from: local paths under the import roots, and public http(s) URLs.

A remote caller must never make the server read its own files or reach its private network:
paths are resolved before the root check and then opened without following symlinks (see
:mod:`core._import_roots`), and every host a URL (or a redirect) names is resolved and refused
when any address is loopback, private, link-local or otherwise not global, unless private URLs
are explicitly allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import httpx

from core._import_roots import LocalFile, check_local_path, open_local_file
from core.errors import FetchFailed, UrlNotAllowed

__all__ = ["LocalFile", "check_local_path", "check_url", "fetch_url", "open_local_file"]

_MAX_REDIRECTS = 5
_CHUNK = 1024 * 1024


def _host_addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise FetchFailed("the URL's host does not resolve", value=host) from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts that resolve to non-public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlNotAllowed("only http and https URLs can be fetched", value=url)
    if parts.username or parts.password:
        raise UrlNotAllowed("URLs with credentials are refused", value=parts.hostname)
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in _host_addresses(parts.hostname, port):
        if not address.is_global:
            raise UrlNotAllowed(f"{parts.hostname} resolves to a non-public address", value=str(address))


def fetch_url(url: str, *, allow_private: bool, timeout_s: float) -> Iterator[bytes]:
    """Stream the body of ``url``, checking every redirect hop like the first request."""
    with httpx.Client(timeout=timeout_s, follow_redirects=False) as client:
        for _ in range(_MAX_REDIRECTS + 1):
            check_url(url, allow_private=allow_private)
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
                raise FetchFailed(f"could not fetch the URL: {type(exc).__name__}", value=url) from None
    raise FetchFailed("too many redirects", value=url)
