"""Arbitration for staff: an office intent the NLU clearly prefers, though below the threshold, is acted on
instead of being answered from the knowledge base (a reply to a meeting is no question about ID cards)."""

from __future__ import annotations

from integrations.arbitration import Action, arbitrate, is_question
from kernel.identity import Role
from knowledge_base.policy import Decision as KbDecision
from nlu.service import Understanding

STAFF = frozenset({Role.STAFF})
CITIZEN = frozenset({Role.CITIZEN})
THRESHOLD = 0.55


def unsure(text: str, ranking: list[tuple[str, float]]) -> Understanding:
    """What Rasa returns when its fallback fires: nlu_fallback first, the real intents after it."""
    return Understanding(text, "nlu_fallback", 0.35, [("nlu_fallback", 0.35), *ranking], [])


async def kb_answers() -> KbDecision | None:
    return KbDecision.ANSWER


async def test_an_unsure_but_clear_office_intent_of_staff_wins_over_the_kb() -> None:
    u = unsure("明天个会我会到", [("rsvp_meeting", 0.48), ("ask_service", 0.2), ("query_meetings", 0.12)])
    verdict = await arbitrate(u.text, u, STAFF, THRESHOLD, kb_answers)
    assert verdict.action is Action.INTENT
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "rsvp_meeting"


async def test_a_citizen_goes_to_the_kb_and_staff_unsure_of_an_office_intent_are_offered_choices() -> None:
    """A citizen's unsure turn is looked up in the KB. A civil servant's question, close call or weak guess
    whose likeliest reading is an office intent is neither acted on nor answered from the KB: the office
    intents are offered as choices (the KB knows nothing of internal meetings)."""
    u = unsure("明天个会我会到", [("rsvp_meeting", 0.48), ("ask_service", 0.2)])
    assert (await arbitrate(u.text, u, CITIZEN, THRESHOLD, kb_answers)).action is Action.KNOWLEDGE
    q = unsure("明天的会几点开始？", [("rsvp_meeting", 0.48), ("ask_service", 0.2)])
    assert (await arbitrate(q.text, q, STAFF, THRESHOLD, kb_answers)).action is Action.CLARIFY
    close = unsure("会议的事", [("rsvp_meeting", 0.40), ("ask_service", 0.33)])
    assert (await arbitrate(close.text, close, STAFF, THRESHOLD, kb_answers)).action is Action.CLARIFY
    weak = unsure("嗯嗯", [("rsvp_meeting", 0.30), ("ask_service", 0.05)])
    assert (await arbitrate(weak.text, weak, STAFF, THRESHOLD, kb_answers)).action is Action.CLARIFY
    service = unsure("居住证怎么办", [("ask_service", 0.48), ("rsvp_meeting", 0.2)])
    assert (await arbitrate(service.text, service, STAFF, THRESHOLD, kb_answers)).action is Action.KNOWLEDGE


async def test_a_citizen_who_no_longer_wants_to_complain_is_offered_the_withdrawal_however_unsure_the_nlu() -> None:
    u = unsure("垃圾已经有人清走了，我唔想再投诉喇", [("complain", 0.3), ("ask_service", 0.25)])
    verdict = await arbitrate(u.text, u, CITIZEN, THRESHOLD, kb_answers)
    assert verdict.action is Action.INTENT
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "withdraw_ticket"


DISPATCHER = frozenset({Role.STAFF, Role.DISPATCHER})


def unsure_with(text: str, ranking: list[tuple[str, float]], entity: str, value: str) -> Understanding:
    u = unsure(text, ranking)
    return Understanding(u.text, u.intent, u.confidence, u.ranking, [{"entity": entity, "value": value}])


