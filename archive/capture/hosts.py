"""Which hosts a fetch made for somebody else may reach.

The browser connector fetches on a caller's behalf (the page when no HTML came
with it, the pictures of the page): a request must not become a way to reach
this machine or the local network (a router's admin page, a service bound to
127.0.0.1), so such a fetcher refuses every address that is not public, after
resolving the name (``intranet.example.com`` may point at 10.0.0.1). The check
runs before each hop of a redirect chain, so a public page cannot redirect the
fetch inward either.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from archive.base.errors import FetchError


class PrivateAddressError(FetchError):
    """The address is loopback, private, link-local or otherwise not public."""


def is_public_ip(text: str) -> bool:
    """True for a global unicast address (an IPv4-mapped IPv6 is judged as IPv4)."""
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal_host(host: str) -> str | None:
    """The host as an address when it is written as one, else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def refuse_at_once(url: str) -> None:
    """Refuse a URL whose host is written as a non-public address or a local name,
    without resolving anything (the quick check of a caller's input)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost") or "." not in host and _literal_host(host) is None:
        raise PrivateAddressError(f"Cannot fetch {url[:100]}: {host or 'the host'} is a local name, "
                                  "not a public web address")
    literal = _literal_host(host)
    if literal is not None and not is_public_ip(literal):
        raise PrivateAddressError(f"Cannot fetch {url[:100]}: {host} is a local or private address, "
                                  "not a public web address")


async def refuse_private(url: str) -> None:
    """Raise PrivateAddressError unless every address the URL's host resolves to is
    public. A name that does not resolve is left to the fetch (which says so)."""
    refuse_at_once(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _literal_host(host) is not None:
        return
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return
    for info in infos:
        address = str(info[4][0])
        if not is_public_ip(address):
            raise PrivateAddressError(f"Cannot fetch {url[:100]}: {host} points at the local or private "
                                      f"address {address}, not a public web address")
