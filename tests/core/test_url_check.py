"""check_url refuses every form of a forbidden address, and allows public ones; the host is
"resolved" by a resolver seam, so nothing here touches the network."""

from __future__ import annotations

import ipaddress

import pytest

from core.errors import AtomsError, UrlNotAllowed
from core.media.sources import Resolver, check_url

URL = "http://media.example/clip.mp4"


def answering(*addresses: str) -> Resolver:
    def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        assert (host, port) == ("media.example", 80)
        return [ipaddress.ip_address(a) for a in addresses]

    return resolve


# (what, address, refused without allow_private, refused with allow_private)
ADDRESSES = [
    ("loopback", "127.0.0.1", True, False),
    ("IPv6 loopback", "::1", True, False),
    ("private", "10.1.2.3", True, False),
    ("unique local", "fd12:3456::1", True, False),
    ("shared address space", "100.64.0.1", True, False),
    ("NAT64 of loopback", "64:ff9b::7f00:1", True, False),
    ("NAT64 of a private address", "64:ff9b::a01:203", True, False),
    ("NAT64 of metadata", "64:ff9b::a9fe:a9fe", True, True),
    ("local-use NAT64", "64:ff9b:1::808:808", True, False),
    ("local-use NAT64 of metadata (/96 layout)", "64:ff9b:1::a9fe:a9fe", True, True),
    ("local-use NAT64 of metadata (/48 layout)", "64:ff9b:1:a9fe:a9:fe00::", True, True),
    ("6to4 of loopback", "2002:7f00:1::1", True, False),
    ("6to4 of metadata", "2002:a9fe:a9fe::1", True, True),
    ("IPv4-compatible loopback", "::127.0.0.1", True, False),
    ("IPv4-compatible metadata", "::169.254.169.254", True, True),
    ("IPv4-mapped loopback", "::ffff:127.0.0.1", True, False),
    ("IPv4-mapped metadata", "::ffff:169.254.169.254", True, True),
    ("IPv4-translated loopback", "::ffff:0:127.0.0.1", True, False),
    ("Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2", True, False),
    ("Teredo through a metadata server", "2001:0:a9fe:a9fe::1", True, True),
    ("IPv4 multicast", "239.255.255.250", True, True),
    ("IPv6 multicast", "ff02::1", True, True),
    ("IPv4-mapped multicast", "::ffff:224.0.0.1", True, True),
    ("NAT64 of multicast", "64:ff9b::e000:1", True, True),
    ("link-local metadata", "169.254.169.254", True, True),
    ("other link-local", "169.254.10.20", True, True),
    ("IPv6 link-local", "fe80::1", True, True),
    ("AWS IPv6 metadata", "fd00:ec2::254", True, True),
    ("Alibaba metadata", "100.100.100.200", True, True),
    ("unspecified", "0.0.0.0", True, True),
    ("IPv6 unspecified", "::", True, True),
    ("broadcast", "255.255.255.255", True, True),
    ("public IPv4", "8.8.8.8", False, False),
    ("public IPv6", "2606:4700:4700::1111", False, False),
    ("IPv4-mapped public", "::ffff:8.8.8.8", False, False),
    ("NAT64 of a public address", "64:ff9b::808:808", False, False),
    ("6to4 of a public address", "2002:808:808::1", False, False),
]


@pytest.mark.parametrize(("what", "address", "refused", "refused_when_private_allowed"), ADDRESSES)
def test_each_address_form_is_judged_by_what_it_reaches(
    what: str, address: str, refused: bool, refused_when_private_allowed: bool
) -> None:
    for allow_private, expected in ((False, refused), (True, refused_when_private_allowed)):
        if expected:
            with pytest.raises(UrlNotAllowed) as caught:
                check_url(URL, allow_private=allow_private, resolver=answering(address))
            assert caught.value.code == "url_not_allowed"
            assert caught.value.value == str(ipaddress.ip_address(address)), what
        else:
            target = check_url(URL, allow_private=allow_private, resolver=answering(address))
            assert target.addresses == (ipaddress.ip_address(address),), what


def test_one_forbidden_address_among_public_ones_refuses_the_host() -> None:
    with pytest.raises(UrlNotAllowed):
        check_url(URL, allow_private=False, resolver=answering("8.8.8.8", "::ffff:10.0.0.1"))


def test_the_vetted_target_names_the_host_port_and_every_checked_address() -> None:
    def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        assert (host, port) == ("media.example", 8443)
        return [ipaddress.ip_address("8.8.8.8"), ipaddress.ip_address("2606:4700::1")]

    target = check_url("https://Media.Example:8443/a.wav", allow_private=False, resolver=resolve)
    assert (target.host, target.port) == ("media.example", 8443)
    assert target.addresses == (ipaddress.ip_address("8.8.8.8"), ipaddress.ip_address("2606:4700::1"))


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://media.example/a.wav", "url_not_allowed"),
        ("http://user:pw@media.example/a.wav", "url_not_allowed"),
        ("http:///a.wav", "url_not_allowed"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused_before_resolving(url: str, code: str) -> None:
    def never(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        raise AssertionError("resolved a URL that should have been refused first")

    with pytest.raises(AtomsError) as caught:
        check_url(url, allow_private=True, resolver=never)
    assert caught.value.code == code
