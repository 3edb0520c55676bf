"""The outbox is read only by an authenticated channel for its own users, at least once with acknowledgement
(issue 15, item 3). The probe took 李娜's notifications with ``GET /webhooks/rest/outbox?sender=demo-lina``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.channels.matrix.channel import MatrixChannel, MatrixConfig
from kernel.outbox import OutboxMessage, notify_address
from office_flows.directory.demo import load_demo_directory
from office_flows.directory.notify import notify_person
from office_flows.directory.store import person_by
from tests.bot.channels.rest_rig import APP_TOKEN, OA_TOKEN, runtime_of, served
from tests.support.matrix_double import FakeNioClient

APP = {"Authorization": f"Bearer {APP_TOKEN}"}
OA = {"Authorization": f"Bearer {OA_TOKEN}"}


async def _texts(resp) -> list[str]:  # type: ignore[no-untyped-def]
    assert resp.status == 200, await resp.text()
    return [m["text"] for m in await resp.json()]


async def test_nobody_reads_a_staff_members_notifications_by_naming_her(settings, clock):
    async with served(settings, clock) as client:
        rt = runtime_of(client)
        async with rt.db.session() as s:
            await load_demo_directory(s)
            lina = await person_by(s, code="MJ002")
            assert lina is not None
            await notify_person(s, lina.id, "会议邀请：内部讨论 机密议题", kind="invitation", now=clock.now())
        for query in ({"sender": "demo-lina"}, {}):
            assert await _texts(await client.get("/webhooks/rest/outbox", params=query)) == []
            assert await _texts(await client.get("/webhooks/rest/outbox", params=query, headers=APP)) == []
        async with rt.db.session() as s:
            row = await s.scalar(select(OutboxMessage))
            assert row is not None and row.delivered_at is None and row.leased_until is None  # untouched


async def test_an_integration_reads_its_own_channel_and_acknowledges(settings, clock):
    async with served(settings, clock) as client:
        rt = runtime_of(client)
        async with rt.db.session() as s:
            await notify_address(s, "app", "u1", "给 app 的 u1", kind="t", now=clock.now())
            await notify_address(s, "app", "u2", "给 app 的 u2", kind="t", now=clock.now())
            await notify_address(s, "oa", "u1", "给 oa 的 u1", kind="t", now=clock.now())
            await notify_address(s, "web", "u1", "给网页的 u1", kind="t", now=clock.now())
        assert await _texts(await client.get("/webhooks/rest/outbox", params={"sender": "u1"}, headers=APP)) == [
            "给 app 的 u1"
        ]
        rows = await (await client.get("/webhooks/rest/outbox", headers=APP)).json()
        assert [m["text"] for m in rows] == ["给 app 的 u2"]  # u1's is leased, not yet acknowledged
        # another integration cannot acknowledge (and so hide) app's messages
        other = await client.post("/webhooks/rest/outbox/ack", json={"ids": [rows[0]["id"]]}, headers=OA)
        assert (await other.json())["acknowledged"] == 0
        assert (
            await (await client.post("/webhooks/rest/outbox/ack", json={"ids": [rows[0]["id"]]}, headers=APP)).json()
        )["acknowledged"] == 1
        # u1's message was never acknowledged (the client dropped the connection): it comes back
        clock.advance(timedelta(minutes=2))
        assert await _texts(await client.get("/webhooks/rest/outbox", headers=APP)) == ["给 app 的 u1"]
        assert await _texts(await client.get("/webhooks/rest/outbox", headers=OA)) == ["给 oa 的 u1"]


async def test_ack_input_is_checked(settings, clock):
    async with served(settings, clock) as client:
        for body in ({}, {"ids": "1"}, {"ids": [-1]}, {"ids": [True]}, {"ids": [1.5]}, {"ids": list(range(1, 600))}):
            resp = await client.post("/webhooks/rest/outbox/ack", json=body, headers=APP)
            assert resp.status == 400, body
        resp = await client.get("/webhooks/rest/outbox", headers={"Authorization": "Bearer wrong"})
        assert resp.status == 401


async def test_matrix_sends_each_outbox_row_with_its_own_transaction_id(settings, clock):
    async with served(settings, clock) as client:
        rt = runtime_of(client)
        nio = FakeNioClient("@govchat:localhost")
        nio.add_room("!dm:localhost", "@alice:localhost")
        cfg = MatrixConfig(homeserver="http://hs", user_id="@govchat:localhost", password="pw", max_backoff=0.01)
        ch = MatrixChannel(nio, cfg, rt.db, rt.bot.process, rt.clock.now)
        await ch.login()
        async with rt.db.session() as s:
            await notify_address(s, "matrix", "!dm:localhost", "提醒", kind="t", now=clock.now())
        assert await ch.deliver_outbox() == 1
        async with rt.db.session() as s:
            row_id = await s.scalar(select(OutboxMessage.id))
        # a retried send of the same row reuses the id: the homeserver keeps one event
        assert nio.tx_ids == [f"govchat-outbox-{row_id}"]
