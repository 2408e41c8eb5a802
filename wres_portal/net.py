"""The client's address, the same way everywhere (sign-in throttling, API throttling, security events).

Behind a reverse proxy every request comes from the proxy, so the address is taken from the
`X-Forwarded-For` header instead: `TRUSTED_PROXY_COUNT` says how many proxies of ours append to it,
and the address that the outermost of them saw is the entry that many places from the right.
Entries further left were sent by the client and are never trusted. With `TRUSTED_PROXY_COUNT=0`
(the default: no proxy, e.g. `make demo`) the header is ignored and the socket's address is used.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as text ("unknown" when there is none that parses)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    candidate = remote
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        try:
            return str(ipaddress.ip_address(remote))
        except ValueError:
            return "unknown"
