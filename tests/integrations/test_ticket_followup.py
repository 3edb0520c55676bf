"""A citizen follows up their own ticket through the bot (recorded NLU; SQLite and PostgreSQL): 补充诉求 with and
without its content, 催单 (whatever intent the words get: never the staff refusal) once a day, 撤单 after a
confirmation, wording that no longer wants to file ("我不想投诉了") never opening a new intake, and 更正联系电话
with and without the number, and 更正事发地址 with and without the place."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from govchat.runtime import Runtime
from integrations.ticket_followup import negates_filing, supplement_content
from kernel.clock import SHANGHAI
from kernel.config import Settings
from nlu.correcting import corrected_address, corrected_place, swapped_part
from office_flows.tickets.models import Ticket, TicketEvent, TicketRating
from tests.support.demo_runtime import demo_runtime, inbox
from tests.support.dialogue import verify_dialog as _verify_dialog
from tests.support.nlu_double import nlu_result

verify_dialog = functools.partial(_verify_dialog, channel="web")
START = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)  # a Wednesday
CODE = re.compile(r"GD\d{13}")

RECORDED = {
    "我要投诉隔壁工地半夜施工，吵得睡不着": nlu_result("complain"),
    "我要投诉小区门口的烧烤摊油烟太大": nlu_result("complain"),
    # what the real NLU made of these before the citizen's follow-up intents existed
    "我想补充一下，今晚又在施工了": nlu_result("supplement_ticket"),
    "我想补充一下": nlu_result("supplement_ticket"),
    "怎么还没人处理，帮我催一下": nlu_result("urge_ticket"),
    "帮我催催": nlu_result("remind_ticket"),
    "我不想投诉了，撤回吧": nlu_result("complain"),
    "唔投诉喇": nlu_result("complain"),
    "撤单": nlu_result("withdraw_ticket"),
    "要几耐先有结果？": nlu_result("query_ticket", 0.5),
    "唔满意，搞咗成个月都未搞掂": nlu_result("rate_service", 0.7, {"rating": "不满意"}),
    # as the real NLU read this Hakka rating with its reason once: unsure, supplement or praise
    "𠊎觉得还可以，就系慢了滴": nlu_result(
        "nlu_fallback", 0.35, ranking=[("nlu_fallback", 0.35), ("supplement_ticket", 0.3), ("praise", 0.2)]
    ),
    "今晚十点又开始打桩": nlu_result("complain", 0.6),
    # a phone change, with and without the number (as the real NLU tags it: the number as a phone entity)
    "电话填错咗，应该系13580071234": nlu_result("change_ticket_phone", 0.9, {"phone": "13580071234"}),
    "我想改下我个单嘅电话": nlu_result("change_ticket_phone", 0.9),
    "我换咗号码": nlu_result("change_ticket_phone", 0.8),
    "部门点解打唔通我电话": nlu_result("query_ticket", 0.6),
    # an address correction, with and without the place
    "地址都写错咗，系东升新村3栋": nlu_result("change_ticket_address", 0.9),
    "地址写错了": nlu_result("change_ticket_address", 0.9),
    "我想改下我个单嘅地址": nlu_result("change_ticket_address", 0.85),
    "要几耐先有人处理？": nlu_result("query_ticket", 0.6),
    # nobody called or came, as the real NLU read these: a question about the ticket, a rating, a new complaint
    "点解冇人打电话畀我": nlu_result(
        "nlu_fallback", 0.35, ranking=[("nlu_fallback", 0.35), ("query_ticket", 0.37), ("human_agent", 0.35)]
    ),
    "点解到而家都冇人打电话畀我": nlu_result("query_ticket", 0.77),
    "佢哋根本冇嚟睇过": nlu_result("rate_service", 0.43),
    "做咩都冇人理㗎": nlu_result("complain", 0.93),
    "还是很吵，晚上照样施工": nlu_result("complain", 0.8),
    "不满意": nlu_result("rate_service", 0.96, {"rating": "不满意"}),
    # a citizen's ticket in words a document or a meeting takes, as the real NLU read them
    "我个单去到边": nlu_result(
        "query_document", 0.53, ranking=[("query_document", 0.53), ("greet", 0.1), ("query_ticket", 0.07)]
    ),
    "取消我个单": nlu_result("cancel_meeting", 0.83, ranking=[("cancel_meeting", 0.83), ("withdraw_ticket", 0.1)]),
    "算啦唔好取消住": nlu_result("cancel_meeting", 0.5, ranking=[("cancel_meeting", 0.5), ("withdraw_ticket", 0.42)]),
    "我想反映下我哋小区门口成日有人乱停车": nlu_result(
        "nlu_fallback", 0.35, ranking=[("nlu_fallback", 0.35), ("request_help", 0.24), ("suggest", 0.14)]
    ),
    "唔好取消": nlu_result("cancel_meeting", 0.64, ranking=[("cancel_meeting", 0.64), ("withdraw_ticket", 0.27)]),
}


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    async with demo_runtime(settings, START, RECORDED) as runtime:
        yield runtime


async def file_complaint(rt: Runtime, first: str = "我要投诉隔壁工地半夜施工，吵得睡不着") -> str:
    answers = await verify_dialog(
        rt,
        [
            (first, ["登记投诉工单", "具体地点"]),
            ("梅江区江南路28号", "什么时候开始"),
            ("上周开始", "手机号码"),
            ("13912345678", "请核对"),
            ("确认", CODE),
        ],
        sender="c1",
    )
    m = CODE.search(answers[-1][0])
    assert m is not None
    return m.group(0)


async def dispatch(rt: Runtime, code: str) -> None:
    await verify_dialog(rt, [("demo-zhongli", f"/派单 {code} 住建局", "已将工单")])
    await inbox(rt, "demo-zhongli")
    await inbox(rt, "demo-yechunmei")


async def answer(rt: Runtime, code: str) -> None:
    """The department signs for the dispatched ticket and answers it: the citizen is asked for a rating."""
    await verify_dialog(
        rt,
        [
            ("demo-yechunmei", f"/签收 {code}", "已签收"),
            ("demo-yechunmei", f"/回复 {code} 已责令施工单位停止夜间施工", "已回复"),
        ],
    )


async def events(rt: Runtime, code: str, action: str) -> list[TicketEvent]:
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
        assert t is not None
        return list(
            await s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.action == action))
        )


async def test_supplement_with_its_content_or_asked_for(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await inbox(rt, "demo-zhongli")
    await verify_dialog(
        rt,
        [
            ("我想补充一下，今晚又在施工了", f"已将您的补充内容记入工单 {code}，并转告派单员"),
            ("我想补充一下", "请问您要补充什么内容"),
            ("工地的灯整夜照着卧室", f"已将您的补充内容记入工单 {code}"),
            ("我想补充一下", "请问您要补充什么内容"),
            ("取消", "已取消补充"),
            # Every cancel word the other pending steps take cancels this one too.
            ("我想补充一下", "请问您要补充什么内容"),
            ("算啦", "已取消补充"),
            ("我想补充一下", "请问您要补充什么内容"),
            ("没事了", "已取消补充"),
            # Asking how long it takes, while the supplement is awaited: answered, and the supplement still awaited.
            ("我想补充一下", "请问您要补充什么内容"),
            ("要几耐先有人处理？", re.compile(r"投诉工单一般在 15 个工作日内办结[\s\S]*补充的内容请直接发给我")),
            ("晚黑十点之后仲有泥头车", f"已将您的补充内容记入工单 {code}"),
        ],
        sender="c1",
    )
    supplements = [e.comment for e in await events(rt, code, "supplement")]
    assert supplements == ["今晚又在施工了", "工地的灯整夜照着卧室", "晚黑十点之后仲有泥头车"]
    told = await inbox(rt, "demo-zhongli")  # not dispatched yet: the dispatchers hold it
    assert "反映人补充：今晚又在施工了" in told and "工地的灯整夜照着卧室" in told

    await dispatch(rt, code)
    await verify_dialog(rt, [("c1", "/补充 门口的路也被压坏了", "并转告梅江区住房和城乡建设局")])
    assert "门口的路也被压坏了" in await inbox(rt, "demo-yechunmei")
    await verify_dialog(rt, [("demo-zhongli", f"/工单记录 {code}", re.compile(r"市民补充 · 市民：门口的路"))])


async def test_several_open_tickets_are_offered(rt: Runtime) -> None:
    first = await file_complaint(rt)
    second = await file_complaint(rt, "我要投诉小区门口的烧烤摊油烟太大")
    replies = await verify_dialog(
        rt,
        [
            ("我想补充一下，今晚又在施工了", re.compile(r"您有 2 件在办工单[\s\S]*1\. GD")),
            ("2", "已将您的补充内容记入工单"),
        ],
        sender="c1",
    )
    picked = CODE.findall(replies[0][0])[1]
    assert picked in (first, second)
    assert [e.comment for e in await events(rt, picked, "supplement")] == ["今晚又在施工了"]


async def test_an_offered_ticket_is_picked_by_words_of_its_description(rt: Runtime) -> None:
    """ "烧烤摊嗰单" at the choice of two tickets used to get a menu: words found in one ticket's line pick it;
    words in both, or a new request, do not."""
    await file_complaint(rt)
    second = await file_complaint(rt, "我要投诉小区门口的烧烤摊油烟太大")
    await verify_dialog(
        rt,
        [
            ("我想补充一下，今晚又在施工了", "您有 2 件在办工单"),
            ("投诉嗰单", re.compile("^(?!已将)")),  # in both lines: not a pick
            ("我想补充一下，今晚又在施工了", "您有 2 件在办工单"),
            ("烧烤摊嗰单", f"已将您的补充内容记入工单 {second}"),
        ],
        sender="c1",
    )
    assert [e.comment for e in await events(rt, second, "supplement")] == ["今晚又在施工了"]


async def test_citizen_urging_is_a_reminder_once_a_day(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await dispatch(rt, code)
    await verify_dialog(
        rt,
        [
            (
                "怎么还没人处理，帮我催一下",
                re.compile(rf"已为您催办工单 {code}，已通知梅江区住房和城乡建设局[\s\S]*当前状态：已派单，待签收"),
            ),
            ("帮我催催", "24 小时内只能催办一次"),
        ],
        sender="c1",
    )
    assert "反映人第 1 次催办" in await inbox(rt, "demo-yechunmei")
    rt.clock.advance(timedelta(hours=25))  # type: ignore[attr-defined]
    await verify_dialog(
        rt,
        [
            ("c1", f"/催办 {code}", "已为您催办工单"),  # a citizen's /催办 is their reminder, not a refusal
            ("demo-yechunmei", "/工单队列", "市民催单 2 次"),
            ("demo-zhongli", f"/工单记录 {code}", "市民催单：2 次"),
            ("demo-laijianguo", f"/催办 {code}", "已对工单"),  # the supervisors' 催办 stays theirs
        ],
    )


async def test_withdrawal_after_confirmation_and_no_new_intake(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await dispatch(rt, code)
    await verify_dialog(
        rt,
        [
            ("我不想投诉了，撤回吧", f"确认撤回工单 {code}"),
            ("取消", "不撤回，继续为您办理"),
            ("我不想投诉了，撤回吧", f"确认撤回工单 {code}"),
            ("确认", f"已撤回工单 {code}，工单已关闭"),
            (f"/工单 {code}", "状态：已撤回（已关闭）"),
            # nothing left to withdraw: still no new intake
            ("唔投诉喇", "不登记了"),
            ("帮我催催", re.compile(rf"最近的工单 {code} 已撤回（已关闭），不能再催办[\s\S]*重新登记")),
            (f"/催单 {code}", re.compile(r"已撤回[\s\S]*重新登记")),
        ],
        sender="c1",
    )
    told = await inbox(rt, "demo-yechunmei")
    assert "已由反映人撤回" in told and "我不想投诉了" in told
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
    assert t is not None and t.status == "withdrawn" and t.rating_due_at is None
    assert "请对办理结果评价" not in await inbox(rt, "c1")


async def test_a_ticket_followed_and_kept_in_a_documents_and_a_meetings_words(rt: Runtime) -> None:
    """ "我个单去到边" (read as query_document) got the KB's "no answer"; "取消我个单" (cancel_meeting) was refused as
    a staff action; "算啦唔好取消住" (never mind, don't cancel) asked to confirm a withdrawal."""
    code = await file_complaint(rt)
    await verify_dialog(
        rt,
        [
            ("我个单去到边", re.compile(rf"{code}[\s\S]*(?:待派单|派单|状态)")),
            ("算啦唔好取消住", "好的，不取消，一切照旧"),
            ("取消我个单", f"确认撤回工单 {code}"),
            ("算啦唔好取消住", "不撤回，继续为您办理"),
            ("唔好取消", "好的，不取消，一切照旧"),
        ],
        sender="c1",
    )
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
    assert t is not None and t.status != "withdrawn"


async def test_reporting_a_matter_without_naming_its_kind_files_a_complaint(rt: Runtime) -> None:
    """ "我想反映下我哋小区门口成日有人乱停车" (the NLU unsure: 求助 0.24, 建议 0.14) got a menu of 求助 and 建议, and
    the place typed next was taken as 求助: it is filed as a complaint, whose kind the citizen may correct."""
    await verify_dialog(
        rt,
        [
            ("我想反映下我哋小区门口成日有人乱停车", ["登记投诉工单", "具体地点"]),
            ("梅江区金山街道嘉应花园", "什么时候开始"),
        ],
        sender="c1",
    )


async def test_closed_ticket_offers_rating_or_a_new_ticket(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await dispatch(rt, code)
    await answer(rt, code)
    await verify_dialog(
        rt,
        [
            ("c1", "帮我催催", re.compile(rf"最近的工单 {code} 已办结，待评价，不能再催办[\s\S]*请对办理结果评价")),
            ("c1", f"/催单 {code}", re.compile(r"已办结[\s\S]*请对办理结果评价")),
            ("c1", f"/补充 {code} 昨晚还是很吵", re.compile(r"不能再补充[\s\S]*请对办理结果评价")),
            ("c1", "撤单", re.compile(r"不能再撤回[\s\S]*请对办理结果评价")),
            ("c1", f"/撤单 {code}", re.compile(rf"工单 {code} 已办结，待评价，不能再撤回[\s\S]*请对办理结果评价")),
        ],
    )


async def test_a_rating_in_other_words_while_one_is_awaited(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await verify_dialog(rt, [("c1", "𠊎觉得还可以，就系慢了滴", re.compile("我不太确定|没有"))])  # nothing to rate yet
    # a bad "rating" of a ticket still being handled: where it stands, and how to urge it
    await verify_dialog(
        rt, [("c1", "唔满意，搞咗成个月都未搞掂", re.compile(rf"您的工单 {code}（投诉）目前已受理[\s\S]*帮我催一下"))]
    )
    await dispatch(rt, code)
    await answer(rt, code)
    await verify_dialog(
        rt,
        [
            ("c1", "𠊎觉得还可以，就系慢了滴", re.compile(r"基本满意")),
        ],
    )
    async with rt.db.session() as s:
        rating = await s.scalar(select(TicketRating))
        assert rating is not None and rating.comment == "就系慢了滴"


async def test_nobody_called_urges_an_open_ticket_and_after_the_answer_leads_to_a_bad_rating(rt: Runtime) -> None:
    """ "点解冇人打电话畀我" after the answer got the KB's FAQ on busy department lines, and "佢哋根本冇嚟睇过" opened
    a new complaint. While the ticket is handled it is urged; once answered, the answer is shown with the way to
    have it redone (a bad rating: rectification and a return call), and what was said is the rating's reason."""
    code = await file_complaint(rt)
    await dispatch(rt, code)
    rt.clock.advance(timedelta(hours=30))  # type: ignore[attr-defined]
    await verify_dialog(
        rt,
        [
            ("做咩都冇人理㗎", re.compile(rf"已为您催办工单 {code}")),  # no new complaint
            ("点解到而家都冇人打电话畀我", "24 小时内只能催办一次"),
        ],
        sender="c1",
    )
    await answer(rt, code)
    unheard = re.compile(
        rf"^工单 {code}（投诉）\n状态：已办结，待评价[\s\S]*办理结果：已责令施工单位停止夜间施工\n"
        r"办理部门已答复（见上）。如果问题没有解决，或没有人联系您、上门处理，请评价“不满意”"
    )
    await verify_dialog(
        rt,
        [
            ("点解冇人打电话畀我", unheard),
            ("佢哋根本冇嚟睇过", unheard),  # the latest words are the reason
            ("不满意", re.compile("已收到您的评价：不满意。非常抱歉没有让您满意，我们已启动整改")),
        ],
        sender="c1",
    )
    async with rt.db.session() as s:
        rating = await s.scalar(select(TicketRating))
        assert rating is not None and rating.comment == "佢哋根本冇嚟睇过"
    async with rt.db.session() as s:
        assert len(list(await s.scalars(select(Ticket)))) == 1  # no new complaint was filed or begun


async def test_a_ticket_under_rectification_takes_supplements_and_reminders(rt: Runtime) -> None:
    """A bad rating opens a rectification ("我们已启动整改"): what the citizen adds then reaches the department's
    heads, instead of "不能再补充" for a ticket the citizen was just told is being put right."""
    code = await file_complaint(rt)
    await dispatch(rt, code)
    await answer(rt, code)
    await verify_dialog(
        rt,
        [
            ("c1", f"/评价 {code} 不满意 昨晚还在施工", "已启动整改"),
            ("c1", "我想补充一下", "请问您要补充什么内容"),
            ("c1", "要几耐先有结果？", re.compile(rf"工单 {code} 正在整改，整改期限：")),
            ("c1", "今晚十点又开始打桩", re.compile(rf"已将您的补充内容记入工单 {code}[\s\S]*正在整改")),
            ("c1", "帮我催催", re.compile(r"当前状态：正在整改")),
            ("c1", "撤单", re.compile(r"不能再撤回")),  # withdrawing is for open tickets only
        ],
    )
    assert [e.comment for e in await events(rt, code, "supplement")] == ["今晚十点又开始打桩"]
    assert len(await events(rt, code, "remind")) == 1
    told = await inbox(rt, "demo-huangzhiqiang")  # 黄志强 heads the department that rectifies
    assert "【市民补充】整改中的工单" in told and "今晚十点又开始打桩" in told and "整改中，期限" in told
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
        assert t is not None and t.status == "visited"  # its state does not move


async def ticket(rt: Runtime, code: str) -> Ticket:
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
    assert t is not None
    return t


async def test_a_phone_number_corrected_with_it_or_asked_for(rt: Runtime) -> None:
    code = await file_complaint(rt)  # filed with 13912345678
    await inbox(rt, "demo-zhongli")
    await verify_dialog(
        rt,
        [
            (
                "电话填错咗，应该系13580071234",
                f"已将工单 {code} 的联系电话更正为 135****1234，已告知派单员，联系和回访都会打这个号码",
            ),
            ("/改电话 13580071234", "登记的联系电话已经是 135****1234，无需更正"),
            # announced without the number: the next message gives it, in groups as people type it
            ("我想改下我个单嘅电话", f"请发送工单 {code} 新的联系电话"),
            ("138 0013 8000", "联系电话更正为 138****8000"),
            # "取消" or a no keeps the old number; other words move on, and the number step is dropped
            ("我换咗号码", "新的联系电话"),
            ("取消", f"工单 {code} 的联系电话不变"),
            ("我换咗号码", "新的联系电话"),
            ("唔使喇", "联系电话不变"),
            ("我换咗号码", "新的联系电话"),
            ("部门点解打唔通我电话", re.compile(rf"工单 {code}[\s\S]*状态")),
            ("13600000000", "收到一个手机号码"),
        ],
        sender="c1",
    )
    t = await ticket(rt, code)
    assert t.phone == "13800138000" and not t.anonymous
    assert [e.comment for e in await events(rt, code, "contact")] == [
        "联系电话更正为 135****1234",
        "联系电话更正为 138****8000",
    ]
    told = await inbox(rt, "demo-zhongli")
    assert "反映人已更正联系电话" in told and "13800138000" not in told  # the number is in the ticket, not the chat
    # nobody else changes it, staff neither, and a wrong number is refused without a write
    await verify_dialog(
        rt,
        [
            ("c2", f"/改电话 {code} 13711112222", f"没有找到您反映的工单 {code}"),
            ("demo-zhongli", f"/改电话 {code} 13711112222", "只能由反映人本人提交"),
            ("c1", f"/改电话 {code} 1371111", "新的联系电话"),
            ("c1", "123456", "这个号码好像不完整"),
            ("c1", "取消", "联系电话不变"),
        ],
    )
    assert (await ticket(rt, code)).phone == "13800138000"
    await dispatch(rt, code)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/工单记录 {code}", "市民更正电话 · 市民：联系电话更正为 138****8000"),
            ("c1", "/改电话 0753-2246688", "已告知梅江区住房和城乡建设局"),
        ],
    )
    assert "反映人已更正联系电话" in await inbox(rt, "demo-yechunmei")
    # answered, the callback still to come: the number can change (nobody to tell); once rated, no longer
    await answer(rt, code)
    changed = re.compile(r"更正为 135\*\*\*\*1234，联系和回访[\s\S]*已办结，待评价")
    await verify_dialog(rt, [("c1", "/改电话 13580071234", changed)])
    await verify_dialog(
        rt,
        [
            ("c1", f"/评价 {code} 满意", "感谢"),
            ("c1", "/改电话 13711112222", re.compile(r"不能再更正电话[\s\S]*重新登记")),
        ],
    )
    assert (await ticket(rt, code)).phone == "13580071234"


async def test_an_anonymous_ticket_gets_a_number(rt: Runtime) -> None:
    answers = await verify_dialog(
        rt,
        [
            ("我要投诉隔壁工地半夜施工，吵得睡不着", ["登记投诉工单", "具体地点"]),
            ("梅江区江南路28号", "什么时候开始"),
            ("上周开始", "手机号码"),
            ("匿名", "请核对"),
            ("确认", CODE),
            ("我换咗号码", "新的联系电话"),
            ("13580071234", "联系电话更正为 135****1234"),
        ],
        sender="c1",
    )
    t = await ticket(rt, CODE.findall(answers[4][0])[0])
    assert t.phone == "13580071234" and not t.anonymous


async def test_an_address_corrected_with_it_or_asked_for(rt: Runtime) -> None:
    code = await file_complaint(rt)  # filed at 梅江区江南路28号
    await inbox(rt, "demo-zhongli")
    await verify_dialog(
        rt,
        [
            ("地址都写错咗，系东升新村3栋", f"已将工单 {code} 的事发地址更正为“东升新村3栋”，并转告派单员"),
            ("/改地址 东升新村3栋", "登记的事发地址已经是“东升新村3栋”，无需更正"),
            # announced without the place: the next message gives it
            ("地址写错了", f"请发送工单 {code} 正确的事发地址"),
            ("系东升新村5栋门口", "事发地址更正为“东升新村5栋门口”"),
            # "取消" or a no keeps it; a question moves on, and the step is dropped
            ("我想改下我个单嘅地址", "正确的事发地址"),
            ("唔使喇", f"工单 {code} 的事发地址不变"),
            ("地址写错了", "正确的事发地址"),
            ("要几耐先有人处理？", re.compile(rf"工单 {code}[\s\S]*状态")),
        ],
        sender="c1",
    )
    t = await ticket(rt, code)
    assert t.address == "东升新村5栋门口"
    assert [e.comment for e in await events(rt, code, "address")] == [
        "事发地址更正为“东升新村3栋”（原为“梅江区江南路28号”）",
        "事发地址更正为“东升新村5栋门口”（原为“东升新村3栋”）",
    ]
    told = await inbox(rt, "demo-zhongli")  # the dispatchers hold it before dispatch, and need the place
    assert "反映人更正了事发地址：东升新村5栋门口（原为：东升新村3栋）" in told
    # nobody else changes it, staff neither
    await verify_dialog(
        rt,
        [
            ("c2", f"/改地址 {code} 江北路5号", f"没有找到您反映的工单 {code}"),
            ("demo-zhongli", f"/改地址 {code} 江北路5号", "只能由反映人本人提交"),
        ],
    )
    await dispatch(rt, code)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/工单记录 {code}", "市民更正地址 · 市民：事发地址更正为“东升新村5栋门口”"),
            ("c1", "/改地址 把地址改成江北路5号", "并转告梅江区住房和城乡建设局按新地址办理"),
        ],
    )
    assert "请按新地址办理" in await inbox(rt, "demo-yechunmei")
    # once answered the department no longer goes there: the citizen is asked for the rating instead
    await answer(rt, code)
    await verify_dialog(rt, [("c1", "/改地址 江南路30号", re.compile(r"不能再更正地址[\s\S]*评价"))])
    assert (await ticket(rt, code)).address == "江北路5号"


