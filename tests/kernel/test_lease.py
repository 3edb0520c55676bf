"""The leader lease: one holder at a time, renewed by its holder, taken over once expired (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from kernel.clock import FakeClock
from kernel.lease import LeaderLease, current


async def test_one_holder_renewal_takeover_after_expiry_and_release(database, clock: FakeClock):
    a = LeaderLease(database, clock, "matrix:@bot:localhost", "worker-a", ttl_seconds=9)
    b = LeaderLease(database, clock, "matrix:@bot:localhost", "worker-b", ttl_seconds=9)
    assert a.renew_seconds == 3
    assert await a.try_hold()
    assert not await b.try_hold()  # held and not expired
    clock.advance(timedelta(seconds=8))
    assert await a.try_hold()  # the holder renews: good for 9 s from now
    started = clock.now()
    clock.advance(timedelta(seconds=8))
    assert not await b.try_hold()
    async with database.session() as s:
        assert await a.fence(s) and not await b.fence(s)
        state = await current(s, a.name)
    assert state is not None and state.holder == "worker-a"
    assert state.acquired_at < started  # renewing keeps the term's start

    clock.advance(timedelta(seconds=2))  # a died: its lease ran out
    assert await b.try_hold()
    assert not await a.try_hold()  # the old holder cannot come back while b renews
    async with database.session() as s:
        assert not await a.fence(s)  # a zombie's writes are fenced off
        state = await current(s, a.name)
    assert state is not None and state.holder == "worker-b" and state.acquired_at == clock.now()

    await b.release()  # a clean shutdown hands over at once
    assert await a.try_hold()


async def test_other_leases_are_independent(database, clock: FakeClock):
    one = LeaderLease(database, clock, "matrix:@one:localhost", "w", ttl_seconds=5)
    two = LeaderLease(database, clock, "matrix:@two:localhost", "v", ttl_seconds=5)
    assert await one.try_hold() and await two.try_hold()
