"""Operators' human-handoff queue in the console: see waiting and taken conversations, take one, reply, hand back.

The same ``office_flows.handoff.service`` functions as the chat commands (/接入, plain replies, /结束) do the work,
so replies reach the citizen through the outbox and every step lands in the transcript. In the console
the operator's address is ``console:<username>``; what citizens write is read from the transcript, so the
outbox rows addressed to the console are claimed (marked delivered) when the operator opens the page.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin import audit
from admin.appkeys import CLOCK, DB, HANDOFF_CONFIG
from admin.guard import ADMINS, HANDOFF, Principal, principal, route
from admin.web import back, form, render
from integrations.handoff import reserved_line
from kernel.identity import Role
from kernel.outbox import take_pending
from office_flows.handoff import service
from office_flows.handoff import skills as desk_skills
from office_flows.handoff.models import OPEN, TAKEN, Handoff

CHANNEL = "console"
PAGE = "/admin/handoff"
MAX_REPLY = 2000


def _mine(h: Handoff, p: Principal) -> bool:
    return h.status == TAKEN and h.operator_channel == CHANNEL and h.operator == p.username


async def queue(request: web.Request) -> web.Response:
    p, now = principal(request), request.app[CLOCK].now()
    async with request.app[DB].session() as s:
        rows = list(await s.scalars(select(Handoff).where(Handoff.status.in_(OPEN)).order_by(Handoff.id)))
        transcripts = {h.id: await service.transcript(s, h) for h in rows}
        await take_pending(s, [CHANNEL], now, address=p.username)  # shown from the transcript instead
        operators = await desk_skills.operators(s)
        my_skills = await desk_skills.skills_of(s, CHANNEL, p.username)
    return render(
        request,
        "handoff.html",
        rows=rows,
        transcripts=transcripts,
        mine={h.id for h in rows if _mine(h, p)},
        now=now,
        operators=operators,
        my_skills=sorted(my_skills),
        known_skills=desk_skills.KNOWN,
        is_admin=Role.ADMIN in p.roles,
    )


def _id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise back(PAGE, "排队编号无效")
    return int(raw)


async def take(request: web.Request) -> web.Response:
    p, hid, now = principal(request), _id(request), request.app[CLOCK].now()
    async with request.app[DB].session() as s:
        current = await service.taken_by(s, CHANNEL, p.username)
        if current is not None:
            raise back(PAGE, f"您正在处理 #{current.id}，请先交还智能助手再接入下一位")
        wait = timedelta(minutes=request.app[HANDOFF_CONFIG].skill_wait_minutes)
        try:
            h = await service.take(s, hid, CHANNEL, p.username, p.actor.display, now, skill_wait=wait)
        except service.Reserved as r:
            raise back(PAGE, reserved_line(hid, r.skill, r.minutes_left)) from None
        if h is None:
            raise back(PAGE, f"#{hid} 已不在排队中（可能已被其他客服接入或市民已退出）")
        audit.record(s, actor=p.audit_name, action="handoff.take", obj=f"handoff#{hid}", now=now)
    raise back(PAGE, f"已接入 #{hid}，可以直接回复市民")


async def _held(request: web.Request, s: AsyncSession, hid: int) -> Handoff:
    h = await service.taken_by(s, CHANNEL, principal(request).username)
    if h is None or h.id != hid:
        raise back(PAGE, f"您没有接入 #{hid}，不能回复或交还")
    return h


async def reply(request: web.Request) -> web.Response:
    p, hid, now = principal(request), _id(request), request.app[CLOCK].now()
    text = (await form(request)).get("text", "").strip()
    if not text:
        raise back(PAGE, "回复内容不能为空")
    if len(text) > MAX_REPLY:
        raise back(PAGE, f"回复最长 {MAX_REPLY} 字，请分几次发送")
    async with request.app[DB].session() as s:
        h = await _held(request, s, hid)
        await service.from_operator(s, h, text, now)
        audit.record(s, actor=p.audit_name, action="handoff.reply", obj=f"handoff#{hid}", now=now, after={"text": text})
    raise back(PAGE, f"已回复 #{hid}")


async def hand_back(request: web.Request) -> web.Response:
    p, hid, now = principal(request), _id(request), request.app[CLOCK].now()
    async with request.app[DB].session() as s:
        h = await _held(request, s, hid)
        await service.finish(s, h, now)
        audit.record(s, actor=p.audit_name, action="handoff.return", obj=f"handoff#{hid}", now=now)
    raise back(PAGE, f"#{hid} 已交还智能助手")


async def set_skills(request: web.Request) -> web.Response:
    """An admin sets an operator's skills: console operators by user name, chat operators as channel:address."""
    p, now = principal(request), request.app[CLOCK].now()
    data = await form(request)
    who = data.get("operator", "").strip()
    if who.startswith("@"):
        channel, address = "matrix", who
    elif ":" in who:
        channel, address = who.split(":", 1)
    else:
        channel, address = CHANNEL, who
    if not address or len(address) > 255 or len(channel) > 32:
        raise back(PAGE, "请填写客服：后台用户名，或 Matrix 账号（@op:example.gov），或 渠道:地址")
    try:
        wanted = desk_skills.parse(data.get("skills", ""))
    except desk_skills.SkillError as e:
        raise back(PAGE, str(e)) from None
    async with request.app[DB].session() as s:
        stored = await desk_skills.set_skills(s, channel, address, wanted, now, by=p.audit_name)
        obj = f"{channel}:{address}"
        audit.record(s, actor=p.audit_name, action="handoff.skills", obj=obj, now=now, after={"skills": stored})
    raise back(PAGE, f"已设置 {channel}:{address} 的坐席技能：{'、'.join(stored) or '无'}")


def setup(app: web.Application) -> None:
    route(app, "GET", PAGE, queue, HANDOFF)
    route(app, "POST", PAGE + "/{id}/take", take, HANDOFF)
    route(app, "POST", PAGE + "/{id}/reply", reply, HANDOFF)
    route(app, "POST", PAGE + "/{id}/return", hand_back, HANDOFF)
    route(app, "POST", PAGE + "/skills", set_skills, ADMINS)
