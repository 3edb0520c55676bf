"""What a new user types before they know the commands: the menu asked for in Mandarin, Cantonese or Hakka
("你识做咩", "有咩功能", "返回"), a phone number sent with nothing asking for one, a "确认" with nothing to
confirm. None is a farewell (Rasa reads "返回" and "13800138000" as goodbye), nor an out-of-scope decline logged
for editors."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from govchat.runtime import Runtime
from knowledge_base.models import UnansweredQuestion
from tests.support.dialogue import verify_dialog

MENU = re.compile(r"^我能帮您：[\s\S]*登记 12345 工单")


@pytest.mark.parametrize(
    "said", ["返回", "主菜单", "你识做咩", "你可以做啲乜？", "你会做么个", "有咩功能", "点用", "你能做什么"]
)
async def test_the_menu_in_everyday_words(rt: Runtime, said: str) -> None:
    await verify_dialog(rt, [(said, MENU)])
    async with rt.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


@pytest.mark.parametrize("said", ["13800138000", "138 0013 8000", "138-0013-8000"])
async def test_a_phone_number_alone_is_asked_about(rt: Runtime, said: str) -> None:
    await verify_dialog(rt, [(said, re.compile(r"收到一个手机号码（138\*\*\*\*8000）[\s\S]*我要投诉"))])


async def test_a_phone_number_a_step_asks_for_is_that_steps(rt: Runtime) -> None:
    await verify_dialog(
        rt,
        [
            ("我想投诉隔离邻居装修好吵", [re.compile("登记投诉工单"), re.compile("具体地点")]),
            ("华南大道8号", re.compile("什么时候开始")),
            ("上个月", re.compile("留下手机号码")),
            ("138 0013 8000", re.compile("请核对您要登记的工单[\\s\\S]*138\\*\\*\\*\\*8000")),
        ],
    )


@pytest.mark.parametrize("said", ["确认", "确定。", "提交"])
async def test_a_confirmation_with_nothing_to_confirm_says_so(rt: Runtime, said: str) -> None:
    """Used to be declined as an unknown question and logged for the editors."""
    await verify_dialog(rt, [(said, "目前没有需要确认的事项")])
    async with rt.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


@pytest.mark.parametrize("said", ["系呀", "好", "冇问题", "係哩", "好的，多谢"])
async def test_a_yes_with_nothing_asked_says_so(rt: Runtime, said: str) -> None:
    """ "系呀" after a ticket's address was corrected got 12345's introduction from the KB."""
    await verify_dialog(rt, [(said, "好的。还有什么可以帮您？")])
    async with rt.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


@pytest.mark.parametrize(("said", "reply"), [("冇嘢喇", "有需要随时找我"), ("取消", "目前没有需要取消的操作")])
async def test_nothing_more_is_not_a_cancel(rt: Runtime, said: str, reply: str) -> None:
    await verify_dialog(rt, [(said, reply)])


@pytest.mark.parametrize("said", ["返回上一步", "有人偷电话线"])
async def test_other_words_are_not_the_menu(rt: Runtime, said: str) -> None:
    [[reply]] = await verify_dialog(rt, [(said, [re.compile(".")])])
    assert not MENU.match(reply)


@pytest.mark.parametrize("said", ["上一步", "返回上一步", "退返上一步"])
async def test_a_step_back_with_nothing_under_way_says_so(rt: Runtime, said: str) -> None:
    await verify_dialog(rt, [(said, "目前没有进行中的登记或操作")])


@pytest.mark.parametrize("said", ["我想问下", "请问", "你好，我想问下", "有个问题想问下你", "𠊎想问下", "我有啲嘢想问"])
async def test_announcing_a_question_is_asked_for_it(rt: Runtime, said: str) -> None:
    await verify_dialog(rt, [(said, "请问您想了解什么")])
    async with rt.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


async def test_the_question_after_announcing_it_is_answered(rt: Runtime) -> None:
    await verify_dialog(rt, [("我想问下", "请问您想了解什么"), ("居住证要带什么材料", "居住证")])


@pytest.mark.parametrize("said", ["第一张系咩", "第二份讲乜", "最后嗰条"])
async def test_a_place_in_a_list_with_no_list_shown_says_so(rt: Runtime, said: str) -> None:
    await verify_dialog(rt, [(said, "还没有可以按序号选的列表")])


@pytest.mark.parametrize("said", ["how to renew passport", "Where can I apply for a residence permit?", "I need help"])
async def test_a_question_in_english_is_asked_for_in_chinese(rt: Runtime, said: str) -> None:
    """ "how to renew passport" got a menu of one reading, 举报: the NLU and the KB read Chinese only."""
    in_chinese = re.compile(r"^抱歉，我目前只能看懂中文[\s\S]*Please write your question in Chinese")
    await verify_dialog(rt, [(said, in_chinese)])


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        ("hello", re.compile("^您好！我是梅江区 12345")),
        ("thank you", re.compile("^不客气")),
        ("/help", MENU),
    ],
)
async def test_english_greetings_thanks_and_commands_are_still_understood(
    rt: Runtime, said: str, reply: re.Pattern[str]
) -> None:
    await verify_dialog(rt, [(said, reply)])