async def test_a_department_or_a_person_tells_a_dispatch_from_a_hand_over() -> None:
    """The NLU confuses "交给…办": what is named decides (measured: dispatch 0.36 against hand-over 0.23)."""
    ranking = [("dispatch_ticket", 0.36), ("delegate_task", 0.23), ("approve_document", 0.08)]
    to_dept = unsure_with("这张交给城管那边去办吧", ranking, "department", "城管")
    verdict = await arbitrate(to_dept.text, to_dept, DISPATCHER, THRESHOLD, kb_answers)
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "dispatch_ticket"
    to_person = unsure_with("交给钟丽处理吧", [("dispatch_ticket", 0.26), ("delegate_task", 0.25)], "person", "钟丽")
    verdict = await arbitrate(to_person.text, to_person, DISPATCHER, THRESHOLD, kb_answers)
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "delegate_task"
    neither = unsure("交给他们办吧", ranking)
    assert (await arbitrate(neither.text, neither, DISPATCHER, THRESHOLD, kb_answers)).action is Action.CLARIFY


async def test_a_word_of_change_tells_a_reschedule_from_a_booking() -> None:
    """The NLU confuses the two when a time and a room are named (measured: 预约会议 and 会议改期 offered)."""
    ranking = [("book_meeting", 0.41), ("reschedule_meeting", 0.33), ("extend_ticket", 0.05)]
    for text, meant in [
        ("后天下午三点在四楼视频会商室开会", "book_meeting"),
        ("后天的会改到下午三点", "reschedule_meeting"),
    ]:
        u = unsure(text, ranking)
        verdict = await arbitrate(u.text, u, STAFF, THRESHOLD, kb_answers)
        assert verdict.route is not None and verdict.route.spec is not None
        assert verdict.route.spec.name == meant, text


async def test_a_how_long_question_read_as_small_talk_goes_to_the_kb() -> None:
    """ "要几耐先攞到" (Cantonese: how long until I get it) once read as a goodbye: small talk with a question in
    it is the KB's first."""
    for text in ("要几耐先攞到", "几耐先有结果", "要几久先办好"):
        u = Understanding(text, "goodbye", 0.61, [("goodbye", 0.61), ("ask_service", 0.16)], [])
        assert (await arbitrate(text, u, CITIZEN, THRESHOLD, kb_answers)).action is Action.KNOWLEDGE, text


def test_a_time_in_the_past_is_no_question() -> None:
    """ "前几日开始" (a few days ago) answers the intake's time step; only how-long words ask."""
    assert not is_question("前几日开始") and not is_question("几天前开始的") and is_question("要几耐")


async def test_a_supervisors_urging_in_a_citizens_words_is_the_staff_urge() -> None:
    """Rasa may read "帮我催一下GD…" as the citizen's 催单: for a supervisor both names mean 催办, and add up."""
    supervisor = frozenset({Role.STAFF, Role.SUPERVISOR})
    u = unsure(
        "帮我催一下GD2026111800001",
        [("remind_ticket", 0.3), ("urge_ticket", 0.2), ("dispatch_ticket", 0.1), ("supplement_ticket", 0.05)],
    )
    u.entities.append({"entity": "ticket_id", "value": "GD2026111800001"})
    verdict = await arbitrate(u.text, u, supervisor, THRESHOLD, kb_answers)
    assert verdict.action is Action.INTENT
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "urge_ticket"


async def test_an_unsure_dispatch_that_names_a_department_is_a_dispatch() -> None:
    dispatcher = frozenset({Role.STAFF, Role.DISPATCHER})
    u = unsure("这张交给城管那边去办吧", [("dispatch_ticket", 0.3), ("approve_document", 0.22), ("urge_ticket", 0.1)])
    u.entities.append({"entity": "department", "value": "城管"})
    verdict = await arbitrate(u.text, u, dispatcher, THRESHOLD, kb_answers)
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "dispatch_ticket"
    bare = unsure("这张交给那边去办吧", [("dispatch_ticket", 0.3), ("approve_document", 0.22)])
    assert (await arbitrate(bare.text, bare, dispatcher, THRESHOLD, kb_answers)).action is Action.CLARIFY

    # as the real NLU read it once: a citizen's complaint just ahead of the dispatcher's own dispatch
    behind = unsure("这张交给城管那边去办吧", [("complain", 0.37), ("dispatch_ticket", 0.3), ("withdraw_ticket", 0.07)])
    behind.entities.append({"entity": "department", "value": "城管"})
    verdict = await arbitrate(behind.text, behind, dispatcher, THRESHOLD, kb_answers)
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "dispatch_ticket"
    citizen = await arbitrate(behind.text, behind, frozenset({Role.CITIZEN}), THRESHOLD, kb_answers)
    assert citizen.route is None or citizen.route.spec is None or citizen.route.spec.name != "dispatch_ticket"


