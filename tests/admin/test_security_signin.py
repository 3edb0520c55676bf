"""Sign-ins (issue 15, item 5): argon2 off the event loop in a bounded pool; limits in the database that
parallel requests and several workers cannot bypass; the client address only from a trusted proxy."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from admin import accounts
from govchat.app import create_app
from govchat.runtime import Runtime, build_runtime
from kernel.config import Settings
from tests.support.admin_rig import PASSWORD, login, seed


@pytest.fixture
async def rt(settings: Settings, clock: Any) -> AsyncIterator[Runtime]:
    runtime = await build_runtime(settings, clock=clock, load_model=False)
    await seed(runtime)
    yield runtime
    await runtime.close()


async def _client(rt: Runtime, **changes: Any) -> TestClient[Any, Any]:
    if changes:
        rt.settings = replace(rt.settings, **changes)
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(rt, background=False)))
    await client.start_server()
    return client


async def _try(client: TestClient[Any, Any], password: str, user: str = "editor", **headers: str) -> int:
    resp = await client.post("/admin/login", data={"username": user, "password": password}, headers=headers)
    return resp.status


async def test_parallel_guesses_cannot_bypass_the_limit(rt: Runtime) -> None:
    client = await _client(rt)
    try:
        statuses = await asyncio.gather(*[_try(client, f"guess-{i}") for i in range(40)])
        assert statuses.count(401) <= 5 and statuses.count(429) >= 35
        assert await _try(client, PASSWORD) == 429
    finally:
        await client.close()


async def test_a_refused_flood_costs_no_write_per_guess(rt: Runtime) -> None:
    """Once this worker has seen a limit exceeded, further guesses are refused from memory until it may lift:
    a flood does not queue one database write per guess in front of the chat's (bench/signin_flood_bench.py)."""
    from sqlalchemy import func, select

    from admin.login_throttle import LoginAttempt

    client = await _client(rt)
    try:
        statuses = [await _try(client, f"guess-{i}") for i in range(7)]
        assert statuses == [401] * 5 + [429] * 2
        async with rt.db.session() as s:
            written = await s.scalar(select(func.count()).select_from(LoginAttempt))
        assert await asyncio.gather(*[_try(client, f"more-{i}") for i in range(20)]) == [429] * 20
        assert await _try(client, PASSWORD) == 429  # the right password waits too
        async with rt.db.session() as s:
            assert await s.scalar(select(func.count()).select_from(LoginAttempt)) == written
    finally:
        await client.close()


async def test_the_limit_is_shared_by_workers(rt: Runtime, settings: Settings, clock: Any) -> None:
    other = await build_runtime(settings, clock=clock, load_model=False)  # a second worker, same database
    a, b = await _client(rt), await _client(other)
    try:
        statuses = [await _try(a if i % 2 else b, f"guess-{i}") for i in range(10)]
        assert statuses.count(401) == 5 and statuses[5:] == [429] * 5
    finally:
        await a.close()
        await b.close()
        await other.close()


async def test_the_account_limit_holds_across_addresses(rt: Runtime) -> None:
    client = await _client(rt, trusted_proxies="127.0.0.1")
    try:
        statuses = [await _try(client, "guess", **{"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(25)]
        assert statuses.count(401) == 20 and statuses[20:] == [429] * 5
    finally:
        await client.close()


async def test_forwarded_address_is_believed_only_from_a_trusted_proxy(rt: Runtime) -> None:
    client = await _client(rt)  # no trusted proxy: X-Forwarded-For is anyone's to write
    try:
        statuses = [await _try(client, "guess", **{"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(6)]
        assert statuses[-1] == 429  # a made-up address per try does not reset the count
    finally:
        await client.close()
    client = await _client(rt, trusted_proxies="127.0.0.1")
    try:
        other = {"X-Forwarded-For": "192.0.2.50"}  # another client behind the proxy is not locked out
        assert await _try(client, PASSWORD, **other) in (200, 302)
    finally:
        await client.close()


async def test_argon2_runs_off_the_event_loop_a_bounded_number_at_a_time(rt: Runtime, monkeypatch) -> None:
    seen: list[bool] = []
    niceness: list[int] = []
    running, peak = [0], [0]
    lock = threading.Lock()
    real = accounts._hasher

    class Recording:
        def __getattr__(self, name: str) -> Any:
            attr = getattr(real, name)
            if name not in ("hash", "verify"):
                return attr

            def wrapped(*args: Any) -> Any:
                seen.append(threading.current_thread() is threading.main_thread())
                niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
                with lock:
                    running[0] += 1
                    peak[0] = max(peak[0], running[0])
                try:
                    threading.Event().wait(0.02)
                    return attr(*args)
                finally:
                    with lock:
                        running[0] -= 1

            return wrapped

    monkeypatch.setattr(accounts, "_hasher", Recording())
    client = await _client(rt)
    try:
        users = ["editor", "dispatcher", "operator", "supervisor", "admin", "nobody"]
        await asyncio.gather(*[_try(client, "wrong-password", user=u) for u in users])
    finally:
        await client.close()
    assert seen and not any(seen)  # never on the event loop's thread
    assert peak[0] <= accounts.HASHING_SLOTS
    # and below the event loop's CPU priority, so that a flood of guesses cannot starve the chat
    assert niceness and min(niceness) > os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


async def test_password_reset_ends_the_accounts_sessions(rt: Runtime) -> None:
    client = await _client(rt)
    try:
        await login(client, "editor")
        assert (await client.get("/admin/kb", allow_redirects=False)).status == 200
        async with rt.db.session() as s:
            await accounts.reset_password(s, "editor", now=rt.clock.now(), password="a-new-password-1")
        assert (await client.get("/admin/kb", allow_redirects=False)).status == 302  # back to the sign-in
    finally:
        await client.close()
