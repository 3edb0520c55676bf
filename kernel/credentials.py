"""Who may speak on the REST channel: integrations, each with its own credential and rights.

An integration (the district's app, the phone system's IVR, …) is configured in
``GOVCHAT_REST_INTEGRATIONS`` as ``name=channel:bearer|hmac:SECRET[:staff+ratings]``. It authenticates
with ``Authorization: Bearer SECRET`` or, for ``hmac``, with ``X-Govchat-Integration: name``,
``X-Govchat-Timestamp: unix seconds`` and ``X-Govchat-Signature: sha256=HEX`` where HEX is the
HMAC-SHA256 of ``timestamp + "." + body`` under SECRET (a signature older than five minutes is refused).

Its ``sender`` is trusted only as "this integration's user": messages arrive on the integration's own
channel, which no other integration and no built-in channel may use, so ids never collide across channels.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aiohttp import web

# Channels the product itself authenticates; an integration can never speak for them.
MATRIX = "matrix"
WEB = "web"  # the web chat page: a server-issued, signed session identity
WECHAT = "wechat"  # the official account: a citizen's OpenID, proved by WeChat's signature (citizens only)
WECOM = "wecom"  # the WeCom app: a civil servant's UserID, proved by WeCom's signature
RESERVED_CHANNELS = frozenset({MATRIX, WEB, WECHAT, WECOM, "rest", "console", "api", "*", ""})
AUTH_KINDS = ("bearer", "hmac")
FLAGS = ("staff", "ratings")
MIN_SECRET = 16
SIGNATURE_WINDOW_SECONDS = 300


class CredentialError(ValueError):
    """The integrations setting cannot be used (the message names the entry)."""


@dataclass(frozen=True)
class Integration:
    name: str
    channel: str
    auth: str  # "bearer" or "hmac"
    secret: str
    may_assert_staff: bool = False
    may_collect_ratings: bool = False

    def __repr__(self) -> str:  # never print the secret
        return f"Integration({self.name!r}, channel={self.channel!r}, auth={self.auth!r})"


def parse_integrations(spec: str) -> dict[str, Integration]:
    """'app=app:bearer:SECRET,ivr=phone:hmac:SECRET:ratings' → integrations by name."""
    out: dict[str, Integration] = {}
    channels: set[str] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, rest = part.partition("=")
        name = name.strip()
        fields = rest.split(":")
        if not name or len(fields) not in (3, 4):
            raise CredentialError(f"GOVCHAT_REST_INTEGRATIONS: cannot read entry {name or part[:20]!r}")
        channel, auth, secret = (f.strip() for f in fields[:3])
        flags = {f.strip() for f in fields[3].split("+")} - {""} if len(fields) == 4 else set()
        if not channel.replace("-", "").replace("_", "").isalnum() or len(channel) > 24:
            raise CredentialError(f"integration {name}: channel must be letters, digits, - or _ (≤ 24)")
        if channel in RESERVED_CHANNELS:
            raise CredentialError(f"integration {name}: channel {channel!r} is reserved")
        if channel in channels:
            raise CredentialError(f"integration {name}: channel {channel!r} belongs to another integration")
        if auth not in AUTH_KINDS:
            raise CredentialError(f"integration {name}: auth must be bearer or hmac")
        if len(secret) < MIN_SECRET:
            raise CredentialError(f"integration {name}: the secret must have at least {MIN_SECRET} characters")
        if unknown := flags - set(FLAGS):
            raise CredentialError(f"integration {name}: unknown right {sorted(unknown)[0]!r} (staff, ratings)")
        channels.add(channel)
        out[name] = Integration(name, channel, auth, secret, "staff" in flags, "ratings" in flags)
    return out


def sign_body(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def authenticate(
    integrations: dict[str, Integration], headers: Mapping[str, str], body: bytes, now_ts: float
) -> Integration | None:
    """The integration these headers prove, or None when they prove none (absent or wrong)."""
    auth = headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
        found = None
        for i in integrations.values():
            if i.auth == "bearer" and hmac.compare_digest(token.encode(), i.secret.encode()):
                found = i
        return found
    name = headers.get("X-Govchat-Integration", "")
    integration = integrations.get(name)
    if integration is None or integration.auth != "hmac":
        return None
    stamp, signature = headers.get("X-Govchat-Timestamp", ""), headers.get("X-Govchat-Signature", "")
    try:
        age = abs(now_ts - float(stamp))
    except ValueError:
        return None
    if not age <= SIGNATURE_WINDOW_SECONDS:
        return None
    expected = sign_body(integration.secret, stamp, body)
    return integration if hmac.compare_digest(signature.encode(), expected.encode()) else None


def presents_credential(headers: Mapping[str, str]) -> bool:
    return "Authorization" in headers or "X-Govchat-Integration" in headers


def staff_channels(integrations: Iterable[Integration]) -> frozenset[str]:
    """Channels on which a sender may be a person of the directory: those that authenticate the user."""
    return frozenset({MATRIX, WEB} | {i.channel for i in integrations if i.may_assert_staff})


# The integrations by name, on the aiohttp app (the REST channel and the ticket API's rating route read it).
INTEGRATIONS: web.AppKey[dict[str, Integration]] = web.AppKey("rest_integrations")
