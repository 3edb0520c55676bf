"""Help, greetings, and the patterns that hand a message to a flow (ticket intake, human handoff)."""

from __future__ import annotations

import re

from bot.handlers import Context, Match
from bot.kb_handlers import picked_number
from bot.messages import Reply
from bot.nlu_handlers import CLARIFY
from bot.place_alone import PLACE_KEY
from integrations.chat import WHO
from integrations.context import LISTED, LISTED_TTL, PICK, fresh_entry
from integrations.day_answer import day_answer
from integrations.intents import STAFF, SUPERVISORS
from integrations.knowledge import CHOICE_KEY
from kernel.identity import Actor
from nlu.agreeing import agrees
from nlu.asking import about_to_ask, asks_what_answers
from nlu.day_questions import day_question
from nlu.entities import mobile_alone
from nlu.giving_up import goes_back, is_cancel, keeps_it
from nlu.numerals import only_asks_about_an_item, ordinal_in
from office_flows.handoff.asking import asks_for_person

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
    "   跟进自己的工单：说“我想补充一下……”“帮我催一下”“我不想投诉了”“电话填错了”“地址写错了”\n"
    "   （或 /补充、/催单、/撤单、/改电话、/改地址）；\n"
    "5. 回答不了的问题会记录下来，由工作人员补充。\n"
    "提问时说清楚要办的事，例如“新生儿怎么上户口”。"
)
THANKS = "不客气！还有其他问题随时问我。"
STAFF_HELP = (
    "\n\n工作人员还可以：\n"
    "· 公文：说“我的待办”“同意 FW-2026-015 意见”“退回 FW-2026-015 理由”“请刘洋加签 FW-2026-015”"
    "“帮我拟个公文，关于……”；\n"
    "· 会议：说“明天下午三点在三楼会议室开会，请李娜参加”“我的会议”；\n"
    "· 工单：/工单队列 查看本部门或待派单工单，/签收 /回复 /延期 /退单 办理工单；派单员 /派单 /审核退单 /协办；\n"
    "完整命令列表：/办公帮助。"
)
SUPERVISOR_HELP = (
    "\n督办：说“本月工单统计”或 /统计，/催办 工单编号；/质检 查看质检概况（含机器人对话），"
    "/质检 工单编号 查看一张工单的质检结果；/预警 查看未诉先办预警。"
)
NOTHING_MORE = "好的。有需要随时找我，或拨打 12345 热线。"
_NOTHING_MORE = re.compile(r"^(?:冇嘢|没事|冇事|无事)")
NOTHING_PENDING = "好的。目前没有需要取消的操作，还有什么可以帮您？"
NOTHING_DROPPED = "好的，不取消，一切照旧。还有什么可以帮您？"
JUNK = "我没有看懂这条消息。请用文字描述您要咨询或反映的事情，例如“办居住证要带什么材料”或“我要投诉楼下噪音”。"

_GREETING = re.compile(r"^(你好|您好|在吗|在不在|hi|hello|哈喽|嗨|早上好|下午好|晚上好|喂)[呀啊吗哈!！~。.]*$", re.I)
_THANKS = re.compile(r"^(谢谢|多谢|感谢|谢了|thanks|thank you|唔该)[你您啦了!！~。.]*$", re.I)
_HELP = re.compile(
    r"^(?:帮助|菜单|主菜单|返回主菜单|回到主菜单|返回|首页|功能|功能列表|help|menu|使用说明|用法|怎么用|点用|点样用|"
    r"有什么功能|有咩功能|有乜功能|有么个功能|帮我看看你能做什么|"
    r"(?:你|您)(?:都)?(?:能|会|可以|识|识得|做得)(?:做|干|帮我做|帮到我)?(?:啲|些|到)?"
    r"(?:什么|啥|咩|乜|乜嘢|咩嘢|乜野|咩野|么个|么嘢|嘛))[?？呀吗啊㗎嘅。.!！]*$",
    re.I,
)
_MARKUP = re.compile(
    r"<\s*/?\s*[a-zA-Z][^>]*>|javascript:|\b(select|insert|update|delete|drop|union)\b.+\b(from|into|table|select|set)\b",
    re.I,
)
NOT_CHINESE = (
    "抱歉，我目前只能看懂中文。请用中文（普通话、粤语、客家话都可以）说说您要咨询或反映的事，或拨打 12345 热线。\n"
    "Sorry, I can only read Chinese for now. Please write your question in Chinese, or call the 12345 hotline."
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_MEANINGFUL = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]")


