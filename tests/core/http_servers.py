"""Real HTTP servers on 127.0.0.1 for the URL-fetch tests: one that records what it is asked
(paths, Host headers) and answers with a redirect or a body, and one that trickles its body
one byte at a time."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Seen:
    """What a test server was asked, and how many of its replies are still being sent."""

    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header)
    open_now: int = 0
    most_open: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)

    def opened(self, path: str, host: str) -> None:
        with self.changed:
            self.requests.append((path, host))
            self.open_now += 1
            self.most_open = max(self.most_open, self.open_now)
            self.changed.notify_all()

    def closed(self) -> None:
        with self.changed:
            self.open_now -= 1

    def wait_for_requests(self, count: int, timeout_s: float) -> bool:
        """Block until ``count`` requests have arrived (True) or ``timeout_s`` passed (False)."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.requests) >= count, timeout_s)


Reply = Callable[[str], tuple[int, dict[str, str], bytes]]


@contextmanager
def recording_server(reply: Reply, *, tls: ssl.SSLContext | None = None) -> Iterator[tuple[int, Seen]]:
    """Serve ``reply(path) -> (status, headers, body)`` (over TLS when given a server context);
    yield the port and what it saw."""
    seen = Seen()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.opened(self.path, self.headers.get("Host", ""))
            try:
                status, headers, body = reply(self.path)
                self.send_response(status)
                for name, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            finally:
                seen.closed()

        def log_message(self, format: str, *args: object) -> None:
            return

    with _serving(Handler, tls) as port:
        yield port, seen


@contextmanager
def trickle_server(*, interval_s: float, length: int) -> Iterator[tuple[int, Seen]]:
    """Answer 200 with ``length`` bytes promised, then send one byte every ``interval_s``."""
    seen = Seen()
    stop = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.opened(self.path, self.headers.get("Host", ""))
            try:
                self.send_response(200)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.flush()
                for _ in range(length):
                    if stop.wait(interval_s):
                        return
                    self.wfile.write(b"x")
                    self.wfile.flush()
            except OSError:
                return  # the client hung up: that is what the tests expect of it
            finally:
                seen.closed()

        def log_message(self, format: str, *args: object) -> None:
            return

    with _serving(Handler, None) as port:
        try:
            yield port, seen
        finally:
            stop.set()


@contextmanager
def _serving(handler: type[http.server.BaseHTTPRequestHandler], tls: ssl.SSLContext | None) -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
