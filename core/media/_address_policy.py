"""Which IP addresses a URL fetch may connect to.

An address is judged together with every IPv4 address it carries: IPv4-mapped, -compatible
and -translated addresses are the IPv4 address on the wire, and NAT64, 6to4 and Teredo
addresses reach it through a gateway, so ``64:ff9b::7f00:1`` is refused like ``127.0.0.1``.

Two tiers: addresses that are never fetched (link-local, where cloud metadata services
live, the metadata addresses themselves, multicast, unspecified and broadcast), and the other
non-global ones (loopback, private, shared, reserved), which ``allow_private`` opens.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

__all__ = ["IPAddress", "refusal"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_v4 = ipaddress.IPv4Network
_v6 = ipaddress.IPv6Network

# Never fetched, whatever allow_private says.
_METADATA = (
    _v6("fd00:ec2::254/128"),  # AWS instance metadata over IPv6
    _v4("100.100.100.200/32"),  # Alibaba Cloud instance metadata
)
_LINK_LOCAL = (_v4("169.254.0.0/16"), _v6("fe80::/10"))  # AWS, GCP, Azure, OCI metadata: 169.254.169.254
_NEVER_OTHER = (_v4("0.0.0.0/8"), _v4("255.255.255.255/32"), _v6("::/128"))

# Not global, though Python 3.11's ``is_global`` says they are.
_ALSO_NOT_GLOBAL = (
    _v6("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215)
    _v6("fec0::/10"),  # deprecated site-local
)

_NAT64 = _v6("64:ff9b::/96")
_NAT64_LOCAL = _v6("64:ff9b:1::/48")
_IPV4_COMPATIBLE = _v6("::/96")
_IPV4_TRANSLATED = _v6("::ffff:0:0:0/96")


def refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why a fetch must not connect to ``address``, or None when it may."""
    carried = list(embedded_ipv4(address))
    # An IPv4-mapped, -compatible or -translated address is its IPv4 address on the wire:
    # judge only what it carries (Python calls all of ::ffff:0:0/96 private, 8.8.8.8 included).
    judged = carried if _carries_only(address) else [address, *carried]
    for one in judged:
        reason = _refusal_of_one(one, allow_private=allow_private)
        if reason is not None:
            return reason if one == address else f"{reason} ({one} inside {address})"
    for one in _local_nat64_candidates(address):
        # Which layout is meant is not in the address: refuse when any could reach metadata.
        if any(one in network for network in (*_METADATA, *_LINK_LOCAL)):
            return f"a link-local or metadata address ({one} may be inside {address})"
    return None


def embedded_ipv4(address: IPAddress) -> Iterator[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries or reaches through a gateway (none for IPv4)."""
    if isinstance(address, ipaddress.IPv4Address):
        return
    if address.ipv4_mapped is not None:
        yield address.ipv4_mapped
    elif _carries_only(address) or address in _NAT64:
        yield ipaddress.IPv4Address(address.packed[12:])
    if address.sixtofour is not None:
        yield address.sixtofour
    if address.teredo is not None:
        yield from address.teredo  # (server, client)


def _local_nat64_candidates(address: IPAddress) -> Iterator[ipaddress.IPv4Address]:
    """Every RFC 6052 layout of an IPv4 address inside the local-use NAT64 prefix."""
    if not isinstance(address, ipaddress.IPv6Address) or address not in _NAT64_LOCAL:
        return
    packed = address.packed
    for octets in (packed[6:8] + packed[9:11], packed[7:8] + packed[9:12], packed[9:13], packed[12:]):
        yield ipaddress.IPv4Address(octets)


def _carries_only(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv4Address):
        return False
    return (
        address.ipv4_mapped is not None
        or address in _IPV4_TRANSLATED
        or (address in _IPV4_COMPATIBLE and int(address) > 1)
    )


def _refusal_of_one(address: IPAddress, *, allow_private: bool) -> str | None:
    if any(address in network for network in _METADATA):
        return "a cloud metadata address"
    if address.is_link_local or any(address in network for network in _LINK_LOCAL):
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if any(address in network for network in _NEVER_OTHER):
        return "an unspecified or broadcast address"
    if allow_private:
        return None
    if not address.is_global or any(address in network for network in _ALSO_NOT_GLOBAL):
        return "a non-public address"
    return None
