"""The inspection rules on hand-made facts: what each finds, its evidence, and what it must not find."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kernel.clock import SHANGHAI
from office_flows.quality import rules as R

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
GOOD = "经现场核查，已责令停工，依据《噪声污染防治法》。如有疑问请再打12345。"


def ticket(**over: object) -> R.TicketFacts:
    base: dict[str, object] = {
        "code": "GD2026110200001",
        "kind": "投诉",
        "content": "工地夜间施工噪音扰民",
        "address": "梅江区东路1号",
        "phone": "13912345678",
        "anonymous": False,
        "category": "环境保护",
        "department": "MJ-STJ",
        "result": GOOD,
        "created": T0,
        "now": T0 + timedelta(days=10),
        "deadline": T0 + timedelta(days=5),
        "answered": T0 + timedelta(days=2),
    }
    base.update(over)
    return R.TicketFacts(**base)  # type: ignore[arg-type]


def found(facts: R.TicketFacts | R.ConversationFacts, judge: R.CategoryJudge | None = None) -> dict[str, R.Hit]:
    ctx = R.Context(R.load_rules(), judge)
    hits = R.inspect_ticket(facts, ctx) if isinstance(facts, R.TicketFacts) else R.inspect_conversation(facts, ctx)
    return {h.rule: h for h in hits}


def test_a_complete_timely_reply_has_no_finding_and_a_hotline_number_counts_as_contact():
    assert found(ticket()) == {}


def test_missing_parts_of_the_reply_are_named_with_the_quote():
    hit = found(ticket(result="已安排维修。"))["reply_elements"]
    assert hit.message == "答复缺少依据、联系方式" and hit.evidence["quote"] == "已安排维修。"
    assert "reply_elements" not in found(ticket(kind="表扬", result="谢谢您的肯定！"))


def test_a_forbidden_phrase_quoted_from_the_citizen_is_not_the_answerers_own():
    quoted = "您反映的“打电话都说不归我们管”情况已核实，依据《条例》已处理，电话 0753-2256789。"
    assert "forbidden_phrase" not in found(ticket(result=quoted))
    hit = found(ticket(result="这个不归我们管。"))["forbidden_phrase"]
    assert hit.evidence["phrase"] == "不归我们管" and hit.severity == "must"


def test_required_fields_and_times():
    hits = found(ticket(address="", phone="", answered=T0 + timedelta(days=6)))
    assert hits["required_fields"].evidence["missing"] == ["事发地址", "联系电话"]
    assert hits["overdue_answer"].evidence == {"deadline": "2026-11-07 09:00", "answered": "2026-11-08 09:00"}
    assert "required_fields" not in found(ticket(phone="", anonymous=True))


def test_category_is_judged_by_the_router_or_said_to_be_unknown():
    ctx = R.Context(R.load_rules(), None)
    R.inspect_ticket(ticket(), ctx)
    assert ctx.notes["category_fit"].startswith("无法判断")
    hit = found(ticket(), judge=lambda text: ("城乡建设", 0.9))["category_fit"]
    assert hit.severity == "advice" and hit.evidence["predicted"] == "城乡建设"
    assert "category_fit" not in found(ticket(), judge=lambda text: ("城乡建设", 0.3))  # not sure enough


def test_bad_rating_without_a_return_call():
    bad = (R.Rating(2, T0 + timedelta(days=3)),)
    due = T0 + timedelta(days=4)
    assert found(ticket(ratings=bad, callback_due=due))["bad_rating_no_callback"].evidence["callback"] == "未回访"
    assert "bad_rating_no_callback" not in found(ticket(ratings=bad, callback_due=due, callback_at=due))
    assert "bad_rating_no_callback" not in found(ticket(ratings=bad, callback_due=due, now=due - timedelta(hours=1)))


def test_conversation_wait_and_slow_replies_against_three_minutes():
    lines = (
        R.Line("citizen", "转人工", T0),
        R.Line("operator", "您好", T0 + timedelta(minutes=2)),
        R.Line("citizen", "路灯坏了", T0 + timedelta(minutes=3)),
        R.Line("operator", "已登记", T0 + timedelta(minutes=7)),
    )
    c = R.ConversationFacts("1", T0, T0 + timedelta(minutes=2), T0 + timedelta(minutes=8), lines, T0)
    hits = found(c)
    assert "handoff_wait" not in hits
    evidence = {"quote": "路灯坏了", "asked": "2026-11-02 09:03", "answered": "2026-11-02 09:07"}
    assert hits["slow_reply"].evidence == evidence
    never = R.ConversationFacts("2", T0, None, T0 + timedelta(minutes=10), lines[:1], T0)
    assert "仍无人接入" in found(never)["handoff_wait"].message


def test_the_rules_file_is_checked(tmp_path: Path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"no_such_rule": {}}), encoding="utf-8")
    with pytest.raises(R.RuleError, match="未知规则"):
        R.load_rules(path)
    path.write_text(json.dumps({"slow_reply": {"severity": "fatal"}}), encoding="utf-8")
    with pytest.raises(R.RuleError, match="must 或 advice"):
        R.load_rules(path)
    path.write_text(json.dumps({"slow_reply": {"enabled": False}, "handoff_wait": {"params": {"max_seconds": 60}}}))
    rules = R.load_rules(path)  # the file states only what it changes
    assert rules["slow_reply"].enabled is False and rules["reply_elements"].enabled is True
    assert rules["handoff_wait"].params == {"max_seconds": 60} and rules["handoff_wait"].severity == "must"
