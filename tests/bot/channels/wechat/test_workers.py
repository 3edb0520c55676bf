"""Two workers, one truth (issue 19, item 1): the WeChat channels' state is in the database, so a platform's retry
that reaches the other worker runs the bot no second time, a 退回 clicked on one worker takes its reason typed on
the other, and the platform's "wait until they write" holds for every worker. Two app instances (two runtimes,
as two ``govchat serve`` workers) on one database and one fake platform."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.channels.wechat.official import OfficialAccount
from bot.channels.wechat.passive import texts_of
from bot.channels.wechat.store import KEEP_CLAIMS, PURGE_EVERY, WAITING_RETRY
from bot.messages import Incoming, Reply
from kernel.clock import SHANGHAI, FakeClock
from kernel.outbox import notify_address
from tests.bot.channels.wechat.rig import Rig, card_for_lina, two_workers

START = datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)
CITIZEN = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def official(rig: Rig) -> OfficialAccount:
    assert rig.channels.official is not None
    return rig.channels.official


def counted(rig: Rig, gate: asyncio.Event | None = None) -> list[str]:
    """Count the bot runs of a worker's official-account channel (and hold them at ``gate`` when given)."""
    channel, calls = official(rig), []
    real = channel.process

    async def process(incoming: Incoming) -> list[Reply]:
        calls.append(incoming.text)
        if gate is not None:
            await gate.wait()
        return await real(incoming)

    channel.process = process
    return calls


async def test_a_retry_on_the_other_worker_runs_the_bot_once(tmp_path: Path, db_url: str, clock: FakeClock) -> None:
    async with two_workers(tmp_path, db_url, clock, {}, wechat_reply_seconds=0.5) as (one, two):
        one.fake.followers.add(CITIZEN)
        # Answered in time on worker 1, but the platform did not get it: its retry on worker 2 gets the same answer.
        calls1, calls2 = counted(one), counted(two)
        first = await one.official.say(CITIZEN, "帮助", msg_id=41)
        assert "办理" in first
        assert await two.official.say(CITIZEN, "帮助", msg_id=41) == first
        assert (calls1, calls2) == (["帮助"], [])

        # Too slow on worker 1 ("success"); the retry on worker 2 gets "success" too and runs nothing; the one
        # answer comes through the customer-service API.
        gate = asyncio.Event()
        calls1, calls2 = counted(one, gate), counted(two)
        assert await one.official.say(CITIZEN, "帮助", msg_id=42) == ""
        assert await two.official.say(CITIZEN, "帮助", msg_id=42) == ""
        assert await one.official.say(CITIZEN, "帮助", msg_id=42) == ""  # the third attempt, back on worker 1
        gate.set()
        await official(one).passive.drain()
        assert (calls1, calls2) == (["帮助"], [])
        assert await two.deliver() + await one.deliver() == 1
        assert len(one.fake.texts_to(CITIZEN)) == 1 and "办理" in one.fake.texts_to(CITIZEN)[0]
        assert one.fake.problems == []


async def test_an_answer_too_long_for_a_passive_reply_is_sent_once(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'l.db'}"
    async with two_workers(tmp_path, db_url, clock, {}) as (one, two):
        one.fake.followers.add(CITIZEN)
        long = (
            "您反映的问题已记录，处理进展将通过本公众号告知。" * 60
        )  # > 2000 bytes: several customer-service messages
        parts = len(texts_of([Reply(long)]))
        assert parts > 1

        async def verbose(incoming: Incoming) -> list[Reply]:
            return [Reply(long)]

        official(one).process = verbose
        calls2 = counted(two)
        for rig in (one, two, one):  # the first attempt, then the platform's retries on either worker
            assert await rig.official.say(CITIZEN, "我要反映问题", msg_id=51) == ""
        assert calls2 == []
        assert await one.deliver() + await two.deliver() == parts
        assert "".join(one.fake.texts_to(CITIZEN)) == long  # once


