"""The Matrix channel against the recording nio double: no homeserver needed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from nio import RoomSendError

from bot.channels.matrix.channel import ENCRYPTED, MatrixChannel, MatrixConfig
from bot.channels.matrix.render import addressed_text, text_to_html
from bot.channels.matrix.runner import MatrixLeader
from govchat.runtime import Runtime
from kernel.config import Settings
from kernel.identity import StaticRoles
from kernel.outbox import OutboxMessage, notify_address
from office_flows.directory.resolver import DirectoryIdentity
from tests.support.kb_rig import QUESTION, kb_runtime
from tests.support.matrix_double import FakeNioClient

BOT = "@govchat:localhost"
ALICE = "@alice:localhost"
DM = "!dm-alice:localhost"
CFG = MatrixConfig(homeserver="http://hs", user_id=BOT, password="pw", max_backoff=0.01)


@pytest.fixture
async def rt(sqlite_settings: Settings, clock) -> AsyncIterator[Runtime]:
    runtime = await kb_runtime(sqlite_settings, clock)
    runtime.bot.services.identity = DirectoryIdentity(runtime.db, StaticRoles("@op:localhost=operator"))
    yield runtime
    await runtime.close()


class Synced(MatrixChannel):
    """The channel with each sync waited out, so tests can look at what was sent."""

    async def sync_once(self) -> None:
        await super().sync_once()
        await self.drain()


async def channel(rt: Runtime, client: FakeNioClient, cfg: MatrixConfig = CFG) -> MatrixChannel:
    ch = Synced(client, cfg, rt.db, rt.bot.process, rt.clock.now)
    await ch.login()
    return ch


async def test_dm_question_answered_with_html_card_and_typing(rt):
    client = FakeNioClient(BOT)
    client.add_room(DM, ALICE)
    ch = await channel(rt, client, replace(CFG, typing_after=0))
    await ch.sync_once()  # first sync: position only
    client.feed_text(DM, ALICE, QUESTION)
    await ch.sync_once()
    ((room, content),) = client.sent
    assert room == DM and "【居住证办理】" in content["body"]
    assert content["format"] == "org.matrix.custom.html" and "<b>所需材料：</b>" in content["formatted_body"]
    assert client.typing == [(DM, True), (DM, False)]
    # The filter (no presence, typing, receipts, nor the bot's own echoes) was uploaded once, then named.
    ((definition),) = client.filters
    assert definition["room"]["timeline"] == {"not_senders": [BOT]} and client.sync_filter == "0"


async def test_first_sync_ignores_history_and_restart_neither_replays_nor_loses(rt):
    client = FakeNioClient(BOT)
    client.add_room(DM, ALICE)
    client.feed_text(DM, ALICE, "你好")  # before the bot ever ran
    ch = await channel(rt, client)
    await ch.sync_once()
    assert client.sent == []
    client.feed_text(DM, ALICE, "谢谢")
    await ch.sync_once()
    assert len(client.sent) == 1
    await ch.stop()
    client.feed_text(DM, ALICE, QUESTION)  # sent while the bot is down
    assert client.typing == []  # quick answers need no typing notice
    restarted = await channel(rt, client)
    assert restarted.next_batch == ch.next_batch and client.device_id == "DEV1"
    await restarted.sync_once()
    assert len(client.sent) == 2 and "【居住证办理】" in client.sent[1][1]["body"]
    await restarted.sync_once()
    assert len(client.sent) == 2


async def test_group_room_answers_only_when_addressed(rt):
    client = FakeNioClient(BOT)
    client.add_room("!g:localhost", ALICE, "@bob:localhost")
    ch = await channel(rt, client)
    await ch.sync_once()
    client.feed_text("!g:localhost", ALICE, "你好")
    client.feed_text("!g:localhost", ALICE, "!gc 你好")
    client.feed_text("!g:localhost", ALICE, "govchat: 谢谢")
    await ch.sync_once()
    assert len(client.replies_to("!g:localhost")) == 2


def test_addressing_and_escaping():
    assert addressed_text("!gc 你好", {}, BOT, "!gc") == "你好"
    assert addressed_text("@govchat:localhost 你好", {}, BOT, "!gc") == "你好"
    assert addressed_text("请问", {"m.mentions": {"user_ids": [BOT]}}, BOT, "!gc") == "请问"
    assert addressed_text("大家好", {}, BOT, "!gc") is None
    assert text_to_html("<script>\n1") == "&lt;script&gt;<br>1"


async def test_invites_only_from_allowed_inviters(rt):
    client = FakeNioClient(BOT)
    ch = await channel(rt, client)
    client.invite("!ok:localhost", ALICE)
    client.invite("!no:evil.example", "@mallory:evil.example")
    await ch.sync_once()
    assert client.joined == ["!ok:localhost"] and client.left == ["!no:evil.example"]
    assert MatrixConfig("h", BOT, allowed_inviters="@x:other").may_invite("@x:other")


async def test_rate_limit_waits_and_encrypted_room_gets_plain_notice(rt):
    client = FakeNioClient(BOT)
    client.add_room(DM, ALICE)
    ch = await channel(rt, client)
    await ch.sync_once()
    client.send_errors = [RoomSendError("slow down", "M_LIMIT_EXCEEDED", retry_after_ms=5)]
    client.feed_encrypted(DM, ALICE)
    client.feed_encrypted(DM, ALICE)
    await ch.sync_once()
    assert [c for _, c in client.sent] == [{"msgtype": "m.notice", "body": ENCRYPTED}]


async def test_sync_errors_back_off_then_recover(rt):
    client = FakeNioClient(BOT)
    client.add_room(DM, ALICE)
    client.sync_errors = 2
    ch = await channel(rt, client)
    await ch.start()
    await ch.ready.wait()
    client.feed_text(DM, ALICE, "你好")
    for _ in range(200):
        if client.sent:
            break
        await asyncio.sleep(0.01)
    await ch.stop()
    assert len(client.sent) == 1


async def test_outbox_rows_delivered_to_a_remembered_dm(rt):
    client = FakeNioClient(BOT)
    ch = await channel(rt, client)
    async with rt.db.session() as s:
        await notify_address(s, "matrix", ALICE, "您的工单已受理", kind="t", now=rt.clock.now())
        await notify_address(s, "*", ALICE, "第二条", kind="t", now=rt.clock.now())
        await notify_address(s, "*", "demo-zhangwei", "不是 Matrix 地址", kind="t", now=rt.clock.now())
    assert await ch.deliver_outbox() == 2
    async with rt.db.session() as s:
        await notify_address(s, "matrix", ALICE, "第三条", kind="t", now=rt.clock.now())
    assert await ch.deliver_outbox() == 1
    assert client.created == ["!dm1:localhost"]
    assert client.replies_to("!dm1:localhost") == ["您的工单已受理", "第二条", "第三条"]
    async with rt.db.session() as s:
        left = await s.get(OutboxMessage, 3)
        assert left is not None and left.delivered_at is None


async def test_failed_delivery_is_retried(rt):
    client = FakeNioClient(BOT)
    client.add_room(DM, ALICE)
    ch = await channel(rt, client)
    async with rt.db.session() as s:
        await notify_address(s, "matrix", DM, "提醒", kind="t", now=rt.clock.now())
    client.send_errors = [RoomSendError("forbidden", "M_FORBIDDEN")]
    assert await ch.deliver_outbox() == 0
    assert await ch.deliver_outbox() == 1
    assert client.replies_to(DM) == ["提醒"]


async def test_notifications_reuse_the_dm_the_user_already_talks_in(rt):
    client = FakeNioClient(BOT)
    client.add_room(DM, ALICE)
    ch = await channel(rt, client)
    await ch.sync_once()
    client.feed_text(DM, ALICE, "你好")
    await ch.sync_once()
    async with rt.db.session() as s:
        await notify_address(s, "matrix", ALICE, "通知", kind="t", now=rt.clock.now())
    assert await ch.deliver_outbox() == 1
    assert client.created == [] and client.replies_to(DM)[-1] == "通知"


async def test_the_chat_the_person_uses_wins_over_a_room_the_bot_opened(rt):
    """A notification before the person ever wrote opens a DM; once they write in their own chat with the
    bot, later notifications go there (one conversation per person), and the bot opens no more rooms."""
    client = FakeNioClient(BOT)
    ch = await channel(rt, client)
    async with rt.db.session() as s:
        await notify_address(s, "matrix", ALICE, "新工单", kind="t", now=rt.clock.now())
    assert await ch.deliver_outbox() == 1
    assert client.created == ["!dm1:localhost"]
    await ch.sync_once()  # the first sync only skips history
    client.add_room(DM, ALICE)  # the chat Alice opened with the bot herself
    client.feed_text(DM, ALICE, "你好")
    await ch.sync_once()
    async with rt.db.session() as s:
        await notify_address(s, "matrix", ALICE, "待办提醒", kind="t", now=rt.clock.now())
    assert await ch.deliver_outbox() == 1
    assert client.created == ["!dm1:localhost"]
    assert client.replies_to(DM)[-1] == "待办提醒"
    assert client.replies_to("!dm1:localhost") == ["新工单"]


async def test_a_direct_invite_is_remembered_for_notifications(rt):
    client = FakeNioClient(BOT)
    ch = await channel(rt, client)
    client.invites.append((DM, ALICE))
    client.direct_invites = True
    await ch.sync_once()
    assert await ch.store.dm_room(ALICE) == DM


async def test_a_room_the_person_left_is_replaced(rt):
    client = FakeNioClient(BOT)
    client.add_room(DM, ALICE)
    ch = await channel(rt, client)
    await ch.sync_once()  # the first sync only skips history
    client.feed_text(DM, ALICE, "你好")
    await ch.sync_once()
    client.rooms[DM].remove_member(ALICE)  # Alice left the chat
    async with rt.db.session() as s:
        await notify_address(s, "matrix", ALICE, "会议提醒", kind="t", now=rt.clock.now())
    assert await ch.deliver_outbox() == 1
    assert client.created == ["!dm1:localhost"]
    assert client.replies_to("!dm1:localhost") == ["会议提醒"]


async def test_a_restarted_channel_reports_ready(rt):
    client = FakeNioClient(BOT)
    ch = await channel(rt, client)
    await ch.sync_once()
    restarted = await channel(rt, client)
    await restarted.start()
    await asyncio.wait_for(restarted.ready.wait(), 5)
    await restarted.stop()


async def test_a_worker_resuming_a_dead_workers_batch_answers_each_message_once(rt):
    """The leader died in the middle of a batch (its token not stored): one message answered and sent, one
    answered but perhaps not sent, one taken up but not answered. The next leader syncs the batch again."""
    client = FakeNioClient(BOT)
    client.add_room(DM, ALICE)
    ch = await channel(rt, client)
    await ch.sync_once()  # position only
    for text in ("第一句", "第二句", QUESTION):
        client.feed_text(DM, ALICE, text)  # events $e1, $e2, $e3
    store, now = ch.store, rt.clock.now()
    await store.take_event("$e1", DM, "dead", now)
    await store.event_sent("$e1")
    await store.take_event("$e2", DM, "dead", now)
    await store.event_replied("$e2", [{"msgtype": "m.text", "body": "已存的回答"}])
    await store.take_event("$e3", DM, "dead", now)

    successor = Synced(client, CFG, rt.db, rt.bot.process, rt.clock.now, worker="next")
    await successor.login()
    await successor.sync_once()
    bodies = [c["body"] for _, c in client.sent]
    assert bodies[0] == "已存的回答"  # the stored answer, not a new one
    assert "【居住证办理】" in client.sent[1][1]["body"] and len(client.sent) == 2  # $e3 answered anew, $e1 skipped
    assert client.tx_ids == ["govchat-$e2-0", "govchat-$e3-0"]  # the homeserver keeps one event per id
    for event_id in ("$e1", "$e2", "$e3"):
        assert (await store.take_event(event_id, DM, "later", now)).state == "sent"
    await successor.sync_once()
    assert len(client.sent) == 2


async def test_a_worker_that_lost_the_lease_neither_answers_nor_stores_its_position(rt):
    client = FakeNioClient(BOT)
    client.add_room(DM, ALICE)

    async def fence(_session: object) -> bool:
        return False

    ch = Synced(client, CFG, rt.db, rt.bot.process, rt.clock.now, fence=fence)
    await ch.login()
    await ch.sync_once()
    client.feed_text(DM, ALICE, QUESTION)
    await ch.sync_once()
    assert await ch.store.get("next_batch") is None
    assert client.sent == []  # nor does it answer: the message is the new leader's


async def wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_one_leader_syncs_and_a_frozen_one_steps_down_when_the_other_took_over(rt, clock):
    def make(_cfg: MatrixConfig) -> Any:
        return FakeNioClient(BOT)

    a = MatrixLeader(CFG, rt.db, rt.bot, clock, "worker-a", 0.3, make_client=make)
    b = MatrixLeader(CFG, rt.db, rt.bot, clock, "worker-b", 0.3, make_client=make)
    await a.start()
    await wait_until(lambda: a.leading)
    await b.start()
    await asyncio.sleep(0.5)  # several looks: the lease is a's
    assert not b.leading and a.terms == 1
    assert a._task is not None
    a._task.cancel()  # a freezes: it neither renews nor notices anything
    clock.advance(timedelta(seconds=1))  # ... until its lease has run out
    await wait_until(lambda: b.leading)
    assert a.leading  # still believes it leads, but the token is fenced off from it ...
    await a.start()  # ... and on its next look it learns it lost the lease and stops syncing
    await wait_until(lambda: not a.leading)
    assert b.leading and b.terms == 1
    await a.stop()
    await b.stop()
