"""Help, greetings, and the patterns that hand a message to a flow (ticket intake, human handoff)."""

from __future__ import annotations

import re

from bot.handlers import Context, Match
from bot.messages import Reply

WELCOME = (
    "您好！我是梅江区 12345 政务服务智能助手。您可以直接问我办事问题，例如：\n"
    "· 办理居住证要带什么材料？\n"
    "· 营业执照多久能办好？\n"
    "· 社保卡在哪里补办？\n"
    "也支持客家话、粤语的说法。输入“/帮助”查看更多。"
)
HELP = (
    "我能帮您：\n"
    "1. 查询政务服务事项：所需材料、办理时限、办理地点、咨询电话、网上办理入口；\n"
    "2. 解答 12345 热线常见问题；\n"
    "3. 登记 12345 工单（投诉、举报、求助、建议、表扬）：直接说明情况，或回复“登记工单”；\n"
    "4. 查询工单进度：/工单 工单编号；办结后评价：/评价 工单编号 满意；\n"
    "5. 回答不了的问题会记录下来，由工作人员补充。\n"
    "提问时说清楚要办的事，例如“新生儿怎么上户口”。"
)
THANKS = "不客气！还有其他问题随时问我。"

_GREETING = re.compile(r"^(你好|您好|在吗|在不在|hi|hello|哈喽|嗨|早上好|下午好|晚上好|喂)[呀啊吗哈!！~。.]*$", re.I)
_THANKS = re.compile(r"^(谢谢|多谢|感谢|谢了|thanks|thank you|唔该)[你您啦了!！~。.]*$", re.I)
_HUMAN = re.compile(r"^(人工|转人工|人工客服|找人工)$")


def is_greeting(ctx: Context) -> bool:
    return bool(_GREETING.match(ctx.text))


def is_thanks(ctx: Context) -> bool:
    return bool(_THANKS.match(ctx.text))


def wants_human(ctx: Context) -> bool:
    return bool(_HUMAN.match(ctx.text))


async def welcome(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(WELCOME)]


async def help_text(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(HELP)]


async def thanks(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(THANKS)]
