"""The client's address, resolved once per request: proxy headers count only from ``TRUSTED_PROXIES``.

``X-Forwarded-For`` is whatever the sender wrote. Believing it let a client rotate it to escape every
per-address throttle and put a forged address into the audit trail. The rule, applied by
:class:`ClientAddressMiddleware` before anything else reads the request:

- The TCP peer (``REMOTE_ADDR``) is not in ``TRUSTED_PROXIES`` (the default: the list is empty): the peer is
  the client, and ``X-Forwarded-For``/``-Proto``/``-Host``/``-Port``, ``X-Real-IP`` and ``Forwarded`` are
  removed from the request, so nothing downstream (Django's ``SECURE_PROXY_SSL_HEADER``, DRF, our code)
  can read them.
- The peer is a trusted proxy: ``X-Forwarded-For`` is walked from the right (the hop the proxy itself
  appended) past every trusted address; the first untrusted one is the client. Whatever a client wrote
  into the header itself lies further left and is never reached. ``X-Forwarded-Proto`` from that proxy
  says whether the client used TLS.

The resolved address replaces ``REMOTE_ADDR`` (the peer is kept in ``META["zhifa.peer_address"]``), so every
consumer reads one value: DRF throttles (``NUM_PROXIES = 0``: they use ``REMOTE_ADDR``), the audit trail
(:func:`client_address`), logs. gunicorn's own ``forwarded_allow_ips`` is set from the same variable
(backend/config/gunicorn.py).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

PEER_KEY = "zhifa.peer_address"
# Headers a client could use to claim another address, scheme or host; dropped unless a trusted proxy sent them.
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


@functools.lru_cache(maxsize=16)
def parse_trusted_proxies(values: tuple[str, ...]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` entries (IP addresses or CIDR networks) → networks; anything else is refused."""
    networks: list[Network] = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        try:
            network = ipaddress.ip_network(value, strict=True)
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {value!r} is not an IP address or a network in CIDR notation (10.0.0.0/8)"
            ) from None
        if network.prefixlen == 0:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {value!r} would trust every address on the internet")
        networks.append(network)
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    return parse_trusted_proxies(tuple(settings.TRUSTED_PROXIES))


def _address(text: str) -> Address | None:
    """One hop of ``X-Forwarded-For``: ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1`` or ``[2001:db8::1]:443``."""
    value = text.strip().strip('"')
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def resolve_client_address(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address: the peer, or — behind trusted proxies — the first untrusted hop from the right.

    A hop that is not an address at all stops the walk at the last trusted hop before it (a proxy of ours
    would never write one; it came from the client side).
    """
    peer_address = _address(peer)
    if peer_address is None or not _is_trusted(peer_address, networks):
        return peer
    client = peer_address
    for hop in reversed(forwarded_for.split(",") if forwarded_for else []):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def client_address(request: Any) -> str:
    """The resolved client address of a request (Django's or DRF's) for audit records and logs."""
    resolved = getattr(request, "client_address", None)
    return str(resolved if resolved is not None else request.META.get("REMOTE_ADDR", ""))


class ClientAddressMiddleware:
    """First in ``MIDDLEWARE``: applies the rule above before anything reads the address, scheme or host."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        networks = trusted_proxies()
        peer_address = _address(peer)
        meta[PEER_KEY] = peer
        if peer_address is not None and _is_trusted(peer_address, networks):
            client = resolve_client_address(peer, meta.get("HTTP_X_FORWARDED_FOR", ""), networks)
        else:
            for header in FORWARDING_HEADERS:
                meta.pop(header, None)
            client = peer
        meta["REMOTE_ADDR"] = client
        request.client_address = client  # type: ignore[attr-defined]
        return self.get_response(request)
