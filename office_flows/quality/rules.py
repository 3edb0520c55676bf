"""The inspection rules: pure functions from the facts of a ticket or a conversation to findings.

Rules are configured in a JSON file (``default_rules.json`` here, or the file ``GOVCHAT_QUALITY_RULES`` names):
per rule ``enabled``, ``severity`` (``must`` 必改 / ``advice`` 建议), a Chinese ``label`` and its ``params``.
A rule that cannot judge says so in the inspection's notes instead of guessing (the category check without
a router model: "无法判断").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from office_flows.handoff import asking
from office_flows.quality.models import ADVICE, MUST

CANNOT_JUDGE = "无法判断"
WEIGHTS = {MUST: 20.0, ADVICE: 5.0}
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|\"[^\"]*\"|‘[^’]*’")


class RuleError(ValueError):
    """The rules file cannot be used; the message is Chinese."""


@dataclass(frozen=True)
class RuleConfig:
    name: str
    enabled: bool
    severity: str
    label: str
    params: dict[str, Any]


def _read(path: Path | None) -> dict[str, Any]:
    try:
        if path is None:
            raw = (resources.files(__package__) / "default_rules.json").read_text(encoding="utf-8")
        else:
            raw = path.read_text(encoding="utf-8")
        data = json.loads(raw)
    except (OSError, json.JSONDecodeError) as e:
        raise RuleError(f"质检规则文件无法读取：{e}") from e
    if not isinstance(data, dict):
        raise RuleError("质检规则文件应为一个 JSON 对象：规则名 → 设置")
    return data


def load_rules(path: Path | None = None) -> dict[str, RuleConfig]:
    """The shipped rules, overlaid by the file ``path`` names (a rule's settings and params are merged, so the
    file only states what it changes); unknown rules and bad severities are errors."""
    data = _read(None)
    for name, spec in (_read(path) if path else {}).items():
        if name not in data:
            raise RuleError(f"质检规则文件中有未知规则：{name}")
        if not isinstance(spec, dict):
            raise RuleError(f"规则 {name} 的设置应为 JSON 对象")
        merged = {**data[name], **spec}
        merged["params"] = {**data[name].get("params", {}), **spec.get("params", {})}
        data[name] = merged
    out: dict[str, RuleConfig] = {}
    for name, spec in data.items():
        severity = spec.get("severity", MUST)
        if severity not in (MUST, ADVICE):
            raise RuleError(f"规则 {name} 的级别应为 must 或 advice，而不是 {severity}")
        out[name] = RuleConfig(
            name, bool(spec.get("enabled", True)), severity, str(spec.get("label", name)), dict(spec.get("params", {}))
        )
    return out


@dataclass(frozen=True)
class Rating:
    level: int | None
    at: datetime


@dataclass(frozen=True)
class TicketFacts:
    code: str
    kind: str
    content: str
    address: str
    phone: str
    anonymous: bool
    category: str
    department: str
    result: str
    created: datetime
    now: datetime
    dispatched: datetime | None = None
    sign_deadline: datetime | None = None
    signed: datetime | None = None
    deadline: datetime | None = None
    answered: datetime | None = None
    ratings: tuple[Rating, ...] = ()
    callback_due: datetime | None = None
    callback_at: datetime | None = None


@dataclass(frozen=True)
class Line:
    author: str  # citizen, operator, system
    text: str
    at: datetime


@dataclass(frozen=True)
class ConversationFacts:
    ref: str
    created: datetime
    taken: datetime | None
    ended: datetime | None
    lines: tuple[Line, ...]
    now: datetime


@dataclass(frozen=True)
class BotTurnFacts:
    """One turn of a conversation with the bot alone (masked texts, as recorded)."""

    seq: int
    text: str
    replies: tuple[str, ...]
    kb: str = ""  # answer / choices / decline when the knowledge base answered
    failure: bool = False  # the generic failure reply was given
    handoff: bool = False  # a handoff to a person was open after the turn


@dataclass(frozen=True)
class BotFacts:
    ref: str
    turns: tuple[BotTurnFacts, ...]


@dataclass(frozen=True)
class Hit:
    rule: str
    severity: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


class CategoryJudge(Protocol):
    """The department router's view: the category it predicts for a text and how sure, or None without a model."""

    def __call__(self, text: str) -> tuple[str, float] | None: ...


