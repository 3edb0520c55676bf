"""The official account channel through real HTTP: signed (and encrypted) callbacks as WeChat sends them, the
bot's passive replies, and later messages through the customer-service API of a local protocol-faithful
platform. A citizen files a ticket, hears the result later, and rates it."""

from __future__ import annotations

import asyncio
import functools
import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.wechat.api import Unreachable
from bot.channels.wechat.official import WELCOME
from bot.messages import Incoming, Reply
from kernel.clock import SHANGHAI, FakeClock
from kernel.outbox import OutboxMessage, notify_address
from office_flows.tickets.models import TicketRating
from tests.bot.channels.wechat.rig import Rig, served
from tests.support.dialogue import verify_dialog as _verify_dialog
from tests.support.nlu_double import nlu_result

verify_dialog = functools.partial(_verify_dialog, channel="web")  # the staff speak on the web chat
START = datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)
CITIZEN = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
RECORDED = {"我要投诉隔壁工地半夜施工，吵得睡不着": nlu_result("complain")}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


async def file_on_wechat(rig: Rig, openid: str = CITIZEN) -> str:
    """The intake dialogue, turn by turn, as passive replies on the official account."""
    say = functools.partial(rig.official.say, openid)
    first = await say("我要投诉隔壁工地半夜施工，吵得睡不着")
    assert "登记投诉工单" in first and "具体地点" in first  # two replies joined into one passive message
    assert "什么时候开始" in await say("梅江区江南路28号")
    assert "手机号码" in await say("上周开始，每晚十一点后")
    assert "请核对" in await say("13912345678")
    done = await say("确认")
    m = re.search(r"已为您登记工单 (GD\d{13})", done)
    assert m is not None, done
    return m.group(1)


async def test_citizen_files_hears_back_and_rates(tmp_path: Path, db_url: str, clock: FakeClock) -> None:
    async with served(tmp_path, db_url, clock, RECORDED) as rig:
        rig.fake.followers.add(CITIZEN)
        status, text = await rig.official.post(rig.official.event(CITIZEN, "subscribe"))
        assert status == 200 and f"<Content><![CDATA[{WELCOME.splitlines()[0]}" in text

        code = await file_on_wechat(rig)
        assert "13912345678" not in await rig.official.say(CITIZEN, f"/工单 {code}")  # the citizen's own ticket

        await verify_dialog(
            rig.rt,
            [
                ("demo-zhongli", f"/派单 {code} 梅江区城市管理和综合执法局", "已将工单"),
                ("demo-zhuli", f"/签收 {code}", "已签收"),
                ("demo-zhuli", f"/回复 {code} 已责令施工单位停止夜间施工并处罚款", "已回复"),
            ],
        )
        assert await rig.deliver() >= 1
        heard = "\n".join(rig.fake.texts_to(CITIZEN))
        assert code in heard and "已办结" in heard and "请对办理结果评价" in heard

        assert "已收到您的评价：满意" in await rig.official.say(CITIZEN, f"/评价 {code} 满意")
        async with rig.rt.db.session() as s:
            ratings = list(await s.scalars(select(TicketRating)))
        assert [(r.level, r.collected_via) for r in ratings if r.level is not None] == [(4, "chat:wechat")]
        assert rig.fake.problems == []
        assert rig.fake.calls.count("token") == 1  # one token served every customer-service message