def is_greeting(ctx: Context) -> bool:
    return bool(_GREETING.match(ctx.text))


def is_thanks(ctx: Context) -> bool:
    return bool(_THANKS.match(ctx.text))


def written_in_another_language(ctx: Context) -> bool:
    """ "how to renew passport": words in Latin letters and not one Chinese character (a greeting, thanks or a
    command in English is taken before); the NLU and the KB know Chinese only, and offered a menu of 举报."""
    return not _CJK.search(ctx.text) and len(_LATIN_WORD.findall(ctx.text)) >= 2


async def only_chinese(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(NOT_CHINESE)]


def asks_who(ctx: Context) -> bool:
    return asks_what_answers(ctx.text)


async def who_answers(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(WHO)]


def asks_the_day(ctx: Context) -> bool:
    """ "今日几号", "而家几点", "听日使唔使返工": a question about the day itself, and nothing else."""
    return day_question(ctx.text) is not None


async def tells_the_day(ctx: Context, m: Match) -> list[Reply]:
    question = day_question(ctx.text)
    assert question is not None  # matched by asks_the_day
    return [Reply(await day_answer(ctx.services.db, ctx.services.clock, question))]


def wants_human(ctx: Context) -> bool:
    """A plain request for a person ("人工", "我想搵真人", "𠊎爱同人工讲"), understood without the NLU."""
    return asks_for_person(ctx.text)


async def welcome(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(WELCOME)]


def help_for(actor: Actor) -> str:
    """The help for the speaker's role: citizens see the hotline, staff also the mobile office."""
    text = HELP
    if actor.has(*STAFF):
        text += STAFF_HELP
    if actor.has(*SUPERVISORS):
        text += SUPERVISOR_HELP
    return text


def wants_help(ctx: Context) -> bool:
    return bool(_HELP.match(ctx.text))


async def help_text(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(help_for(ctx.actor))]


def only_a_phone(ctx: Context) -> bool:
    """A mobile number alone ("13800138000", "138 0013 8000"), with no step asking for one."""
    return mobile_alone(ctx.text) is not None


async def phone_alone(ctx: Context, m: Match) -> list[Reply]:
    """A number sent with nothing asking for it: what it can be used for, never a farewell."""
    number = mobile_alone(ctx.text) or ""
    return [
        Reply(
            f"收到一个手机号码（{number[:3]}****{number[-4:]}）。请问需要办什么？\n"
            "· 反映问题：直接说情况，例如“我要投诉楼下噪音”，登记时会请您留电话；\n"
            "· 查询用电话登记的工单：回复“/工单 工单编号 手机号”；\n"
            "· 需要人工服务：回复“人工”，或拨打 12345 热线。"
        )
    ]


# A confirmation with nothing waiting for one: an expired or finished step ("确认" twice, or after a restart).
_CONFIRM_ALONE = re.compile(r"^(?:确认|确定|确认提交|提交|确认取消|confirm)[吧啦了。.!！~～\s]*$", re.I)
NOTHING_TO_CONFIRM = "目前没有需要确认的事项（可能已经办完或已超时）。还有什么可以帮您？"


def confirms_nothing(ctx: Context) -> bool:
    return bool(_CONFIRM_ALONE.match(ctx.text))


async def nothing_to_confirm(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(NOTHING_TO_CONFIRM)]


# A yes with nothing asked ("系呀", "好", "冇问题"): it used to be a KB question (12345's introduction).
NOTHING_ASKED = "好的。还有什么可以帮您？直接说要咨询或反映的事就可以。"


