"""Single-use WebSocket tickets: browsers cannot set headers on a WebSocket, so an
authenticated POST buys a short-lived ticket and the socket presents it once."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from gateway.identity import Actor
from gateway.streams import StreamAddress

__all__ = ["Ticket", "TicketBook"]


@dataclass(frozen=True)
class Ticket:
    actor: Actor
    address: StreamAddress
    expires_at: float  # on the book's clock


class TicketBook:
    """Tickets of this process (a socket must reach the replica that issued its ticket)."""

    def __init__(self, *, ttl_s: float, clock: Callable[[], float]) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._tickets: dict[str, Ticket] = {}

    def issue(self, actor: Actor, address: StreamAddress) -> tuple[str, Ticket]:
        now = self.clock()
        for key in [k for k, t in self._tickets.items() if t.expires_at <= now]:
            del self._tickets[key]
        value = secrets.token_urlsafe(32)
        ticket = Ticket(actor, address, now + self.ttl_s)
        self._tickets[value] = ticket
        return value, ticket

    def redeem(self, value: str | None) -> Ticket | None:
        """The ticket, consumed; None when unknown, already used or expired."""
        ticket = self._tickets.pop(value, None) if value else None
        if ticket is None or ticket.expires_at <= self.clock():
            return None
        return ticket
