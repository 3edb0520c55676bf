"""Demo is a mode: the chat page's demo sign-in exists only in demo mode, only for loopback clients."""

from __future__ import annotations

from office_flows.directory.demo import load_demo_directory
from tests.bot.channels.rest_rig import runtime_of, say, served, text_of


async def _demo_people(client) -> None:  # type: ignore[no-untyped-def]
    async with runtime_of(client).db.session() as s:
        await load_demo_directory(s)


async def test_demo_page_is_marked_and_the_sign_in_speaks_as_the_person(settings, clock):
    async with served(settings, clock) as client:
        await _demo_people(client)
        conf = await (await client.get("/chat/config")).json()
        assert conf["demo"] is True and "演示模式" in conf["banner"]
        assert {"code": "MJ010", "name": "钟丽"}.items() <= next(
            p for p in conf["people"] if p["code"] == "MJ010"
        ).items()
        assert "演示模式" in await (await client.get("/")).text()
        _, replies = await say(client, {"message": "/工单队列"})
        assert "需要工作人员身份" in text_of(replies)
        resp = await client.post("/chat/demo-signin", json={"code": "MJ010"})
        assert resp.status == 200 and (await resp.json())["signed_in"]["name"] == "钟丽"
        _, replies = await say(client, {"message": "/工单队列"})
        assert "目前没有待派单的工单" in text_of(replies)
        assert (await (await client.get("/chat/config")).json())["signed_in"]["code"] == "MJ010"
        await client.post("/chat/demo-signin", json={})  # back to an anonymous citizen
        _, replies = await say(client, {"message": "/工单队列"})
        assert "需要工作人员身份" in text_of(replies)


async def test_demo_sign_in_refuses_other_sites_and_unknown_people(settings, clock):
    async with served(settings, clock) as client:
        await _demo_people(client)
        resp = await client.post(
            "/chat/demo-signin", json={"code": "MJ010"}, headers={"Origin": "https://evil.example"}
        )
        assert resp.status == 403
        assert (await client.post("/chat/demo-signin", json={"code": "NOPE"})).status == 404


async def test_demo_sign_in_is_for_loopback_clients_only(settings, clock):
    async with served(settings, clock, trusted_proxies="127.0.0.1") as client:
        await _demo_people(client)
        remote = {"X-Forwarded-For": "203.0.113.7"}
        resp = await client.post("/chat/demo-signin", json={"code": "MJ010"}, headers=remote)
        assert resp.status == 404
        conf = await (await client.get("/chat/config", headers=remote)).json()
        assert conf["demo"] is True and "people" not in conf


async def test_production_has_no_demo_sign_in_and_no_mark(settings, clock):
    async with served(settings, clock, mode="production") as client:
        await _demo_people(client)  # even a database that still has demo people
        conf = await (await client.get("/chat/config")).json()
        assert conf == {"demo": False}
        assert (await client.post("/chat/demo-signin", json={"code": "MJ010"})).status == 404
        # an identity a demo sign-in issued is worthless in production: the web chat has no staff there
        _, replies = await say(client, {"message": "/工单队列"})
        assert "需要工作人员身份" in text_of(replies)