@dataclass
class Context:
    rules: dict[str, RuleConfig]
    judge: CategoryJudge | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def on(self, name: str) -> RuleConfig | None:
        cfg = self.rules.get(name)
        return cfg if cfg is not None and cfg.enabled else None


def _t(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else ""


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} 分钟"


def reply_elements(f: TicketFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("reply_elements")
    if cfg is None or f.answered is None or f.kind in cfg.params.get("exempt_kinds", []):
        return
    text = f.result
    missing = []
    if not any(w in text for w in cfg.params["result_words"]):
        missing.append("处理结果")
    if not any(w in text for w in cfg.params["basis_words"]):
        missing.append("依据")
    if not re.search(cfg.params["contact_pattern"], text):
        missing.append("联系方式")
    if missing:
        yield Hit(cfg.name, cfg.severity, f"答复缺少{'、'.join(missing)}", {"quote": text, "missing": missing})


def _forbidden(texts: Iterable[tuple[str, str]], ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("forbidden_phrase")
    if cfg is None:
        return
    for where, text in texts:
        bare = _QUOTED.sub("", text)  # a phrase quoted from the citizen is not the answerer's own
        for phrase in cfg.params["phrases"]:
            if phrase in bare:
                yield Hit(cfg.name, cfg.severity, f"{where}使用服务禁语“{phrase}”", {"quote": text, "phrase": phrase})
                break


def forbidden_in_reply(f: TicketFacts, ctx: Context) -> Iterable[Hit]:
    return _forbidden([("答复", f.result)], ctx) if f.result else ()


def required_fields(f: TicketFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("required_fields")
    if cfg is None:
        return
    missing = []
    if not f.content.strip():
        missing.append("诉求内容")
    if f.kind in cfg.params.get("address_kinds", []) and not f.address.strip():
        missing.append("事发地址")
    if not f.anonymous and not f.phone.strip():
        missing.append("联系电话")
    if not f.department:
        missing.append("承办部门")
    if missing:
        yield Hit(cfg.name, cfg.severity, f"工单缺少{'、'.join(missing)}", {"missing": missing, "kind": f.kind})


def category_fit(f: TicketFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("category_fit")
    if cfg is None:
        return
    if not f.category:
        ctx.notes[cfg.name] = f"{CANNOT_JUDGE}（工单未记录分类）"
        return
    predicted = ctx.judge(f.content) if ctx.judge else None
    if predicted is None:
        ctx.notes[cfg.name] = f"{CANNOT_JUDGE}（尚未训练分派模型：govchat tickets router train）"
        return
    label, confidence = predicted
    if label != f.category and confidence >= float(cfg.params.get("min_confidence", 0.6)):
        yield Hit(
            cfg.name,
            cfg.severity,
            f"分类“{f.category}”与内容不符，分派模型判断为“{label}”（{confidence:.0%}）",
            {"quote": f.content, "recorded": f.category, "predicted": label, "confidence": round(confidence, 3)},
        )


def overdue_answer(f: TicketFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("overdue_answer")
    if cfg is None or f.deadline is None or f.answered is None:
        return
    late = (f.answered - f.deadline).total_seconds() - 60 * float(cfg.params.get("grace_minutes", 0))
    if late > 0:
        yield Hit(
            cfg.name,
            cfg.severity,
            f"超过办理时限 {late / 3600:.1f} 小时答复",
            {"deadline": _t(f.deadline), "answered": _t(f.answered)},
        )


def late_sign(f: TicketFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("late_sign")
    if cfg is None or f.sign_deadline is None or f.signed is None or f.signed <= f.sign_deadline:
        return
    yield Hit(
        cfg.name, cfg.severity, "超过签收时限签收", {"sign_deadline": _t(f.sign_deadline), "signed": _t(f.signed)}
    )


def bad_rating_no_callback(f: TicketFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("bad_rating_no_callback")
    if cfg is None:
        return
    bad = [r for r in f.ratings if r.level in cfg.params.get("bad_levels", [1, 2])]
    if not bad or f.callback_due is None:
        return
    if f.callback_at is None and f.callback_due < f.now:
        yield Hit(
            cfg.name,
            cfg.severity,
            "差评后未在时限内回访",
            {"rated": _t(bad[0].at), "level": bad[0].level, "callback_due": _t(f.callback_due), "callback": "未回访"},
        )
    elif f.callback_at is not None and f.callback_at > f.callback_due:
        yield Hit(
            cfg.name,
            cfg.severity,
            "差评后回访超过时限",
            {
                "rated": _t(bad[0].at),
                "level": bad[0].level,
                "callback_due": _t(f.callback_due),
                "callback": _t(f.callback_at),
            },
        )


def handoff_wait(c: ConversationFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("handoff_wait")
    if cfg is None:
        return
    limit = float(cfg.params.get("max_seconds", 180))
    end = c.taken or c.ended or c.now
    waited = (end - c.created).total_seconds()
    if waited > limit:
        how = "后接入" if c.taken else "仍无人接入（市民已离开或仍在排队）"
        yield Hit(
            cfg.name,
            cfg.severity,
            f"市民等待 {_minutes(waited)}{how}，超过 {_minutes(limit)}",
            {"requested": _t(c.created), "taken": _t(c.taken), "ended": _t(c.ended), "waited_seconds": int(waited)},
        )


def slow_reply(c: ConversationFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("slow_reply")
    if cfg is None or c.taken is None:
        return
    limit = float(cfg.params.get("max_seconds", 180))
    pending: Line | None = None
    worst: tuple[float, Line, datetime] | None = None
    for line in c.lines:
        if line.at < c.taken:
            continue
        if line.author == "citizen" and pending is None:
            pending = line
        elif line.author == "operator" and pending is not None:
            delay = (line.at - pending.at).total_seconds()
            if delay > limit and (worst is None or delay > worst[0]):
                worst = (delay, pending, line.at)
            pending = None
    if worst is not None:
        delay, asked, answered = worst
        yield Hit(
            cfg.name,
            cfg.severity,
            f"市民消息 {_minutes(delay)}后才得到回复，超过 {_minutes(limit)}",
            {"quote": asked.text, "asked": _t(asked.at), "answered": _t(answered)},
        )


def forbidden_in_conversation(c: ConversationFacts, ctx: Context) -> Iterable[Hit]:
    return _forbidden([("人工客服", line.text) for line in c.lines if line.author == "operator"], ctx)


def _said(t: BotTurnFacts) -> str:
    return "\n".join(t.replies)


def _short(text: str, n: int = 200) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _turns_where(c: BotFacts, cfg: RuleConfig, wanted: Callable[[BotTurnFacts], bool], message: str) -> Iterable[Hit]:
    """A finding for each turn ``wanted`` picks; ``message`` names the turn as ``{seq}``."""
    for t in c.turns:
        if wanted(t):
            evidence = {"turn": t.seq, "quote": _short(t.text), "reply": _short(_said(t))}
            yield Hit(cfg.name, cfg.severity, message.format(seq=t.seq), evidence)


def bot_failure(c: BotFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("bot_failure")
    if cfg is None:
        return ()
    return _turns_where(c, cfg, lambda t: t.failure, "第 {seq} 轮机器人给出了通用故障回复")


def bot_loop(c: BotFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("bot_loop")
    if cfg is None:
        return
    need = max(2, int(cfg.params.get("min_repeats", 3)))
    run: list[BotTurnFacts] = []
    handed = next((i for i, t in enumerate(c.turns) if t.handoff), len(c.turns))
    for t in (*c.turns[: handed + 1], None):  # once a person has the conversation, "please wait" may repeat
        if t is not None and t.replies and run and _said(t) == _said(run[-1]):
            run.append(t)
            continue
        if len(run) >= need:
            yield Hit(
                cfg.name,
                cfg.severity,
                f"第 {run[0].seq}–{run[-1].seq} 轮机器人连续 {len(run)} 次给出同样的回复",
                {"turn": run[0].seq, "turns": [x.seq for x in run], "quote": _short(_said(run[0]))},
            )
        run = [t] if t is not None and t.replies else []


def bot_decline_no_offer(c: BotFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("bot_decline_no_offer")
    if cfg is None:
        return ()
    offers = [str(w) for w in cfg.params.get("offer_words", [])]

    def bare(t: BotTurnFacts) -> bool:
        return t.kb == "decline" and not t.handoff and not any(w in _said(t) for w in offers)

    return _turns_where(c, cfg, bare, "第 {seq} 轮知识库未能回答，也未提供登记工单或转人工")


def bot_human_unanswered(c: BotFacts, ctx: Context) -> Iterable[Hit]:
    cfg = ctx.on("bot_human_unanswered")
    if cfg is None:
        return
    # The wording that asks for a person is the bot's own (office_flows/handoff/asking.py); the rule's
    # ``phrases`` add venting (垃圾机器人, 冇用 …) and ``not_when`` more words in another sense.
    phrases = [*asking.PHRASES, *(str(p) for p in cfg.params.get("phrases", []) if str(p) not in asking.PHRASES)]
    ignore = (*asking.OTHER_SENSES, *(str(p) for p in cfg.params.get("not_when", [])))
    for i, t in enumerate(c.turns):
        found = asking.person_phrases(t.text, phrases, ignore)
        if not found:
            continue
        said = "”“".join(found)
        if not any(later.handoff for later in c.turns[i:]):
            yield Hit(
                cfg.name,
                cfg.severity,
                f"第 {t.seq} 轮市民要求人工或表达不满（“{said}”），之后未转人工",
                {"turn": t.seq, "quote": _short(t.text), "phrases": found, "reply": _short(_said(t))},
            )
        return  # the first such turn speaks for the conversation


def forbidden_in_bot(c: BotFacts, ctx: Context) -> Iterable[Hit]:
    for t in c.turns:
        for hit in _forbidden([(f"第 {t.seq} 轮机器人回复", r) for r in t.replies], ctx):
            yield Hit(hit.rule, hit.severity, hit.message, {**hit.evidence, "turn": t.seq})
            break


TicketRule = Callable[[TicketFacts, Context], Iterable[Hit]]
ConversationRule = Callable[[ConversationFacts, Context], Iterable[Hit]]
BotRule = Callable[[BotFacts, Context], Iterable[Hit]]
TICKET_RULES: dict[str, TicketRule] = {
    "reply_elements": reply_elements,
    "forbidden_phrase": forbidden_in_reply,
    "required_fields": required_fields,
    "category_fit": category_fit,
    "overdue_answer": overdue_answer,
    "late_sign": late_sign,
    "bad_rating_no_callback": bad_rating_no_callback,
}
CONVERSATION_RULES: dict[str, ConversationRule] = {
    "handoff_wait": handoff_wait,
    "slow_reply": slow_reply,
    "forbidden_phrase": forbidden_in_conversation,
}


BOT_RULES: dict[str, BotRule] = {
    "bot_failure": bot_failure,
    "bot_loop": bot_loop,
    "bot_decline_no_offer": bot_decline_no_offer,
    "bot_human_unanswered": bot_human_unanswered,
    "forbidden_phrase": forbidden_in_bot,
}


def inspect_ticket(f: TicketFacts, ctx: Context) -> list[Hit]:
    return [hit for rule in TICKET_RULES.values() for hit in rule(f, ctx)]


def inspect_conversation(c: ConversationFacts, ctx: Context) -> list[Hit]:
    return [hit for rule in CONVERSATION_RULES.values() for hit in rule(c, ctx)]


def inspect_bot(c: BotFacts, ctx: Context) -> list[Hit]:
    return [hit for rule in BOT_RULES.values() for hit in rule(c, ctx)]


def score_of(hits: Iterable[Hit]) -> float:
    return max(0.0, 100.0 - sum(WEIGHTS[h.severity] for h in hits))
