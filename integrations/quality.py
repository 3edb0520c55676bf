"""Quality inspection's chat face: the supervisors' /质检 summary and one ticket's findings, worded for chat."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.contract import FlowCall, IntentRegistry, texts
from kernel.clock import Clock
from kernel.db import Database
from office_flows.quality import queries
from office_flows.quality.models import BOT, SEVERITY_LABELS, TICKET
from office_flows.quality.queries import FindingRow
from office_flows.quality.service import QualityService, month_of

NOTHING_YET = "本月暂无质检结果（工单办结、人工对话和机器人对话结束后自动质检）。"


def evidence_text(f: FindingRow) -> str:
    """The evidence of a finding in one line: the quoted text and the times."""
    ev = f.evidence
    parts = []
    if ev.get("turns"):
        parts.append("第 " + "、".join(str(n) for n in ev["turns"]) + " 轮")
    elif ev.get("turn"):
        parts.append(f"第 {ev['turn']} 轮")
    if ev.get("quote"):
        quote = str(ev["quote"])
        parts.append(f"原文：“{quote[:80]}{'…' if len(quote) > 80 else ''}”")
    times = {
        "deadline": "时限",
        "answered": "答复",
        "sign_deadline": "签收时限",
        "signed": "签收",
        "rated": "差评",
        "callback_due": "回访时限",
        "callback": "回访",
        "requested": "转人工",
        "taken": "接入",
        "asked": "市民发送",
    }
    stamps = [f"{label} {ev[key]}" for key, label in times.items() if ev.get(key)]
    if stamps:
        parts.append("；".join(stamps))
    if ev.get("reply"):
        reply = str(ev["reply"])
        parts.append(f"机器人回复：“{reply[:80]}{'…' if len(reply) > 80 else ''}”")
    if ev.get("missing"):
        parts.append("缺：" + "、".join(ev["missing"]))
    return "；".join(parts)


@dataclass
class QualityDesk:
    db: Database
    clock: Clock
    service: QualityService

    async def summary(self) -> str:
        month = month_of(self.clock.now())
        async with self.db.session() as s:
            total = await queries.totals(s, month)
            if not total["inspected"]:
                return NOTHING_YET
            depts = await queries.scores(s, "department", month)
            ops = await queries.scores(s, "operator", month)
            prec = await queries.precision(s)
            bots = await queries.totals(s, month, BOT)
            bot_rules = await queries.rule_counts(s, month, BOT)
            queue = await queries.findings(s, month=month, sampled=True, unreviewed=True, limit=1000)
        lines = [
            f"{month} 质检：已检 {total['inspected']} 件（工单、人工对话与机器人对话），平均 {total['score']} 分；"
            f"必改问题 {total['must_fix']} 条（涉及 {total['with_must_fix']} 件），建议 {total['advice']} 条。",
        ]
        if bots["inspected"]:
            found = "；".join(f"{self.service.label(r)} {n} 条" for r, n in bot_rules.items()) or "未发现问题"
            lines.append(
                f"机器人对话：已检 {bots['inspected']} 次，平均 {bots['score']} 分，"
                f"有必改问题的 {bots['with_must_fix']} 次；{found}。"
            )
        worst = [d for d in depts if d.key][:3]
        if worst:
            lines.append("得分最低的部门：" + "；".join(f"{d.label} {d.score} 分（{d.inspected} 件）" for d in worst))
        named = [o for o in ops if o.key][:3]
        if named:
            lines.append("得分最低的承办人/客服：" + "；".join(f"{o.label} {o.score} 分" for o in named))
        rated = [p for p in prec if p.reviewed]
        if rated:
            lines.append(
                "规则准确率（人工复核）："
                + "；".join(f"{self.service.label(p.rule)} {p.upheld}/{p.reviewed}" for p in rated)
            )
        lines.append(
            f"待复核抽样 {len(queue)} 条。发送“/质检 工单编号”查看一张工单的质检结果；详情见管理后台“质检”页。"
        )
        return "\n".join(lines)

    async def ticket(self, code: str) -> str:
        async with self.db.session() as s:
            found = await queries.for_subject(s, TICKET, code)
        if found is None:
            return f"工单 {code} 还没有质检结果（办结后自动质检）。"
        insp, rows = found
        head = f"工单 {code} 质检：{insp.score:.0f} 分，必改 {insp.must_fix} 条，建议 {insp.advice} 条。"
        lines = [head]
        for f in rows:
            verdict = f"（复核：{f.verdict}）" if f.verdict else ""
            lines.append(f"【{SEVERITY_LABELS[f.severity]}】{f.message}{verdict}\n  {evidence_text(f)}")
        for rule, why in (insp.notes or {}).items():
            lines.append(f"【{self.service.label(rule)}】{why}")
        if insp.model_score is not None:
            lines.append(f"模型评分：{insp.model_score:.2f}（{insp.model_name}）")
        if not rows:
            lines.append("未发现问题。")
        return "\n".join(lines)


def register(registry: IntentRegistry, desk: QualityDesk) -> None:
    """ "质检情况点样": the month's summary, as ``/质检`` gives it (the intent's roles are the supervisors')."""

    async def quality_summary(call: FlowCall) -> list[str]:
        return [await desk.summary()]

    registry.register("quality_summary", texts(quality_summary))