async def test_a_ticket_actions_own_word_at_the_head_of_an_unsure_staff_sentence_is_that_action() -> None:
    """ "回复已经约谈店主，要求十点后停止营业" (reply 0.33, quality 0.2; after a retrain nlu_fallback, quality 0.17,
    book_meeting 0.09) used to get a menu: a sentence opening with the action's command word and carrying its
    content is that action unless the NLU clearly reads another."""
    ranking = [("reply_ticket", 0.33), ("quality_summary", 0.2), ("supplement_ticket", 0.12)]
    for text in ("回复已经约谈店主，要求十点后停止营业", "第一张答复市民：已清理完毕", "办结，路灯已经修好"):
        verdict = await arbitrate(text, unsure(text, ranking), STAFF, THRESHOLD, kb_answers)
        assert verdict.route is not None and verdict.route.spec is not None, text
        assert verdict.route.spec.name == "reply_ticket", text
    # whatever the NLU makes of the rest while it reads nothing clearly
    for ranked in (
        [("quality_summary", 0.33), ("reply_ticket", 0.2)],
        [("quality_summary", 0.17), ("book_meeting", 0.09)],
    ):
        verdict = await arbitrate("回复已经约谈店主", unsure("回复已经约谈店主", ranked), STAFF, THRESHOLD, kb_answers)
        assert verdict.route is not None and verdict.route.spec is not None
        assert verdict.route.spec.name == "reply_ticket", ranked
    # the word without content, or not heading the sentence: a choice
    for text in ("回复", "我想回复一下"):
        verdict = await arbitrate(text, unsure(text, ranking), STAFF, THRESHOLD, kb_answers)
        assert verdict.action is Action.CLARIFY, text
    # another office intent the NLU clearly reads is that one ("回复：…我准时参加" answers an invitation)
    text = "回复会议通知，我准时参加"
    verdict = await arbitrate(
        text, unsure(text, [("rsvp_meeting", 0.45), ("reply_ticket", 0.1)]), STAFF, THRESHOLD, kb_answers
    )
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "rsvp_meeting"


async def test_a_citizen_asking_after_what_they_filed_gets_their_status_however_unsure_the_nlu() -> None:
    u = unsure("我上个礼拜投诉嘅嘢点样啦", [("query_ticket", 0.52), ("withdraw_ticket", 0.05)])
    verdict = await arbitrate(u.text, u, CITIZEN, THRESHOLD, kb_answers)
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "query_ticket"
    # a question about something never filed stays the KB's
    q = unsure("居住证点样办", [("query_ticket", 0.52), ("ask_service", 0.05)])
    assert (await arbitrate(q.text, q, CITIZEN, THRESHOLD, kb_answers)).action is Action.KNOWLEDGE


async def none() -> bool:
    """The speaker has no ticket to follow up."""
    return False


async def one() -> bool:
    """The speaker has a ticket to follow up."""
    return True


async def kb_declines() -> KbDecision | None:
    return KbDecision.DECLINE


async def test_a_follow_up_asked_as_a_service_question_by_someone_with_no_ticket_goes_to_the_kb() -> None:
    """ "户口本上面个名写错咗点改" reads as 更正 for the NLU. From a citizen with no ticket to follow up, a question
    that speaks of nothing filed is the KB's when it knows an answer; otherwise the follow-up says there is no
    ticket. With a ticket, a word of filing, a code, or from staff, the follow-up stays."""
    confident = Understanding("户口本上面个名写错咗点改", "change_ticket_phone", 0.9, [("change_ticket_phone", 0.9)])

    verdict = await arbitrate(confident.text, confident, CITIZEN, THRESHOLD, kb_answers, none)
    assert verdict.action is Action.KNOWLEDGE and "没有在办工单" in verdict.why
    assert (await arbitrate(confident.text, confident, CITIZEN, THRESHOLD, kb_declines, none)).action is Action.INTENT
    assert (await arbitrate(confident.text, confident, CITIZEN, THRESHOLD, kb_answers, one)).action is Action.INTENT
    assert (await arbitrate(confident.text, confident, CITIZEN, THRESHOLD, kb_answers)).action is Action.INTENT
    for text in ("我个单电话写错咗点改", "GD2026111800001 电话点改", "电话写错咗，系13580071234"):
        u = Understanding(text, "change_ticket_phone", 0.9, [("change_ticket_phone", 0.9)])
        assert (await arbitrate(text, u, CITIZEN, THRESHOLD, kb_answers, none)).action is Action.INTENT, text