@pytest.mark.parametrize(
    ("said", "place"),
    [
        ("地址都写错咗，系东升新村", "东升新村"),
        ("地址唔啱，应该系梅江区江南街道鸿都社区3栋", "梅江区江南街道鸿都社区3栋"),
        ("把地址改成金山街道新中路12号", "金山街道新中路12号"),
        ("我个单嘅地址写错咗，系嘉应路，唔该", "嘉应路"),
        ("刚才说的地址不对，是华南大道18号，3栋门口", "华南大道18号，3栋门口"),
        ("GD2026111800001 地点改为人民路3号", "人民路3号"),
        ("我想改下我个单嘅地址", ""),
        ("地址写错了", ""),
        ("𠊎个单地址写错了，爱改一下", ""),
        ("东升新村3栋", "东升新村3栋"),
        ("哎呀，地址都写错咗，系东升新村3栋", "东升新村3栋"),
        ("地址唔系江南路，系江北路", "江北路"),
        ("地址弄错了，是城北镇不是城东镇", "城北镇"),
        ("地址要改，唔系江南系江北", "江北"),
        ("唔好意思，地点搞错咗，应该系三角镇市场", "三角镇市场"),
        ("个地方我报错咗", ""),
        ("把地址改成江北路 3 号", "江北路 3 号"),  # spaces inside a place are no clause breaks
        ("GD2026111800001 系江北路 3 号", "江北路 3 号"),
        ("门牌号我写错了，系8号", "8号"),
        ("头先讲错咗，唔系江北路，系江南路", "江南路"),  # having misspoken, without the address word
        ("刚才说错了，应该是东升新村", "东升新村"),
    ],
)
def test_the_place_a_correction_gives(said: str, place: str) -> None:
    assert corrected_place(said) == place


