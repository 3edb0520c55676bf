"""A served app for the REST channel's authentication tests: demo or production, with integrations."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from govchat.app import create_app
from govchat.runtime import Runtime, build_runtime
from kernel.clock import Clock
from kernel.config import Settings

APP_TOKEN = "app-token-0123456789abcdef"
OA_TOKEN = "oa-token-0123456789abcdef"
IVR_SECRET = "ivr-secret-0123456789abcdef"
INTEGRATIONS = f"app=app:bearer:{APP_TOKEN},oa=oa:bearer:{OA_TOKEN}:staff,ivr=phone:hmac:{IVR_SECRET}:ratings"


@asynccontextmanager
async def served(settings: Settings, clock: Clock, **changes: Any) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(
        dataclasses.replace(settings, rest_integrations=INTEGRATIONS, **changes), clock=clock, load_model=False
    )
    async with TestClient(TestServer(create_app(runtime, background=False))) as client:
        yield client


def runtime_of(client: TestClient[Any, Any]) -> Runtime:
    from govchat.app import RUNTIME

    return client.server.app[RUNTIME]


def signed(secret: str, body: bytes, stamp: float, name: str = "ivr") -> dict[str, str]:
    ts = str(int(stamp))
    mac = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {
        "X-Govchat-Integration": name,
        "X-Govchat-Timestamp": ts,
        "X-Govchat-Signature": f"sha256={mac}",
        "Content-Type": "application/json",
    }


async def say(client: TestClient[Any, Any], body: dict[str, Any], **headers: str) -> tuple[int, Any]:
    resp = await client.post("/webhooks/rest/webhook", json=body, headers=headers)
    return resp.status, await resp.json()


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] for r in replies)