async def test_plaintext_mode_and_refusals(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    async with served(tmp_path, db_url, clock, RECORDED, safe_mode=False) as rig:
        client, official = rig.client, rig.official
        # URL verification: echostr back only for our signature.
        resp = await client.get("/wechat/official", params={**official.query(), "echostr": "1616140317555161061"})
        assert resp.status == 200 and await resp.text() == "1616140317555161061"
        bad = {**official.query(), "signature": "0" * 40, "echostr": "x"}
        assert (await client.get("/wechat/official", params=bad)).status == 403
        old = official.query(stamp=str(int(clock.now().timestamp()) - 3600))  # a replayed, hour-old signature
        assert (await client.get("/wechat/official", params={**old, "echostr": "x"})).status == 403

        assert "办理" in await official.say(CITIZEN, "帮助")
        status, _ = await official.post(official.text(CITIZEN, "帮助"), signature="f" * 40)
        assert status == 403
        # XML with a DOCTYPE (entity expansion) is refused before anything is read.
        evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>'
        resp = await client.post("/wechat/official", params=official.query(), data=evil)
        assert resp.status == 400
        # A menu click says its key to the bot.
        status, text = await official.post(official.event(CITIZEN, "CLICK", "帮助"))
        assert status == 200 and "办理" in text
        # An image: the bot says it reads text only.
        status, text = await official.post(official.message(CITIZEN, {"MsgType": "image", "MsgId": 1}))
        assert "只能处理文字消息" in text


async def test_safe_mode_refuses_plaintext_and_forgeries(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
    async with served(tmp_path, db_url, clock, RECORDED) as rig:
        official = rig.official
        # Plaintext posts are refused when an EncodingAESKey is set (the body would be unsigned).
        resp = await rig.client.post(
            "/wechat/official", params=official.query(), data=b"<xml><FromUserName>x</FromUserName></xml>"
        )
        assert resp.status == 403
        status, _ = await official.post(official.text(CITIZEN, "帮助"), msg_signature="0" * 40)
        assert status == 403
        other_app = type(official)(rig.client, clock, "wx-other-app", aes_key=official.aes_key)
        status, _ = await other_app.post(other_app.text(CITIZEN, "帮助"))
        assert status == 403  # encrypted for another AppID


async def test_slow_answer_comes_later_and_retries_are_answered_once(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    async with served(tmp_path, db_url, clock, RECORDED, wechat_reply_seconds=0.5) as rig:
        rig.fake.followers.add(CITIZEN)
        channel = rig.channels.official
        assert channel is not None
        gate, calls = asyncio.Event(), []
        real = channel.process

        async def slow(incoming: Incoming) -> list[Reply]:
            calls.append(incoming.text)
            await gate.wait()
            return await real(incoming)

        channel.process = slow
        assert await rig.official.say(CITIZEN, "帮助", msg_id=42) == ""  # "success": too slow for a passive reply
        assert await rig.official.say(CITIZEN, "帮助", msg_id=42) == ""  # WeChat's retry: not processed again
        gate.set()
        await channel.passive.drain()
        assert calls == ["帮助"]
        assert await rig.deliver() == 1
        assert "办理" in rig.fake.texts_to(CITIZEN)[0]
        assert rig.fake.problems == []


async def test_platform_down_loses_nothing(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"
    async with served(tmp_path, db_url, clock, RECORDED) as rig:
        rig.fake.followers.add(CITIZEN)
        async with rig.rt.db.session() as s:
            for n in (1, 2):
                await notify_address(s, "wechat", CITIZEN, f"您的工单进展 {n}", kind="ticket_progress", now=clock.now())
        rig.fake.down = True
        with pytest.raises(Unreachable):
            await rig.deliver()
        async with rig.rt.db.session() as s:
            waiting = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))))
        assert [m.text for m in waiting] == ["您的工单进展 1", "您的工单进展 2"]

        rig.fake.down = False
        assert await rig.deliver() == 2
        assert rig.fake.texts_to(CITIZEN) == ["您的工单进展 1", "您的工单进展 2"]

        # An expired token: the platform says 42001, the product fetches a new one and sends once more.
        rig.fake.expire_tokens()
        async with rig.rt.db.session() as s:
            await notify_address(s, "wechat", CITIZEN, "您的工单进展 3", kind="ticket_progress", now=clock.now())
        assert await rig.deliver() == 1
        assert rig.fake.texts_to(CITIZEN)[-1] == "您的工单进展 3" and rig.fake.issued == 2

        # 48 hours without a message from the citizen: kept until they write again.
        rig.fake.outside_window.add(CITIZEN)
        async with rig.rt.db.session() as s:
            await notify_address(s, "wechat", CITIZEN, "请对办理结果评价", kind="ticket_answered", now=clock.now())
        assert await rig.deliver() == 0
        assert await rig.deliver() == 0  # not even tried again while they are silent
        assert rig.fake.calls.count("custom/send") == 5
        rig.fake.outside_window.clear()
        await rig.official.say(CITIZEN, "你好")
        assert await rig.deliver() == 1
        assert rig.fake.texts_to(CITIZEN)[-1] == "请对办理结果评价"
        assert rig.fake.problems == []


async def test_the_delivery_loop_retries_until_the_platform_is_back(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'l.db'}"
    async with served(tmp_path, db_url, clock, RECORDED) as rig:
        rig.fake.followers.add(CITIZEN)
        rig.fake.down = True
        delivery = rig.channels.deliveries[0]
        delivery.every, delivery.max_backoff = 0.01, 0.05
        loop = asyncio.create_task(delivery.run_forever())
        try:
            async with rig.rt.db.session() as s:
                await notify_address(s, "wechat", CITIZEN, "工单已办结", kind="ticket_answered", now=clock.now())
            for _ in range(500):
                if delivery.failures >= 3:
                    break
                await asyncio.sleep(0.01)
            assert delivery.failures >= 3 and rig.fake.texts_to(CITIZEN) == []
            rig.fake.down = False
            for _ in range(500):
                if rig.fake.texts_to(CITIZEN):
                    break
                await asyncio.sleep(0.01)
            assert rig.fake.texts_to(CITIZEN) == ["工单已办结"]
        finally:
            loop.cancel()