async def test_a_follow_up_worded_question_naming_a_service_goes_to_the_kb_even_with_a_ticket() -> None:
    """ "社保卡上面嘅地址可唔可以改" (更正事发地址 for the NLU, 社保卡 tagged as a service): what is to be changed is
    the service's, not the open ticket's, when the KB knows the matter."""
    service = [{"entity": "service", "value": "社保卡", "start": 0, "end": 3}]
    ranking = [("change_ticket_address", 0.9)]
    u = Understanding("社保卡上面嘅地址可唔可以改", "change_ticket_address", 0.9, ranking, service)

    verdict = await arbitrate(u.text, u, CITIZEN, THRESHOLD, kb_answers, one)
    assert verdict.action is Action.KNOWLEDGE and "办事事项" in verdict.why
    assert (await arbitrate(u.text, u, CITIZEN, THRESHOLD, kb_declines, one)).action is Action.INTENT
    filed = Understanding("我个单社保卡地址写错咗点改", u.intent, 0.9, u.ranking, service)
    assert (await arbitrate(filed.text, filed, CITIZEN, THRESHOLD, kb_answers, one)).action is Action.INTENT


async def test_with_nothing_filed_a_new_appeal_clearly_ahead_of_the_rest_is_filed() -> None:
    """ "我楼下个大排档日日搞到凌晨两点，吵到瞓唔着" (Rasa: complain 0.44, supplement 0.22) used to get a menu with
    补充诉求 for a citizen who had filed nothing. Without the follow-ups of a ticket, complain leads clearly: filed
    (the intake reads it back before anything is submitted). With a ticket, or asked as a question, it is not."""
    text = "我楼下个大排档日日搞到凌晨两点，吵到瞓唔着"
    u = unsure(text, [("complain", 0.44), ("supplement_ticket", 0.22), ("suggest", 0.04)])

    verdict = await arbitrate(text, u, CITIZEN, THRESHOLD, kb_declines, none)
    assert verdict.action is Action.INTENT and verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "complain"
    with_ticket = await arbitrate(text, u, CITIZEN, THRESHOLD, kb_declines, one)
    assert with_ticket.action is Action.CLARIFY and with_ticket.route is not None
    assert [o.name for o in with_ticket.route.options] == ["complain", "supplement_ticket", "suggest"]
    asked = unsure("楼下大排档日日开到两点，有冇人管", [("complain", 0.44), ("supplement_ticket", 0.22)])
    assert (await arbitrate(asked.text, asked, CITIZEN, THRESHOLD, kb_declines, none)).action is not Action.INTENT


async def test_with_nothing_filed_the_follow_ups_of_a_ticket_are_not_offered() -> None:
    text = "嗰度啲嘢一直都系咁"
    u = unsure(text, [("supplement_ticket", 0.3), ("query_ticket", 0.2), ("complain", 0.18), ("suggest", 0.12)])
    verdict = await arbitrate(text, u, CITIZEN, THRESHOLD, kb_declines, none)
    assert verdict.action is Action.CLARIFY and verdict.route is not None
    assert [o.name for o in verdict.route.options] == ["complain"]


async def test_a_progress_question_after_an_answer_asks_about_that_service_when_nothing_is_filed() -> None:
    """ "几久正做得好" (how long until done, Hakka) right after 居住证's answer: Rasa reads query_ticket 0.86. From a
    citizen with nothing filed it asks the service's time limit; with a ticket, or with no answer just given, it
    stays a question about the ticket."""
    text = "几久正做得好"
    u = Understanding(text, "query_ticket", 0.86, [("query_ticket", 0.86), ("thank", 0.02)])
    after = await arbitrate(text, u, CITIZEN, THRESHOLD, kb_answers, none, follows_answer=True)
    assert after.action is Action.KNOWLEDGE
    assert (await arbitrate(text, u, CITIZEN, THRESHOLD, kb_answers, none)).action is Action.INTENT
    assert (await arbitrate(text, u, CITIZEN, THRESHOLD, kb_answers, one, follows_answer=True)).action is Action.INTENT


