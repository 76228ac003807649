"""The client's real address: the one function behind lockouts, the CAPTCHA, rate limits and the audit log.

``X-Forwarded-For`` is a list a client can start itself: ``forged, ..., real`` if it sends its own
header; each proxy appends the address it received the request from. Only the entries added by our
own proxies can be trusted, so the address is the one the outermost trusted proxy added: with
``SHEGONG_PROXY_HOPS = N`` (the number of our reverse proxies in front of the app), the N-th entry
from the right. With 0 (the default, no proxy) the header is ignored and the socket's address
(``REMOTE_ADDR``) is used.
"""

import ipaddress

from django.conf import settings


def _valid(candidate):
    try:
        return str(ipaddress.ip_address((candidate or "").strip()))
    except ValueError:
        return ""


def client_address(request):
    """The client's address as a normalised string ("" if there is none)."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    hops = max(0, int(getattr(settings, "PROXY_HOPS", 0) or 0))
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote  # reached the app without passing a proxy
    # Fewer entries than proxies: every entry was added by one of ours, the leftmost is the client.
    return _valid(forwarded[-hops] if len(forwarded) >= hops else forwarded[0]) or remote