@pytest.mark.parametrize(
    ("said", "content"),
    [
        ("我想补充一下", ""),
        ("我仲有嘢要讲", ""),
        ("𠊎还有滴事爱讲", ""),
        ("补充：今晚又施工", "今晚又施工"),
        ("我补冲一下，那家店还在摆桌", "那家店还在摆桌"),
        ("GD2026111800001 再补充几句 昨晚十二点又吵", "昨晚十二点又吵"),
        ("今朝六点又开始打桩", "今朝六点又开始打桩"),
    ],
)
def test_a_supplement_is_told_from_its_announcement(said: str, content: str) -> None:
    assert supplement_content(said) == content


@pytest.mark.parametrize(
    ("said", "negated"),
    [
        ("算了不投诉了", True),
        ("我唔想再反映喇", True),
        ("我不投诉他们了，谢谢", True),
        ("我要举报不登记的黑车", False),
        ("我不知道投诉去哪", False),
        ("我投诉的事不用再登记了吗", False),
    ],
)
def test_no_longer_wanting_to_file(said: str, negated: bool) -> None:
    assert negates_filing(said) is negated


@pytest.mark.parametrize(
    ("current", "said", "address"),
    [
        ("梅江区东升新村3栋", "刚才说错了，不是3栋是5栋", "梅江区东升新村5栋"),
        ("梅江区东升新村3栋", "不是3栋，而是5栋啊", "梅江区东升新村5栋"),
        ("梅江区东升新村3栋", "系5栋唔系3栋", "梅江区东升新村5栋"),
        ("梅江区江南路28号", "地址写错了，唔系28号系38号", "梅江区江南路38号"),
        ("梅江区江南路28号", "头先讲错咗，唔系江南路，系江北路", "梅江区江北路28号"),
        # a whole place said with what it is not: the place, not a part swapped in
        ("江南路28号", "江南路38号，唔系28号", "江南路38号"),
        ("梅江区江南路28号", "唔系3栋，系东升新村5栋", "东升新村5栋"),
        # what it is not is not in the address: the place said
        ("梅江区江南路28号", "不是3栋是5栋", "5栋"),
        ("", "地址都写错咗，系东升新村", "东升新村"),
        ("梅江区江南路28号", "地址写错了", ""),
    ],
)
def test_the_address_after_a_correction(current: str, said: str, address: str) -> None:
    assert corrected_address(current, said) == address


