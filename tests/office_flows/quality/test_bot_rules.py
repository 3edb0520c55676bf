"""The bot-conversation rules on hand-made transcripts: what each finds, its evidence, and what it must not find."""

from __future__ import annotations

from office_flows.quality import rules as R

WAIT = "已记录，人工客服接入后会看到您的消息。"
DECLINE = "抱歉，这个问题我暂时没有找到准确的答案。您可以回复“登记工单”，或回复“人工”转人工客服。"


def turn(seq: int, text: str, *replies: str, **flags: object) -> R.BotTurnFacts:
    return R.BotTurnFacts(seq, text, tuple(replies), **flags)  # type: ignore[arg-type]


def hits(*turns: R.BotTurnFacts) -> list[R.Hit]:
    return R.inspect_bot(R.BotFacts("1", turns), R.Context(R.load_rules()))


def test_a_clean_conversation_has_no_finding() -> None:
    assert (
        hits(turn(1, "你好", "您好！"), turn(2, "居住证点样办", "请带身份证", kb="answer"), turn(3, "多谢", "不客气"))
        == []
    )


def test_a_loop_needs_three_same_replies_in_a_row_before_a_person_takes_over() -> None:
    assert hits(turn(1, "?", "没看懂"), turn(2, "??", "没看懂"), turn(3, "好", "好的"), turn(4, "?", "没看懂")) == []
    [loop] = hits(turn(1, "a", "好的"), *(turn(n, "?", "没看懂") for n in (2, 3, 4, 5)), turn(6, "b", "好的"))
    assert loop.rule == "bot_loop" and loop.evidence["turns"] == [2, 3, 4, 5] and loop.evidence["quote"] == "没看懂"
    # While waiting for a person the same "please wait" is expected.
    queued = [turn(1, "人工", "正在为您转接", handoff=True), *(turn(n, "喂", WAIT, handoff=True) for n in (2, 3, 4))]
    assert hits(*queued) == []


def test_the_failure_reply_is_found_with_its_turn() -> None:
    [hit] = hits(turn(1, "你好", "您好！"), turn(2, "查下工单", "系统出了点问题", failure=True))
    assert hit.rule == "bot_failure" and hit.evidence["turn"] == 2 and hit.evidence["quote"] == "查下工单"


def test_a_decline_must_offer_a_ticket_or_a_person() -> None:
    assert hits(turn(1, "火星签证", DECLINE, kb="decline")) == []
    [hit] = hits(turn(1, "火星签证", "抱歉，这个问题我不知道答案。", kb="decline"))
    assert hit.rule == "bot_decline_no_offer" and hit.evidence["turn"] == 1


def test_asking_for_a_person_needs_a_handoff_after_it() -> None:
    assert hits(turn(1, "转人工啦", "正在为您转接", handoff=True)) == []
    assert hits(turn(1, "垃圾机器人", DECLINE, kb="decline"), turn(2, "人工", "正在为您转接", handoff=True)) == []
    assert hits(turn(1, "人工智能可以办社保吗", "可以的")) == []  # a topic, not a request
    [hit] = hits(turn(1, "𠊎爱真人同𠊎讲", DECLINE, kb="decline"), turn(2, "算了", "好的"))
    assert hit.rule == "bot_human_unanswered" and hit.evidence["phrases"] == ["爱真人"]


def test_a_forbidden_phrase_in_a_bot_reply() -> None:
    [hit] = hits(turn(1, "低保点办", "这个不归我们管，你自己去找民政局。"))
    assert hit.rule == "forbidden_phrase" and hit.evidence["turn"] == 1 and hit.evidence["phrase"] == "不归我们管"
