"""Refusing private, loopback and link-local addresses (SSRF protection).

A crawler that follows links and redirects from the open web must not be turned
against the network it runs in: a public page (or a redirect) pointing to
http://127.0.0.1:8080/admin or http://169.254.169.254/ (cloud metadata) would make
it fetch internal services. By default every request (pages, redirects,
robots.txt, sitemaps, probes) whose host resolves to a non-public address is
refused before it is sent; ``--allow-private`` opts in for intranets, and the
demo and the test suite (which serve portals on 127.0.0.1) opt in.
"""
from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit


def non_public(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast
            or addr.is_reserved or addr.is_unspecified)


@lru_cache(maxsize=4096)
def resolve(host: str) -> tuple[str, ...]:
    """The host's addresses (an IP literal is its own); empty when it does not resolve."""
    try:
        ipaddress.ip_address(host)
        return (host,)
    except ValueError:
        pass
    try:
        return tuple(sorted({info[4][0] for info in socket.getaddrinfo(host, None)}))
    except (socket.gaierror, UnicodeError, OSError):
        return ()


def private_reason(url: str) -> str | None:
    """Why ``url`` must not be fetched without --allow-private, or None."""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if not host:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is the local machine"
    bad = [ip for ip in resolve(host) if non_public(ip)]
    if bad:
        return f"{host} resolves to a non-public address ({bad[0]})"
    return None