@pytest.mark.parametrize(
    ("said", "swap"),
    [
        ("刚才说错了，不是3栋是5栋", ("3栋", "5栋")),
        ("是城北镇不是城东镇", ("城东镇", "城北镇")),
        ("唔系建筑垃圾，系生活垃圾", ("建筑垃圾", "生活垃圾")),
        ("地址写错了", None),
        ("不是这样的", None),
        ("系东升新村啊", None),
    ],
)
def test_what_a_correction_swaps(said: str, swap: tuple[str, str] | None) -> None:
    assert swapped_part(said) == swap


async def test_the_matter_going_on_after_the_answer_leads_to_a_bad_rating(rt: Runtime) -> None:
    """ "还是很吵，晚上照样施工" after the answer opened a new complaint: the answer is shown with the way to have it
    redone, and the bad rating that follows carries those words."""
    code = await file_complaint(rt)
    await dispatch(rt, code)
    await answer(rt, code)
    await verify_dialog(
        rt,
        [
            ("还是很吵，晚上照样施工", re.compile(rf"^工单 {code}[\s\S]*如果问题没有解决[\s\S]*请评价“不满意”")),
            ("不满意", re.compile("已启动整改")),
        ],
        sender="c1",
    )
    async with rt.db.session() as s:
        rating = await s.scalar(select(TicketRating))
        assert rating is not None and rating.comment == "还是很吵，晚上照样施工"
        assert len(list(await s.scalars(select(Ticket)))) == 1


async def test_an_earlier_ticket_urged_in_the_middle_of_filing_another(rt: Runtime) -> None:
    """ "帮我催下我之前张单" when asked where the new matter is was stored as its time, and "点解冇人打电话畀我" was
    told why a place is needed: the earlier ticket is urged aside, the step asked again, nothing stored."""
    code = await file_complaint(rt)
    await dispatch(rt, code)
    rt.clock.advance(timedelta(hours=30))  # type: ignore[attr-defined]
    await verify_dialog(
        rt,
        [
            ("我要投诉小区门口的烧烤摊油烟太大", ["登记投诉工单", "具体地点"]),
            (
                "帮我催下我之前张单",
                [re.compile(rf"已为您催办工单 {code}"), re.compile("我们继续刚才的登记[\\s\\S]*地点")],
            ),
            ("梅江区江南路30号", "什么时候开始"),
            ("点解冇人打电话畀我", ["24 小时内只能催办一次", re.compile("我们继续刚才的登记[\\s\\S]*开始")]),
            ("上周开始", "手机号码"),
            ("13912345678", re.compile("请核对[\\s\\S]*地点：梅江区江南路30号\\n时间：上周开始")),
        ],
        sender="c1",
    )
    assert len(await events(rt, code, "remind")) == 1
