"""/质检: supervisors read the quality inspection in chat (a summary, or one ticket's findings)."""

from __future__ import annotations

import re

from bot.handlers import CommandHandler, Context, Handler, Match
from bot.messages import Reply
from kernel.identity import Role

SUPERVISORS_ONLY = "质检结果仅限督办人员、部门负责人和管理员查看。"
USAGE = "用法：/质检 查看本月质检概况；/质检 工单编号（例如 /质检 GD2026111800001）查看一张工单的质检结果。"
_CODE = re.compile(r"^GD\d{13}$")


async def inspect(ctx: Context, m: Match) -> list[Reply]:
    desk = ctx.services.quality
    if desk is None:
        return [Reply("质检功能未开启。")]
    if ctx.actor is None or not ctx.actor.has(Role.SUPERVISOR, Role.HEAD, Role.ADMIN):
        return [Reply(SUPERVISORS_ONLY)]
    if not m.args:
        return [Reply(await desk.summary())]
    code = m.args[0].upper()
    if not _CODE.match(code):
        return [Reply(f"工单编号格式不对：{m.args[0]}\n{USAGE}")]
    return [Reply(await desk.ticket(code))]


def handlers() -> list[Handler]:
    return [CommandHandler({"质检"}, inspect)]
