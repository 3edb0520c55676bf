"""Handoff handlers: citizens ask for a person, operators take and return conversations.

The citizen's session keeps the open handoff's id (``handoff``) so ordinary messages cost no
extra query; the database record stays the truth (an operator may have ended it meanwhile).
"""

from __future__ import annotations

from bot.answers import deliver
from bot.handlers import MATCHED, CommandHandler, Context, Handler, Match
from bot.messages import Reply
from integrations.handoff import SESSION_KEY, reserved_line
from kernel.identity import Role
from nlu.giving_up import is_cancel
from office_flows.handoff import service
from office_flows.handoff import skills as desk_skills
from office_flows.handoff.models import CLOSED, TAKEN, WAITING

STILL_WAITING = "已记录，人工客服接入后会看到您的消息。（回复“取消”可退出排队）"
LEFT_QUEUE = "好的，已退出人工排队。还有什么可以帮您？"
OPERATORS_ONLY = "这个命令仅限人工客服使用。"
AUTHORS = {"citizen": "市民", "operator": "客服", "system": "系统"}


def _raw(ctx: Context) -> str:
    """What a person wrote, as written: relayed between people, so not normalised like bot input."""
    return ctx.message.text.strip()


async def start_handoff(ctx: Context, m: Match) -> list[Reply]:
    """ "人工" typed plainly (the NLU's human_agent intent goes through ``integrations.handoff``)."""
    desk = ctx.services.handoff
    return await deliver(ctx, await desk.start(ctx.message.channel, ctx.message.sender, ctx.text, ctx.session))


class CitizenInHandoff:
    """While a handoff is open, the citizen's messages go to the transcript (and the operator), not the bot."""

    async def check(self, ctx: Context) -> Match | None:
        if SESSION_KEY not in ctx.session:
            return None
        async with ctx.services.db.session() as s:
            h = await service.open_for(s, ctx.message.channel, ctx.message.sender)
        if h is None:
            ctx.session.pop(SESSION_KEY, None)  # an operator returned it: the bot answers again
            return None
        return MATCHED

    async def handle(self, ctx: Context, m: Match) -> list[Reply]:
        now = ctx.services.clock.now()
        async with ctx.services.db.session() as s:
            h = await service.open_for(s, ctx.message.channel, ctx.message.sender)
            if h is None:
                ctx.session.pop(SESSION_KEY, None)
                return [Reply("人工对话已结束，请重新发送您的问题。")]
            if h.status == WAITING and is_cancel(ctx.text):
                await service.finish(s, h, now, status=CLOSED)
                ctx.session.pop(SESSION_KEY, None)
                return [Reply(LEFT_QUEUE)]
            await service.from_citizen(s, h, _raw(ctx), now)
            status = h.status
            desk = None
            if status == WAITING and not h.skill:
                said = [m.text for m in await service.transcript(s, h) if m.author == "citizen"]
                desk = await ctx.services.handoff.reconsider(s, h, said)
        if status == TAKEN:
            return []
        return [Reply(STILL_WAITING + ("\n" + desk if desk else ""))]


def _is_operator(ctx: Context) -> bool:
    return bool(ctx.actor is not None and ctx.actor.has(Role.OPERATOR, Role.ADMIN))


