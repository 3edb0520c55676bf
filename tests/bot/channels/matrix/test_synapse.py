"""The bot against a real Synapse, driven by real matrix-nio clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from govchat.runtime import Runtime
from kernel.config import Settings
from kernel.identity import StaticRoles
from nlu.service import NluService
from office_flows.directory.demo import load_demo_directory
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.directory.store import link_identity
from tests.support.kb_rig import QUESTION, kb_runtime
from tests.support.matrix_people import Speaker, bot_config, running_bot
from tests.support.nlu_double import RecordedParser, nlu_result
from tests.support.synapse_fixture import SynapseServer

APPROVE = "同意 FW-2026-015，请办公室印发"
COMPLAINT = "我要投诉隔壁工地半夜施工，吵得睡不着"
RECORDED = {APPROVE: nlu_result("approve_document"), COMPLAINT: nlu_result("complain")}


@pytest.fixture
async def rt(sqlite_settings: Settings) -> AsyncIterator[Runtime]:
    runtime = await kb_runtime(sqlite_settings)  # the system clock: Synapse timestamps are real
    runtime.bot.services.nlu = NluService(RecordedParser(RECORDED), runtime.clock)
    yield runtime
    await runtime.close()


async def speaker(server: SynapseServer) -> Speaker:
    return await Speaker(server.url, server.register()).open()


async def test_citizen_question_answered_and_staff_passes_the_role_check(rt, synapse):
    bot = synapse.register()
    citizen, staff = await speaker(synapse), await speaker(synapse)
    async with rt.db.session() as s:
        await load_demo_directory(s)
        await link_identity(s, "MJ001", "matrix", staff.user.user_id, by="test")
    async with running_bot(rt, bot_config(synapse, bot)) as channel:
        room = await citizen.dm_with(bot.user_id)
        await citizen.say(room, QUESTION)
        assert "所需材料" in await citizen.expect(room, "【居住证办理】")
        await citizen.say(room, APPROVE)
        await citizen.expect(room, "需要工作人员身份")
        assert await channel.store.dm_room(citizen.user.user_id) == room  # where notifications will go
        staff_room = await staff.dm_with(bot.user_id)
        await staff.say(staff_room, APPROVE)
        await staff.expect(staff_room, "FW-2026-015")
        # A group room: the bot answers only when addressed (it must count itself among the members).
        group = await citizen.room_with(bot.user_id, staff.user.user_id)
        await staff.client.join(group)
        await staff.say(group, "大家好，我是张伟")
        assert await citizen.quiet_for(2) == ["大家好，我是张伟"]  # and nothing from the bot
        await citizen.say(group, f"!gc {QUESTION}")
        assert "所需材料" in await citizen.expect(group, "【居住证办理】")
    await citizen.close()
    await staff.close()


async def test_restart_mid_conversation_answers_once_and_replays_nothing(rt, synapse):
    bot = synapse.register()
    citizen = await speaker(synapse)
    cfg = bot_config(synapse, bot)
    async with running_bot(rt, cfg):
        room = await citizen.dm_with(bot.user_id)
        await citizen.say(room, COMPLAINT)
        await citizen.expect(room, "具体地点")  # the intake now waits for the place
    await citizen.say(room, "梅江区江南路28号")  # sent while the bot is down
    async with running_bot(rt, cfg):
        await citizen.expect(room, "什么时候开始")  # continued where it stopped
        assert await citizen.quiet_for(3) == []  # answered once, nothing old replayed
    await citizen.close()


async def test_handoff_to_an_operator_and_back(rt, synapse):
    bot = synapse.register()
    citizen, operator = await speaker(synapse), await speaker(synapse)
    rt.bot.services.identity = DirectoryIdentity(rt.db, StaticRoles(f"{operator.user.user_id}=operator"))
    async with running_bot(rt, bot_config(synapse, bot)):
        room = await citizen.dm_with(bot.user_id)
        op_room = await operator.dm_with(bot.user_id)
        await citizen.say(room, "人工")
        await citizen.expect(room, "正在为您转接人工客服")
        await citizen.say(room, "我家门口的路灯坏了一个月")
        await citizen.expect(room, "人工客服接入后会看到")
        await operator.say(op_room, "/接入")
        assert "我家门口的路灯坏了一个月" in await operator.expect(op_room, "已接入")
        await citizen.expect(room, "已接入")
        await operator.say(op_room, "您好，请告诉我具体地址。")
        await citizen.expect(room, "【人工客服】您好，请告诉我具体地址。")
        await citizen.say(room, "梅江区江北路 12 号")
        await operator.expect(op_room, "梅江区江北路 12 号")
        await operator.say(op_room, "/结束")
        await citizen.expect(room, "已结束本次对话")
        await citizen.say(room, QUESTION)
        await citizen.expect(room, "【居住证办理】")
    await citizen.close()
    await operator.close()
