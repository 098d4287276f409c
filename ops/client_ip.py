"""The client's address, as far as it can be known: one answer for rate limits and login limits.

``REMOTE_ADDR`` is the peer that connected to us. Only when that peer is one of TRUSTED_PROXIES
(addresses or networks, empty by default) is ``X-Forwarded-For`` read, from the right: each
trusted proxy appends the address it saw, so the right-most address that is not itself a trusted
proxy is the client. Anything further left was written by the client and is ignored, so a random
header per request cannot dodge a limit. With no trusted proxies the header is never read.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    ip = _parse(address)
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    return ip is not None and any(ip in network for network in networks)


def client_ip(request) -> str:
    """The client address for limits (``AXES_CLIENT_IP_CALLABLE`` and the DRF/page throttles)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    if not settings.TRUSTED_PROXIES or not is_trusted_proxy(remote):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        ip = _parse(hop)
        if ip is None:  # a trusted proxy would not write this: stop at the last address we trust
            return remote
        if not is_trusted_proxy(str(ip)):
            return str(ip)
    return remote
