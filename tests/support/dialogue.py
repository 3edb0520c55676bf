"""The dialogue kit: a conversation with the bot written as a table of turns and checked exactly
(after Zulip's ``verify_dialog``).

    await verify_dialog(rt, [
        ("我要投诉隔壁工地半夜施工", "具体地点"),                # what the user says, what the bot answers
        ("demo-zhongli", "/待办", "另有 1 张待派单工单"),         # who says it (else the `sender` argument)
        ("人工", re.compile(r"正在为您转接人工客服")),            # a regex, searched in the reply
        ("补办要带什么材料", []),                                # no reply at all
        ("/同意 FW-2026-001", ["已签发", "请办公室印发"]),        # exactly two replies, in this order
        Turn("/接入 1", "已接入", who="@op:localhost", channel="matrix"),
    ], sender="citizen-1")

Each turn is checked in three ways, and the first that fails names the turn, what was said and what came back:

1. no reply is the bot's generic failure reply (``bot.bot.FAILURE``: a handler raised and the bot swallowed
   it), whatever the turn expects;
2. the number of replies: a single expectation (a string or a regex) means exactly one reply, a list means
   exactly that many, ``[]`` means none;
3. their content, in order: a string must be a substring of its reply, a regex must match somewhere in it.

``verify_dialog`` talks to ``Bot.process`` directly; ``verify_http_dialog`` posts the same turns to the REST
channel (``/webhooks/rest/webhook``) of a running app. Both return the replies of every turn, so that a test
can read a ticket code or a button from them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from bot.bot import FAILURE
from bot.messages import Incoming

Pattern: TypeAlias = str | re.Pattern[str]
Expect: TypeAlias = Pattern | Sequence[Pattern]


@dataclass(frozen=True)
class Turn:
    """One turn: what the user says and what the bot must answer; `who` and `channel` override the defaults."""

    says: Any  # a str for the bot; for the HTTP channel any JSON value (the channel must refuse non-text)
    expect: Expect
    who: str | None = None
    channel: str | None = None


TurnLike: TypeAlias = Turn | tuple[Any, Expect] | tuple[str, Any, Expect]


def as_turn(turn: TurnLike) -> Turn:
    if isinstance(turn, Turn):
        return turn
    if len(turn) == 2:
        return Turn(turn[0], turn[1])
    if len(turn) == 3:
        return Turn(turn[1], turn[2], who=turn[0])
    raise TypeError(f"a turn is (says, expect), (who, says, expect) or Turn(...), not {turn!r}")


def expected_list(expect: Expect) -> list[Pattern]:
    if isinstance(expect, str | re.Pattern):
        return [expect]
    return list(expect)


def _show(p: Pattern) -> str:
    return f"/{p.pattern}/" if isinstance(p, re.Pattern) else repr(p)


def _matches(p: Pattern, text: str) -> bool:
    return p.search(text) is not None if isinstance(p, re.Pattern) else p in text


def check_turn(n: int, total: int, turn: Turn, who: str, channel: str, texts: list[str]) -> None:
    """Assert one turn's replies: never the failure reply, exactly as many as expected, each matching in order."""
    __tracebackhide__ = True
    wanted = expected_list(turn.expect)
    got = "\n".join(f"    {i}. {t!r}" for i, t in enumerate(texts, start=1)) or "    (no reply)"
    head = (
        f"turn {n} of {total}: {who} on {channel} said {turn.says!r}\n"
        f"  expected {len(wanted)} repl{'y' if len(wanted) == 1 else 'ies'}: "
        f"{', '.join(_show(p) for p in wanted) or '(none)'}\n"
        f"  got {len(texts)}:\n{got}"
    )
    assert not any(FAILURE in t for t in texts), f"the bot answered with its failure reply (a handler raised)\n{head}"
    assert len(texts) == len(wanted), f"wrong number of replies\n{head}"
    for i, (p, t) in enumerate(zip(wanted, texts, strict=True), start=1):
        assert _matches(p, t), f"reply {i} does not match {_show(p)}\n{head}"


async def verify_dialog(
    bot_or_rt: Any,
    turns: Sequence[TurnLike],
    *,
    channel: str = "rest",
    sender: str = "citizen",
    names: Mapping[str, str] | None = None,
) -> list[list[str]]:
    """Play the turns through ``Bot.process`` (a Bot, or a Runtime's bot) and check every reply.

    `names` maps the speakers written in the table (张伟) to their sender ids (demo-zhangwei); a speaker not in
    it is a sender id. Returns the reply texts of each turn."""
    __tracebackhide__ = True
    bot = getattr(bot_or_rt, "bot", bot_or_rt)
    table = [as_turn(t) for t in turns]
    answers: list[list[str]] = []
    for n, turn in enumerate(table, start=1):
        who, where = turn.who or sender, turn.channel or channel
        sender_id = (names or {}).get(who, who)
        texts = [r.text for r in await bot.process(Incoming(where, sender_id, turn.says))]
        shown = who if sender_id == who else f"{who} ({sender_id})"
        check_turn(n, len(table), turn, shown, where, texts)
        answers.append(texts)
    return answers


async def verify_http_dialog(
    client: Any, turns: Sequence[TurnLike], *, sender: str = "citizen", path: str = "/webhooks/rest/webhook"
) -> list[list[dict[str, Any]]]:
    """Play the turns through the REST channel of a running app (an aiohttp TestClient) and check every reply.

    Each turn must get HTTP 200 with messages addressed to its sender. Returns each turn's messages as JSON
    (``text``, ``buttons``, …)."""
    __tracebackhide__ = True
    table = [as_turn(t) for t in turns]
    answers: list[list[dict[str, Any]]] = []
    for n, turn in enumerate(table, start=1):
        who = turn.who or sender
        resp = await client.post(path, json={"sender": who, "message": turn.says})
        assert resp.status == 200, f"turn {n}: {who} said {turn.says!r}: HTTP {resp.status} {await resp.text()}"
        body = await resp.json()
        assert all(m.get("recipient_id") == who for m in body), f"turn {n}: replies not addressed to {who}: {body}"
        check_turn(n, len(table), turn, who, "rest (HTTP)", [str(m.get("text", "")) for m in body])
        answers.append(body)
    return answers