async def test_a_return_clicked_on_one_worker_takes_its_reason_on_the_other(
    tmp_path: Path, db_url: str, clock: FakeClock
) -> None:
    async with two_workers(tmp_path, db_url, clock, {}) as (one, two):
        card = await card_for_lina(one)
        assert await one.wecom.click("lina", card, "退回") == (200, None)
        await one.deliver()
        assert "请直接回复退回 FW-2026-001 的理由" in one.fake.texts_to("lina")[-1]

        reason = {"MsgType": "text", "Content": "请补充值班表", "MsgId": 7001}
        status, reply = await two.wecom.post("lina", reason)
        assert status == 200 and reply is not None
        assert reply["Content"] == "已将 FW-2026-001 退回拟稿人张伟修改，理由：请补充值班表。"
        status, again = await one.wecom.post("lina", reason)  # the platform's retry, on worker 1: the same answer
        assert again is not None and again["Content"] == reply["Content"]
        assert "FW-2026-001" not in await one.wecom.say("lina", "/待办")  # returned once, the wait is over
        assert one.fake.problems == []


async def test_a_reason_waits_ten_minutes_on_any_worker(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    async with two_workers(tmp_path, db_url, clock, {}) as (one, two):
        card = await card_for_lina(one)
        await one.wecom.click("lina", card, "退回")
        clock.advance(timedelta(minutes=11))
        answer = await two.wecom.say("lina", "请补充值班表")  # too late: an ordinary message, nothing returned
        assert "退回拟稿人" not in answer
        assert "FW-2026-001" in await two.wecom.say("lina", "/待办")


async def test_the_wait_for_a_citizen_holds_on_every_worker(tmp_path: Path, db_url: str, clock: FakeClock) -> None:
    async with two_workers(tmp_path, db_url, clock, {}) as (one, two):
        fake = one.fake
        fake.followers.add(CITIZEN)
        fake.outside_window.add(CITIZEN)  # 48 hours without a message from them
        async with one.rt.db.session() as s:
            await notify_address(s, "wechat", CITIZEN, "请对办理结果评价", kind="ticket_answered", now=clock.now())
        assert await one.deliver() == 0
        tried = fake.calls.count("custom/send")
        assert await two.deliver() == 0 and await one.deliver() == 0
        assert fake.calls.count("custom/send") == tried  # neither worker tries again while they are silent
        assert await official(two).state.waiting_now() == [CITIZEN]

        fake.outside_window.clear()
        await two.official.say(CITIZEN, "你好")  # they write, to worker 2 ...
        assert await one.deliver() == 1  # ... and worker 1 sends at once
        assert fake.texts_to(CITIZEN)[-1] == "请对办理结果评价"

        # A refused address is tried once more after a day (then waits again).
        fake.outside_window.add(CITIZEN)
        async with one.rt.db.session() as s:
            await notify_address(s, "wechat", CITIZEN, "您的工单已办结", kind="ticket_answered", now=clock.now())
        assert await two.deliver() == 0
        tried = fake.calls.count("custom/send")
        clock.advance(WAITING_RETRY - timedelta(minutes=1))
        assert await one.deliver() == 0 and fake.calls.count("custom/send") == tried
        clock.advance(timedelta(minutes=2))
        assert await one.deliver() == 0 and fake.calls.count("custom/send") == tried + 1
        assert await two.deliver() == 0 and fake.calls.count("custom/send") == tried + 1
        assert fake.problems == []


async def test_claims_are_forgotten_after_an_hour(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    async with two_workers(tmp_path, db_url, clock, {}) as (one, two):
        a, b = official(one).state, official(two).state
        assert await a.take("m-1") and not await b.take("m-1") and not await a.take("m-1")
        clock.advance(KEEP_CLAIMS - timedelta(seconds=1))
        assert not await b.take("m-1")  # still remembered
        clock.advance(PURGE_EVERY)
        assert await b.take("m-2")  # purges on the way: rows older than KEEP_CLAIMS are gone
        assert await b.take("m-1")