def agrees_to_nothing(ctx: Context) -> bool:
    return agrees(ctx.text)


async def nothing_asked(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(NOTHING_ASKED)]


NOTHING_TO_GO_BACK = "目前没有进行中的登记或操作，不需要返回上一步。您可以直接说要办的事，回复“帮助”查看我能做什么。"


def steps_back(ctx: Context) -> bool:
    return goes_back(ctx.text)


async def nothing_to_go_back_to(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(NOTHING_TO_GO_BACK)]


ASK_AWAY = "好的，请问您想了解什么？直接说要办的事或遇到的问题就可以，例如“社保卡唔见咗点补办”“营业执照要几耐”。"


def announces_a_question(ctx: Context) -> bool:
    return about_to_ask(ctx.text)


async def ask_away(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(ASK_AWAY)]


def points_into_no_list(ctx: Context) -> bool:
    """A place in a list ("第一份讲乜") when no numbered list is fresh and no offered choice takes it (a menu
    offered earlier takes a number, "2" or "第二个", not "第一份讲乜")."""
    found = ordinal_in(ctx.text)
    if found is None or (picked_number(ctx.text) is not None and any(key in ctx.session for key in OFFERS)):
        return False
    if fresh_entry(ctx.session, LISTED, ctx.services.clock.now(), LISTED_TTL) is not None:
        return False
    return only_asks_about_an_item(ctx.text)


async def no_list_to_point_into(ctx: Context, m: Match) -> list[Reply]:
    if ctx.actor.roles & STAFF:
        said = (
            "还没有可以按序号选的列表（列表显示 30 分钟内有效）。请先说“我的待办”或“工单队列”，"
            "再按序号说，例如“第一份讲乜”“同意第二件”；也可以直接说文号或工单编号。"
        )
    else:
        said = "还没有可以按序号选的列表。您可以直接说要办的事，或发送工单编号查询；回复“帮助”查看我能做什么。"
    return [Reply(said)]


def says_cancel(ctx: Context) -> bool:
    return is_cancel(ctx.text)


def is_control_word(text: str) -> bool:
    """Cancel, go back, confirm or a person: words the bot takes with or without a leading slash ("/取消",
    "/人工"). ("/帮助" is a command of its own.)"""
    return is_cancel(text) or goes_back(text) or asks_for_person(text) or bool(_CONFIRM_ALONE.match(text))


OFFERS = (CLARIFY, CHOICE_KEY, PICK, PLACE_KEY)  # choices offered (or a place kept) earlier that a "取消" drops


async def nothing_to_cancel(ctx: Context, m: Match) -> list[Reply]:
    """ "取消" reached here: no dialogue or follow-up was waiting (those take it first); offered choices go."""
    dropped = [ctx.session.pop(key, None) for key in OFFERS]  # every one, not only the first found
    if any(d is not None for d in dropped):
        return [Reply("好的，已取消。还有什么可以帮您？")]
    if _NOTHING_MORE.match(ctx.text):  # "冇嘢喇", "没事了": nothing more to ask, not a cancel
        return [Reply(NOTHING_MORE)]
    return [Reply(NOTHING_PENDING)]


def asks_to_keep(ctx: Context) -> bool:
    return keeps_it(ctx.text)


async def nothing_dropped(ctx: Context, m: Match) -> list[Reply]:
    """ "唔好取消" with nothing waiting for a yes or no (a withdrawal waiting takes it first): nothing is dropped,
    and the NLU's cancel_meeting or withdraw_ticket reading is never acted on."""
    return [Reply(NOTHING_DROPPED)]


def is_junk(ctx: Context) -> bool:
    """Emoji or punctuation only, markup, or code: nothing a citizen or civil servant would write."""
    return not _MEANINGFUL.search(ctx.text) or bool(_MARKUP.search(ctx.message.text))


async def junk(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(JUNK)]


async def thanks(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(THANKS)]
