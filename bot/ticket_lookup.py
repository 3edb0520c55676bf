"""Looking a ticket up by its code: the owner's session, staff, or a phone verified by a one-time code.

``/工单 编号`` shows the ticket to its citizen (the session that filed it) and its staff. Someone else may
prove they are the citizen with ``/工单 编号 手机号``: a 6-digit code is texted to that phone — only if it is
the ticket's phone, but the answer is the same either way — and replying with the code within 10 minutes shows
the ticket (and keeps that phone verified in this session for 30 minutes). Lookups are rate-limited per
sender, per client address and per ticket, in the database (kernel/ratelimit.py), so codes cannot be probed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from bot.handlers import Context, Match
from bot.messages import Reply
from integrations import tickets as tf
from kernel.ratelimit import allow
from office_flows.tickets.phones import mask_phone
from office_flows.tickets.service import TicketService

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
OTP = re.compile(r"^\s*(\d{6})\s*$")
PENDING = "ticket_otp"
VERIFIED = "verified_phones"
CODE_TTL = timedelta(minutes=10)
VERIFIED_TTL = timedelta(minutes=30)
MAX_TRIES = 5
LOOKUPS = (20, timedelta(minutes=15))  # per sender, and per client address ×3
CODES_PER_TICKET = (5, timedelta(hours=1))
TOO_MANY = "查询过于频繁，请 15 分钟后再试；急事请拨打 12345 热线。"


def _digest(code: str, otp: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{code}:{otp}".encode()).hexdigest()


def _verified_phones(ctx: Context) -> dict[str, str]:
    raw = ctx.session.get(VERIFIED)
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _verified(ctx: Context, phone: str, now: datetime) -> bool:
    until = _verified_phones(ctx).get(phone)
    return until is not None and datetime.fromisoformat(until) > now


async def _may_look_up(ctx: Context, now: datetime) -> bool:
    db = ctx.services.db
    limit, window = LOOKUPS
    if not await allow(db, f"lookup:{ctx.message.channel}:{ctx.message.sender}", limit, window, now):
        return False
    return not ctx.message.client or await allow(db, f"lookup-ip:{ctx.message.client}", limit * 3, window, now)


async def look_up(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    now = ctx.services.clock.now()
    if not await _may_look_up(ctx, now):
        return [TOO_MANY]
    m = MOBILE.search(rest)
    phone = m.group(0) if m else ""
    if not phone or _verified(ctx, phone, now):
        return await tf.query(svc, ctx.actor, code, phone)
    mine = await svc.queries.status(code, ctx.actor)
    if mine is not None:  # the owner (or staff) need no code
        return [tf.status_text(code, mine)]
    sms = ctx.services.sms
    if sms is None:
        return [f"暂不支持短信验证。请在登记工单的渠道查询，或拨打 12345 热线查询工单 {code}。"]
    limit, window = CODES_PER_TICKET
    if not await allow(ctx.services.db, f"otp:{code.upper()}", limit, window, now):
        return [TOO_MANY]
    if await svc.queries.phone_filed(code, phone):
        otp, salt = f"{secrets.randbelow(10**6):06d}", secrets.token_hex(8)
        ctx.session[PENDING] = {
            "code": code.upper(),
            "phone": phone,
            "salt": salt,
            "digest": _digest(code.upper(), otp, salt),
            "until": (now + CODE_TTL).isoformat(),
            "tries": 0,
        }
        await sms.send(phone, f"【12345】您查询工单的验证码为 {otp}，10 分钟内有效。如非本人操作请忽略。")
    else:
        ctx.session.pop(PENDING, None)
    # the same answer whether or not the phone filed the ticket: nothing to probe
    return [f"如果 {mask_phone(phone)} 是工单 {code} 登记的手机号，验证码已发送。请在 10 分钟内直接回复 6 位验证码。"]


def has_pending_code(ctx: Context) -> bool:
    return isinstance(ctx.session.get(PENDING), dict) and OTP.match(ctx.text) is not None


async def check_code(ctx: Context, _m: Match) -> list[Reply]:
    raw = ctx.session[PENDING]
    assert isinstance(raw, dict)
    pending: dict[str, Any] = raw
    now = ctx.services.clock.now()
    m = OTP.match(ctx.text)
    assert m is not None
    if datetime.fromisoformat(pending["until"]) <= now:
        ctx.session.pop(PENDING, None)
        return [Reply("验证码已过期，请重新发送“/工单 编号 手机号”获取。")]
    if _digest(pending["code"], m.group(1), pending["salt"]) != pending["digest"]:
        pending["tries"] = int(pending["tries"]) + 1
        if pending["tries"] >= MAX_TRIES:
            ctx.session.pop(PENDING, None)
            return [Reply("验证码错误次数过多，请稍后重新获取。")]
        return [Reply("验证码不正确，请核对后重新回复。")]
    ctx.session.pop(PENDING, None)
    verified = _verified_phones(ctx)
    verified[pending["phone"]] = (now + VERIFIED_TTL).isoformat()
    ctx.session[VERIFIED] = verified
    svc = ctx.services.tickets
    assert svc is not None
    return [Reply(t) for t in await tf.query(svc, ctx.actor, pending["code"], pending["phone"])]
