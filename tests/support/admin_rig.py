"""Shared setup of the console tests: an app with a small KB, accounts per role, a sign-in helper."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from admin.accounts import create_account, parse_roles
from govchat.runtime import Runtime
from kernel.identity import Actor, Role
from knowledge_base import store
from office_flows.directory.demo import load_demo_directory

PASSWORD = "correct-horse-42"
FAQS = [
    {
        "question": "居住证怎么办理",
        "similar_questions": ["办居住证要什么材料"],
        "answer": "请带身份证到政务服务中心办理。",
    },
    {
        "question": "营业执照在哪里办",
        "similar_questions": ["个体户执照去哪办"],
        "answer": "请到区市场监督管理局窗口办理。",
    },
]


async def seed(rt: Runtime) -> dict[str, int]:
    """Two published FAQs and one console account per role (username = role name)."""
    ids = {}
    now = rt.clock.now()
    async with rt.db.session() as s:
        for data in FAQS:
            e = await store.create_entry(s, "faq", data, actor="t", now=now)
            await store.publish_now(s, "faq", e, actor="t", now=now, comment="")
            ids[str(data["question"])] = e.id
        for role in ["editor", "dispatcher", "operator", "supervisor", "department_head", "admin"]:
            await create_account(s, role, parse_roles(role), now=now, password=PASSWORD)
    await rt.index.sync()
    return ids


async def login(client: TestClient[Any, Any], username: str, password: str = PASSWORD) -> str:
    """Sign in; returns the session's CSRF token (from the page's meta tag)."""
    client.session.cookie_jar.clear()
    resp = await client.post("/admin/login", data={"username": username, "password": password, "next": "/admin/"})
    assert resp.status == 200, await resp.text()
    html = await resp.text()
    m = re.search(r'name="csrf-token" content="([^"]*)"', html)
    assert m and m.group(1), "signed in page carries a CSRF token"
    return m.group(1)


async def seed_rated_tickets(rt: Runtime) -> dict[str, list[str]]:
    """Tickets taken through the real service (demo directory): created, dispatched to 城管局, signed,
    answered and rated by their citizens now. Returns the codes by outcome ("bad" = rated 不满意)."""
    async with rt.db.session() as s:
        await load_demo_directory(s)
    identity = rt.bot.services.identity
    dispatcher = await identity.whois("web", "demo-zhongli")
    worker = await identity.whois("web", "demo-zhuli")
    codes: dict[str, list[str]] = {"good": [], "bad": []}
    for i, (level, outcome) in enumerate([(4, "good"), (5, "good"), (2, "bad")]):
        citizen = f"rater-{i}"
        created = await rt.tickets.create(
            kind="投诉",
            content=f"梅江区东路{i}号夜间施工噪音扰民",
            channel="rest",
            sender=citizen,
            address=f"梅江区东路{i}号",
            phone=f"1391234567{i}",
        )
        await rt.tickets.dispatch(created.code, dispatcher, "MJ-CGJ")
        await rt.tickets.sign(created.code, worker)
        await rt.tickets.reply(created.code, worker, "已责令施工单位停止夜间施工")
        citizen_actor = Actor("rest", citizen, frozenset({Role.CITIZEN}))
        await rt.tickets.rate(created.code, citizen_actor, level, "")
        codes[outcome].append(created.code)
    return codes