async def list_waiting(ctx: Context, m: Match) -> list[Reply]:
    if not _is_operator(ctx):
        return [Reply(OPERATORS_ONLY)]
    async with ctx.services.db.session() as s:
        rows = await service.waiting(s)
    if not rows:
        return [Reply("当前没有排队等待的市民。")]
    lines = ["排队等待人工服务的市民："]
    for h in rows:
        waited = max(0, int((ctx.services.clock.now() - h.created_at).total_seconds() // 60))
        desk = f"【{h.skill}专席】" if h.skill else ""
        lines.append(f"{desk}#{h.id} {h.channel} 渠道的市民（已等待 {waited} 分钟）")
    lines.append("回复 /接入 编号 接入对话。")
    return [Reply("\n".join(lines))]


async def take(ctx: Context, m: Match) -> list[Reply]:
    if not _is_operator(ctx):
        return [Reply(OPERATORS_ONLY)]
    wanted: int | None = None
    if m.args:
        raw = m.args[0].lstrip("#＃")
        if not raw.isdigit():
            return [Reply("请输入排队编号，例如：/接入 12")]
        wanted = int(raw)
    me, channel = ctx.message.sender, ctx.message.channel
    async with ctx.services.db.session() as s:
        current = await service.taken_by(s, channel, me)
        if current is not None:
            return [Reply(f"您正在处理 #{current.id}，请先 /结束 再接入下一位。")]
        try:
            h = await service.take(
                s,
                wanted,
                channel,
                me,
                ctx.actor.display,
                ctx.services.clock.now(),
                skill_wait=ctx.services.handoff.skill_wait,
            )
        except service.Reserved as r:
            return [Reply(reserved_line(wanted or 0, r.skill, r.minutes_left))]
        if h is None:
            return [Reply("没有这个排队编号，或已被其他客服接入。回复 /排队 查看当前排队。")]
        lines = [f"已接入 #{h.id}（{h.channel} 渠道的市民）。之前的对话："]
        lines += [f"[{AUTHORS.get(m.author, m.author)}] {m.text}" for m in await service.transcript(s, h)]
        lines.append("直接输入文字即回复市民；回复 /结束 交还智能助手。")
    return [Reply("\n".join(lines))]


async def end(ctx: Context, m: Match) -> list[Reply]:
    if not _is_operator(ctx):
        return [Reply(OPERATORS_ONLY)]
    async with ctx.services.db.session() as s:
        h = await service.taken_by(s, ctx.message.channel, ctx.message.sender)
        if h is None:
            return [Reply("您当前没有接入的对话。")]
        await service.finish(s, h, ctx.services.clock.now())
        hid = h.id
    return [Reply(f"#{hid} 已交还智能助手。")]


class OperatorRelay:
    """An operator's plain message while they hold a conversation goes to that citizen."""

    async def check(self, ctx: Context) -> Match | None:
        if not _is_operator(ctx) or ctx.text.startswith(("/", "／")):
            return None
        async with ctx.services.db.session() as s:
            held = await service.taken_by(s, ctx.message.channel, ctx.message.sender)
        return MATCHED if held is not None else None

    async def handle(self, ctx: Context, m: Match) -> list[Reply]:
        async with ctx.services.db.session() as s:
            h = await service.taken_by(s, ctx.message.channel, ctx.message.sender)
            if h is None:
                return [Reply("您当前没有接入的对话。")]
            await service.from_operator(s, h, _raw(ctx), ctx.services.clock.now())
        return []


SKILLS_USAGE = (
    "用法：/坐席技能 查看自己的技能；管理员：/坐席技能 客服地址 粤语,客家话（“无”为清空），"
    "例如 /坐席技能 @op:example.gov 粤语"
)


async def operator_skills(ctx: Context, m: Match) -> list[Reply]:
    """/坐席技能: an operator sees their skills; an admin sets anyone's (a Matrix id, or channel:address)."""
    if ctx.actor is None or not ctx.actor.has(Role.OPERATOR, Role.ADMIN):
        return [Reply(OPERATORS_ONLY)]
    now, me = ctx.services.clock.now(), ctx.message
    if not m.args:
        async with ctx.services.db.session() as s:
            mine = await desk_skills.skills_of(s, me.channel, me.sender)
        return [Reply(f"您的坐席技能：{'、'.join(sorted(mine)) or '无'}\n{SKILLS_USAGE}")]
    if not ctx.actor.has(Role.ADMIN):
        return [Reply("设置坐席技能仅限管理员。")]
    who = m.args[0]
    channel, address = ("matrix", who) if who.startswith("@") else who.partition(":")[::2]
    if not channel or not address:
        return [Reply(f"客服地址无效：{who}\n{SKILLS_USAGE}")]
    try:
        wanted = desk_skills.parse(" ".join(m.args[1:]))
    except desk_skills.SkillError as e:
        return [Reply(str(e))]
    async with ctx.services.db.session() as s:
        stored = await desk_skills.set_skills(s, channel, address, wanted, now, by=ctx.actor.key)
    return [Reply(f"已设置 {who} 的坐席技能：{'、'.join(stored) or '无'}")]


def handoff_handlers() -> list[Handler]:
    """First in the chain: open handoffs own the citizen's and the operator's messages."""
    return [
        CommandHandler({"排队"}, list_waiting),
        CommandHandler({"接入"}, take),
        CommandHandler({"结束"}, end),
        CommandHandler({"坐席技能"}, operator_skills),
        CitizenInHandoff(),
        OperatorRelay(),
    ]
