"""The request id: one per HTTP request (the caller's ``X-Request-Id`` when it is a sane one,
else a fresh one), carried in a context variable through the call, written into the job a call
submits, and put on every log line of the call and of that job."""

from __future__ import annotations

import contextvars
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = [
    "REQUEST_ID_HEADER",
    "current_request_id",
    "new_request_id",
    "request_id_scope",
    "usable_request_id",
]

REQUEST_ID_HEADER: Final = "x-request-id"
_SANE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("atoms_request_id", default=None)


def new_request_id() -> str:
    return "req_" + secrets.token_hex(8)


def usable_request_id(presented: str | None) -> str:
    """The caller's id when it is short and plain (it ends up in logs), else a fresh one."""
    if presented is not None and _SANE.fullmatch(presented):
        return presented
    return new_request_id()


def current_request_id() -> str | None:
    return _current.get()


@contextmanager
def request_id_scope(request_id: str | None) -> Iterator[str | None]:
    """Make ``request_id`` current for the block (and the threads and tasks it starts)."""
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)
