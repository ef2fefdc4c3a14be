"""Who is on the other end of a request, and whether it came over HTTPS.

The socket's peer address is the client unless the peer is one of the store's own proxies
(``LUMEIRE_TRUSTED_PROXIES``). Only then are ``X-Forwarded-For`` and ``X-Forwarded-Proto``
read: a client that sends them itself changes nothing. Every place that needs the client's
address or the scheme asks :func:`client_address` or :func:`request_is_secure`;
:class:`ClientAddressMiddleware` applies the answer to the request first, so Django's own
``is_secure()``, the HTTPS redirect and anything reading ``REMOTE_ADDR`` agree with it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Where the resolved answer is kept on the request, so it is worked out once.
_RESOLVED = "lumeire.client"
# Headers that only a trusted proxy may set; removed once read, so no later code can use them.
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)
# Long forwarded chains are not real; reading one must stay cheap.
_MAX_HOPS = 20


@dataclass(frozen=True)
class RequestOrigin:
    """Where one request came from: the client, the socket peer, and whether over HTTPS."""

    address: str | None  # the client's address, normalised; None when the server gave none
    peer: str | None  # the socket peer: the client itself or the nearest proxy
    secure: bool  # whether the client's own connection used HTTPS


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def trusted_proxy_networks() -> tuple[IPNetwork, ...]:
    """The networks whose forwarded headers are believed (``LUMEIRE_TRUSTED_PROXIES``)."""
    return _networks(tuple(getattr(settings, "LUMEIRE_TRUSTED_PROXIES", ())))


def _parse(value: str | None) -> IPAddress | None:
    if not value:
        return None
    text = value.strip()
    # "[2001:db8::1]:443" and "192.0.2.1:443" are what some proxies write.
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress | None, networks: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def _forwarded_client(peer: IPAddress, forwarded_for: str, networks: tuple[IPNetwork, ...]):
    """The right-most address in the chain that is not one of the store's proxies."""
    nearest = peer
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()][-_MAX_HOPS:]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A hop that is not an address: the chain cannot be followed past it.
            return nearest
        nearest = address
        if not _is_trusted(address, networks):
            return address
    return nearest


def _resolve(request: HttpRequest) -> RequestOrigin:
    meta = request.META
    resolved = meta.get(_RESOLVED)
    if isinstance(resolved, RequestOrigin):
        return resolved
    raw_peer = meta.get("REMOTE_ADDR") or None
    peer = _parse(raw_peer)
    networks = trusted_proxy_networks()
    secure = meta.get("wsgi.url_scheme") == "https"
    address = peer
    if _is_trusted(peer, networks):
        forwarded_for = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded_for:
            address = _forwarded_client(peer, forwarded_for, networks)
        proto = meta.get("HTTP_X_FORWARDED_PROTO", "")
        if proto:
            # The value the nearest proxy wrote is the right-most one.
            secure = proto.split(",")[-1].strip().lower() == "https"
    client = RequestOrigin(
        address=str(address) if address is not None else raw_peer,
        peer=str(peer) if peer is not None else raw_peer,
        secure=secure,
    )
    meta[_RESOLVED] = client
    return client


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the peer, or what a trusted proxy says the client is."""
    return _resolve(request).address


def request_is_secure(request: HttpRequest) -> bool:
    """Whether the client reached the store over HTTPS (a trusted proxy's word, or the socket)."""
    return _resolve(request).secure


class ClientAddressMiddleware:
    """Apply the resolved client to the request before anything else reads it.

    ``REMOTE_ADDR`` becomes the client's address and ``wsgi.url_scheme`` its scheme; the
    forwarding headers are then removed, trusted or not, so nothing downstream can read a
    forged one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        client = _resolve(request)
        meta = request.META
        if client.address is not None:
            meta["REMOTE_ADDR"] = client.address
        meta["wsgi.url_scheme"] = "https" if client.secure else "http"
        scope = getattr(request, "scope", None)
        if isinstance(scope, dict):  # under ASGI the scheme is read from the scope
            scope["scheme"] = meta["wsgi.url_scheme"]
        for name in FORWARDING_HEADERS:
            meta.pop(name, None)
        return self.get_response(request)
