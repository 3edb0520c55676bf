"""No request without a credential acts as staff or as another citizen (issue 15, items 1 and 9).

Every staff and citizen chat command is sent through the REST webhook by callers who must be refused: an
anonymous web visitor claiming each demo person's sender, another citizen's session, and an integration
without the right to assert staff. Afterwards nothing has changed: the ticket and the document are where they
were, no rating exists, and no reply carried the ticket's content.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from office_flows.directory.demo import load_demo_directory
from office_flows.documents.chains import load_demo_chains
from office_flows.documents.models import DocEvent, Document
from office_flows.tickets.models import Ticket, TicketEvent, TicketRating
from tests.bot.channels.rest_rig import APP_TOKEN, runtime_of, served

CONTENT = "隔壁工地半夜施工，吵得睡不着"
STEPS = [f"/投诉 {CONTENT}", "梅江区江南路28号", "上周开始，每晚十一点后", "13912345678", "确认"]
CLAIMS = [
    "demo-zhongli",
    "demo-zhuli",
    "demo-hejianxin",
    "demo-laijianguo",
    "demo-wangqiang",
    "demo-lina",
    "demo-admin",
]


def commands(code: str, doc: str) -> list[str]:
    t = [
        f"/派单 {code} 梅江区城市管理和综合执法局",
        f"/签收 {code}",
        f"/退单 {code} 1 不归我们管",
        f"/回复 {code} 已处理完毕",
        f"/延期 {code} 5 需要协调",
        f"/催办 {code} 快点",
        f"/合并 {code} GD2026111800002",
        f"/批准延期 {code}",
        f"/驳回延期 {code} 不同意",
        f"/重办 {code} 重新办",
        f"/回访 {code} 已回访",
        f"/整改完成 {code} 已整改",
        f"/归档 {code}",
        f"/评价 {code} 非常满意",
        f"/工单记录 {code}",
        f"/工单 {code}",
        f"/工单 {code} 13912345678",
        "/工单队列",
        "/统计 2026-11",
    ]
    d = [
        f"/同意 {doc} 同意",
        f"/退回 {doc} 重写",
        f"/转交 {doc} 李娜",
        f"/加签 {doc} 李娜",
        f"/公文 {doc}",
        f"/重新提交 {doc} 新正文",
        f"/验章 {doc}",
        "/待办",
        "/发文 假通知 假正文",
        "/发通知 全体 假通知",
    ]
    return t + d


async def _post(client: TestClient[Any, Any], body: dict[str, Any], **headers: str) -> str:
    resp = await client.post("/webhooks/rest/webhook", json=body, headers=headers)
    assert resp.status == 200, await resp.text()
    return "\n".join(m["text"] for m in await resp.json())


async def _state(rt: Any) -> tuple[Any, ...]:
    async with rt.db.session() as s:
        return (
            tuple(await s.scalars(select(Ticket.status).order_by(Ticket.id))),
            await s.scalar(select(func.count()).select_from(TicketEvent)),
            await s.scalar(select(func.count()).select_from(TicketRating)),
            tuple(await s.scalars(select(Document.status).order_by(Document.id))),
            await s.scalar(select(func.count()).select_from(DocEvent)),
        )


async def test_unauthenticated_callers_change_nothing_and_see_nothing(settings, clock):
    async with served(settings, clock) as owner:
        rt = runtime_of(owner)
        async with rt.db.session() as s:
            await load_demo_directory(s)
        async with rt.db.session() as s:
            await load_demo_chains(s, clock.now())
        answer = ""
        for text in STEPS:
            answer = await _post(owner, {"message": text})
        m = re.search(r"GD\d{13}", answer)
        assert m is not None
        code = m.group(0)
        zhangwei = await rt.bot.services.identity.whois("web", "demo-zhangwei")
        assert rt.office is not None
        doc = (await rt.office.documents.register(zhangwei, "FW", "内部讨论 机密议题", "机密正文")).ref
        before = await _state(rt)

        stranger = TestClient(owner.server, cookie_jar=DummyCookieJar())  # a fresh visitor on every request
        other_citizen = TestClient(owner.server)  # one other session, its own cookie
        await other_citizen.start_server()
        try:
            for text in commands(code, doc):
                replies = []
                for claimed in CLAIMS:
                    replies.append(await _post(stranger, {"sender": claimed, "message": text}))
                    replies.append(
                        await _post(stranger, {"sender": claimed, "message": text}, Authorization=f"Bearer {APP_TOKEN}")
                    )
                replies.append(await _post(other_citizen, {"message": text}))
                for reply in replies:
                    assert CONTENT not in reply and "机密" not in reply, (text, reply)
        finally:
            await other_citizen.close()
        assert await _state(rt) == before
