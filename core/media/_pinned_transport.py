"""An httpx transport that connects only to addresses vetted beforehand, under one deadline.

httpx would resolve the host again when it connects, and DNS may answer differently the
second time (DNS rebinding): the check saw a public address, the connection reaches
127.0.0.1. This transport never resolves. Its network backend maps the one vetted host to the
addresses the check accepted and connects to those; the URL keeps the hostname, so the Host
header, TLS SNI and certificate verification are all for the name, not the address.

Every connect, TLS handshake, read and write is given at most the time left on the fetch's
:class:`Deadline`, so a server trickling one byte a second cannot hold a fetch past it.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from core.media._address_policy import IPAddress

__all__ = ["Deadline", "PinnedTransport", "VettedTarget"]


@dataclass(frozen=True)
class VettedTarget:
    """A host (as the URL names it, IDNA-encoded) and port, and the addresses allowed for it."""

    host: str
    port: int
    addresses: tuple[IPAddress, ...]


class Deadline:
    """A point in time (on ``clock``) after which nothing more may be waited for."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return self._end - self._clock()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def clamp(self, timeout: float | None, expired: type[httpcore.TimeoutException]) -> float:
        """``timeout`` cut to the time left; raise ``expired`` when none is left."""
        left = self.remaining()
        if left <= 0:
            raise expired(f"the fetch deadline of {self.seconds:g} s has passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    def __init__(self, target: VettedTarget, deadline: Deadline, network: httpcore.NetworkBackend) -> None:
        self._target = target
        self._deadline = deadline
        self._network = network

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        if (host, port) != (self._target.host, self._target.port):
            raise httpcore.ConnectError(f"{host}:{port} is not the host that was checked")
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in self._target.addresses:
            try:
                stream = self._network.connect_tcp(
                    str(address),
                    port,
                    timeout=self._deadline.clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        raise failure or httpcore.ConnectError(f"{host} has no address to connect to")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("a URL fetch never opens a unix socket")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, max(self._deadline.remaining(), 0.0)))


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise httpx.TimeoutException(str(exc), request=request) from exc
    except (
        httpcore.NetworkError,
        httpcore.ProtocolError,
        httpcore.UnsupportedProtocol,
        httpcore.ConnectionNotAvailable,
        httpcore.ProxyError,
    ) as exc:
        raise httpx.TransportError(str(exc), request=request) from exc


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes], request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors(self._request):
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class PinnedTransport(httpx.BaseTransport):
    """Send requests for ``target.host`` to ``target.addresses`` only, within ``deadline``.

    ``network`` is the backend that opens the real sockets (httpcore's own by default).
    """

    def __init__(
        self,
        target: VettedTarget,
        deadline: Deadline,
        *,
        ssl_context: ssl.SSLContext,
        network: httpcore.NetworkBackend | None = None,
    ) -> None:
        backend = _PinnedBackend(target, deadline, network or httpcore.SyncBackend())
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=backend, retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors(request):
            response = self._pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream, request),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()
