"""The free text of an approval or a return, without the verb that made it one, and a ticket's 退单 reason named
in everyday words, in Mandarin and Cantonese."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest

from integrations.documents import remark_of
from integrations.office_common import reason_of
from integrations.tickets import guess_reason
from office_flows.tickets.rules import TicketRules
from office_flows.tickets.service import TicketService


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("退回去，标题要改", "标题要改"),
        ("退返去，标题要改", "标题要改"),
        ("退返畀张伟，写得唔清楚", "写得唔清楚"),
        ("打回头，数据唔啱", "数据唔啱"),
        ("退转去重写", "重写"),
        ("退回给张伟修改，缺附件", "缺附件"),  # the longer verb, not 退回 and a reason "给张伟修改"
        ("不同意，数据有误", "数据有误"),
        ("批咗佢", ""),
        ("批咗佢啦，冇问题", "冇问题"),
        ("标题要改", "标题要改"),
    ],
)
def test_the_verb_is_not_part_of_the_reason(said: str, reason: str) -> None:
    assert reason_of(said) == reason


@pytest.mark.parametrize(
    ("written", "remark"),
    [
        ("同意 FW-2026-001，请办公室印发", "请办公室印发"),
        ("同意第一份，核稿无误", "核稿无误"),
        ("第二件退回，缺附件", "退回，缺附件"),  # the verb is the return's business (reason_of)
        ("同意，按程序办", "同意，按程序办"),
    ],
)
def test_a_remark_follows_what_named_the_document(written: str, remark: str) -> None:
    assert remark_of(written) == remark


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("呢张唔系我哋管嘅，应该系市场监管局", "非本部门职责"),
        ("这个不归我们管", "非本部门职责"),
        ("唔喺本区嘅", "不属本辖区"),
        ("我们已经在处理", None),  # no reason named: the reasons are listed
    ],
)
def test_a_return_reason_named_in_everyday_words(said: str, reason: str | None) -> None:
    rules = TicketRules(workdays={})
    assert guess_reason(cast(TicketService, SimpleNamespace(rules=rules)), said) == reason
