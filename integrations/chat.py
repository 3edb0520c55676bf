"""Small talk's chat face: greetings, thanks, goodbyes and out-of-scope chatter get a short answer."""

from __future__ import annotations

from integrations.contract import FlowCall, IntentRegistry, Outcome

OUT_OF_SCOPE = (
    "抱歉，这个问题超出了我的服务范围。我可以解答政务服务办事问题，或帮您反映诉求（投诉、举报、求助、建议）。"
)
# What answers: said when asked ("你系咪机器人", "你哋系咪政府嘅"), in the chat and mid-intake alike.
WHO = (
    "我是梅江区 12345 政务服务智能助手（机器人），随时在线：可以解答办事问题、帮您登记投诉建议、查询工单进度。"
    "需要人工客服请回复“人工”，或拨打 12345 热线。"
)
ANSWERS = {
    "greet": "您好！请问有什么可以帮您？可以直接问办事问题，或反映诉求。",
    "thank": "不客气！还有其他问题随时问我。",
    "goodbye": "再见！如有需要随时找我，或拨打 12345 热线。",
    "out_of_scope": OUT_OF_SCOPE,
}


def register(flows: IntentRegistry) -> None:
    async def small_talk(call: FlowCall) -> Outcome:
        return Outcome.say(ANSWERS[call.spec.name])

    for intent in ANSWERS:
        flows.register(intent, small_talk)