async def test_progress_asked_alone_by_a_citizen_with_a_ticket_asks_after_it() -> None:
    """ "处理成点" after the department had answered the citizen's ticket (Rasa: nlu_fallback, query_ticket 0.31)
    got the KB's general handling times. From a citizen with a ticket to follow up, a progress question that names
    nothing asks after that ticket; with nothing filed, naming a service, or from staff, it does not."""
    for text in ("处理成点", "搞成点啊", "有冇结果", "进度点样", "办得点样了"):
        u = unsure(text, [("query_ticket", 0.31), ("list_todo", 0.29)])
        verdict = await arbitrate(text, u, CITIZEN, THRESHOLD, kb_answers, one)
        assert verdict.action is Action.INTENT and verdict.route is not None and verdict.route.spec is not None
        assert verdict.route.spec.name == "query_ticket", text
        assert (await arbitrate(text, u, CITIZEN, THRESHOLD, kb_answers, none)).action is Action.KNOWLEDGE, text
        assert (await arbitrate(text, u, STAFF, THRESHOLD, kb_answers, one)).action is not Action.INTENT, text
    named = unsure("社保卡处理成点", [("query_ticket", 0.31), ("ask_service", 0.29)])
    assert (await arbitrate(named.text, named, CITIZEN, THRESHOLD, kb_answers, one)).action is Action.KNOWLEDGE


def test_what_asks_progress_alone() -> None:
    from nlu.asking import asks_progress_alone

    for said in ("处理成点", "有没有进展？", "情况点样", "点样啦"):
        assert asks_progress_alone(said), said
    for said in ("点", "点解", "情况", "社保卡处理成点", "点样办居住证", "有冇人"):
        assert not asks_progress_alone(said), said


async def test_a_dispatcher_asking_where_a_ticket_goes_is_the_dispatch_flow_whatever_the_nlu() -> None:
    """ "呢张唔知派边度好" (Rasa: nlu_fallback, nothing else near) got "没有理解": a word of dispatching and a
    question about where is the dispatch flow, which answers a question with the proposal and dispatches nothing.
    Not for other staff, and not for 派出所."""
    dispatcher = frozenset({Role.STAFF, Role.DISPATCHER})
    u = unsure("呢张唔知派边度好", [("list_todo", 0.2), ("ticket_queue", 0.18)])
    verdict = await arbitrate(u.text, u, dispatcher, THRESHOLD, kb_declines)
    assert verdict.route is not None and verdict.route.spec is not None
    assert verdict.route.spec.name == "dispatch_ticket"
    other = await arbitrate(u.text, u, STAFF, THRESHOLD, kb_declines)
    assert other.route is None or other.route.spec is None or other.route.spec.name != "dispatch_ticket"
    station = unsure("派出所喺边度", [("ask_service", 0.3)])
    assert (await arbitrate(station.text, station, dispatcher, THRESHOLD, kb_answers)).action is Action.KNOWLEDGE


async def test_a_staff_menu_offers_no_follow_up_of_a_ticket_they_never_filed() -> None:
    """ "我有咩要批" (Rasa: nlu_fallback, query_document, list_todo, change_ticket_phone) offered a civil servant
    更正联系电话, a citizen's follow-up of a ticket they never filed."""
    u = unsure("我有咩要批", [("query_document", 0.3), ("list_todo", 0.28), ("change_ticket_phone", 0.1)])
    verdict = await arbitrate(u.text, u, STAFF, THRESHOLD, kb_declines, none)
    assert verdict.action is Action.CLARIFY and verdict.route is not None
    assert [o.name for o in verdict.route.options] == ["query_document", "list_todo"]
    filed = await arbitrate(u.text, u, STAFF, THRESHOLD, kb_declines, one)
    assert filed.route is not None and "change_ticket_phone" in [o.name for o in filed.route.options]
