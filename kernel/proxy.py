"""The client's address and scheme, believing forwarded headers only from configured proxies.

Behind a reverse proxy every request comes from the proxy's address; the proxy says who the client was in
``X-Forwarded-For`` (and whether it spoke TLS in ``X-Forwarded-Proto``). Those headers are believed only when
the socket peer is one of ``GOVCHAT_TRUSTED_PROXIES``: anyone else could write them.
"""

from __future__ import annotations

from aiohttp import web

TRUSTED_PROXIES: web.AppKey[frozenset[str]] = web.AppKey("trusted_proxies", frozenset)


def parse_proxies(spec: str) -> frozenset[str]:
    return frozenset(p.strip() for p in spec.split(",") if p.strip())


def _trusted(request: web.Request) -> bool:
    proxies = request.app.get(TRUSTED_PROXIES, frozenset())
    return bool(proxies) and (request.remote or "") in proxies


def client_address(request: web.Request) -> str:
    """The client's address: the right-most address the trusted proxy added, else the socket peer."""
    peer = request.remote or ""
    if not _trusted(request):
        return peer
    proxies = request.app[TRUSTED_PROXIES]
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):  # skip our own proxies; the first other hop is what our proxy saw
        if hop not in proxies:
            return hop[:64]
    return peer


def is_secure(request: web.Request) -> bool:
    """TLS to the client: the socket itself, or a trusted proxy that says so (X-Forwarded-Proto: https)."""
    if request.secure:
        return True
    if not _trusted(request):
        return False
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return proto == "https"
