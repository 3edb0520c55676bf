"""Emergencies' chat face: what the citizen is told, and the urgent flag for the operators.

The classifier (``nlu/emergency.py``) says whether a message is an emergency and of which kind; this
module words the one immediate reply (the number(s) to call, the hotline's transfer wording, safety
advice for that kind) and flags the conversation as an urgent handoff (``office_flows/handoff/urgent.py``)
through the same desk as every other handoff. The bot's ``EmergencyFirst`` handler calls it before any
other handler, so an emergency is never answered from the KB nor turned into a ticket.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from integrations.contract import Outcome, SessionData
from integrations.handoff import SESSION_KEY, HandoffDesk
from kernel.logging_setup import mask_sensitive
from nlu.emergency import NUMBERS, Verdict
from office_flows.handoff import urgent
from office_flows.handoff.models import TAKEN

log = logging.getLogger(__name__)

NUMBER_NAMES = {"110": "110 报警电话", "119": "119 火警电话", "120": "120 急救电话", "122": "122 交通事故报警电话"}


@dataclass(frozen=True)
class KindText:
    label: str
    advice: str


KIND_TEXT: dict[str, KindText] = {
    "fire": KindText(
        "火灾",
        "请立即离开着火区域，用湿毛巾捂住口鼻、弯腰低姿沿安全出口撤离，不要乘坐电梯，不要返回取物；"
        "被困时关紧房门、用湿布堵住门缝，到窗口或阳台呼救。",
    ),
    "medical": KindText(
        "医疗急症",
        "请让病人平躺、保持呼吸道通畅，不要随意搬动摔伤或车祸的伤者；如病人没有呼吸、心跳，"
        "按 120 调度员的指导进行心肺复苏；出血时用干净布料用力按压伤口；中毒时保留药瓶或食物。",
    ),
    "crime": KindText(
        "治安或刑事警情",
        "请先确保自身安全，尽快离开危险地点或躲到安全、可锁门的地方，不要与持械人员正面对抗；"
        "记住对方的外貌特征、车牌和逃跑方向。",
    ),
    "gas": KindText(
        "燃气泄漏",
        "请不要开关任何电器和电灯、不要使用明火、不要在室内打电话；立即关闭燃气总阀，打开门窗通风，"
        "迅速离开现场，到室外安全地点再拨打电话，并通知燃气公司。",
    ),
    "traffic": KindText(
        "交通事故有人受伤",
        "请开启危险报警闪光灯、在来车方向放置警告标志，人员撤到护栏外等安全地点；"
        "不要随意搬动受伤人员（车辆起火等危险情况除外），出血时按压止血。",
    ),
    "drowning": KindText(
        "溺水",
        "请立即大声呼救，向落水者抛救生圈、绳子、竹竿等漂浮物施救，不会游泳不要下水，不要手拉手施救；"
        "救上岸后如没有呼吸，按 120 调度员的指导进行心肺复苏。",
    ),
    "trapped": KindText(
        "人员被困",
        "被困电梯时请按紧急呼叫按钮、拨打电梯内的救援电话，不要扒门或攀爬；水浸被困请往高处转移，"
        "不要涉水或驾车通过积水；房屋倒塌时远离危墙，保存体力，敲击管道发出求救信号。",
    ),
}

FLAGGED = "12345 热线已为您标记紧急，人工客服将尽快联系您；您也可以继续在这里补充详细地址和现场情况。"
OPERATOR_HERE = "12345 热线已为您标记紧急，正在与您对话的人工客服会立即看到这条消息。"
NO_OPERATORS = "12345 热线已为您标记紧急；如需人工协助，请拨打 12345 热线（7×24 小时）。"
KEPT = "您之前正在办理的登记已为您保留，紧急情况处理完后可以继续。"


def dial_text(numbers: tuple[str, ...]) -> str:
    """ "122 交通事故报警电话和 120 急救电话"; three: "110 报警电话、119 火警电话和 120 急救电话"."""
    names = [NUMBER_NAMES[n] for n in numbers]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "和 " + names[-1]


def emergency_text(kind: str, flagged: str, *, kept: bool) -> str:
    text = KIND_TEXT[kind]
    lines = [
        f"【紧急】这可能是紧急情况（{text.label}）！请立即拨打 {dial_text(NUMBERS[kind])}，"
        "说清楚详细地址、现场情况和您的联系电话，并保持电话畅通。",
        f"安全提示：{text.advice}",
        flagged,
    ]
    if kept:
        lines.append(KEPT)
    return "\n".join(lines)


async def respond(
    desk: HandoffDesk,
    verdict: Verdict,
    channel: str,
    sender: str,
    written: str,
    session: SessionData,
    *,
    dialogue_open: bool,
) -> Outcome:
    """Log the event (masked), flag an urgent handoff, and word the one reply."""
    kind = verdict.kind or "medical"
    log.warning(
        "emergency (%s, score %.2f) on %s from %s: %s",
        kind,
        verdict.score,
        channel,
        mask_sensitive(sender),
        mask_sensitive(written)[:200],
    )
    if desk.config is None:
        log.warning("emergency not flagged for an operator: human handoff is switched off")
        return Outcome.say(emergency_text(kind, NO_OPERATORS, kept=dialogue_open))
    async with desk.db.session() as s:
        h, _created = await urgent.flag_emergency(
            s,
            desk.config,
            channel,
            sender,
            kind=kind,
            label=KIND_TEXT[kind].label,
            numbers=NUMBERS[kind],
            text=written,
            now=desk.clock.now(),
        )
        session[SESSION_KEY] = h.id
        status = h.status
    flagged = OPERATOR_HERE if status == TAKEN else FLAGGED
    return Outcome.say(emergency_text(kind, flagged, kept=dialogue_open))
