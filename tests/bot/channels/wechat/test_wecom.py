"""The WeCom app channel through real HTTP: the callback check and encrypted messages as WeCom sends them, the
directory link by UserID, and a document approved from a template card's button."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.wechat.delivery import Pending
from bot.channels.wechat.wecom import approval_card, command_of, is_card
from govchat.runtime import identity_channels, link_channels
from kernel.clock import SHANGHAI, FakeClock
from kernel.identity import Role, StaticRoles
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.directory.store import DirectoryError, link_identity
from office_flows.documents.models import Document
from tests.bot.channels.wechat.rig import card_for_lina, served
from tests.support.dialogue import verify_dialog as _verify_dialog

verify_dialog = functools.partial(_verify_dialog, channel="web")
START = datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


async def test_civil_servant_approves_from_a_card(tmp_path: Path, db_url: str, clock: FakeClock) -> None:
    async with served(tmp_path, db_url, clock, {}) as rig:
        wecom = rig.wecom
        # The callback URL check: the plaintext of echostr, only for our signature.
        assert await wecom.verify("1616140317555161061") == (200, "1616140317555161061")
        forged = await rig.client.get(
            "/wechat/wecom", params={"msg_signature": "0" * 40, "timestamp": "1", "nonce": "1", "echostr": "x"}
        )
        assert forged.status == 403

        # Before the link, the UserID is nobody: no to-dos.
        assert "未登记为工作人员" in await wecom.say("lina", "/待办")
        channels = link_channels(rig.rt.settings, rig.rt.integrations)
        assert "wecom" in channels
        async with rig.rt.db.session() as s:
            await link_identity(s, "MJ002", "wecom", "lina", by="admin", channels=channels)  # 李娜

        await verify_dialog(
            rig.rt,
            [("demo-zhangwei", "/发文 加急 关于汛期值班的通知 各单位请做好汛期值班", "已登记发文 FW-2026-001")],
        )
        assert "FW-2026-001" in await wecom.say("lina", "/待办")  # she is herself on WeCom

        await rig.deliver()
        cards = rig.fake.cards_to("lina")
        assert len(cards) == 1, rig.fake.sent
        card = cards[0]
        assert card["main_title"]["desc"] == "FW-2026-001" and "待办公文" in card["sub_title_text"]
        assert [b["text"] for b in card["button_list"]] == ["同意", "退回", "查看"]

        status, reply = await wecom.click("lina", card, "查看")
        assert status == 200 and reply is None  # 查看 changes nothing on the card ...
        await rig.deliver()
        assert "FW-2026-001" in rig.fake.texts_to("lina")[-1]  # ... and the document's state comes as a message

        status, reply = await wecom.click("lina", card, "退回")  # asks for the reason ...
        assert status == 200 and reply is None
        await rig.deliver()
        assert "请直接回复退回 FW-2026-001 的理由" in rig.fake.texts_to("lina")[-1]
        assert await wecom.say("lina", "取消") == "好的，FW-2026-001 未退回。"  # ... and she changes her mind

        status, reply = await wecom.click("lina", card, "同意")
        assert status == 200 and reply is not None
        assert reply["MsgType"] == "update_button" and reply["ReplaceName"] == "已同意"
        await rig.deliver()
        assert "已送刘洋、赖建国、黄志强会签" in rig.fake.texts_to("lina")[-1]
        async with rig.rt.db.session() as s:
            doc = await s.scalar(select(Document).where(Document.doc_id == "FW-2026-001"))
        assert doc is not None and doc.stage == 1

        # WeCom's retry of the same click (same CreateTime) runs nothing again; a later press is refused by the flow.
        sent = len(rig.fake.sent)
        status, _ = await wecom.click("lina", card, "同意")
        assert status == 200 and await rig.deliver() == 0 and len(rig.fake.sent) == sent, rig.fake.sent[sent - 2 :]
        clock.advance(timedelta(minutes=1))
        status, reply = await wecom.click("lina", card, "同意")
        assert status == 200 and reply is None  # refused: the card stays as it was
        await rig.deliver()
        assert "不能重复办理" in rig.fake.texts_to("lina")[-1]
        assert rig.fake.problems == []


async def test_return_from_a_card_takes_the_reason_next(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    async with served(tmp_path, db_url, clock, {}) as rig:
        card = await card_for_lina(rig)
        await rig.wecom.click("lina", card, "退回")
        await rig.deliver()
        assert "理由" in rig.fake.texts_to("lina")[-1]
        answer = await rig.wecom.say("lina", "请补充值班表")
        assert answer == "已将 FW-2026-001 退回拟稿人张伟修改，理由：请补充值班表。"
        # The wait is over: the next text is an ordinary message again.
        assert "FW-2026-001" not in await rig.wecom.say("lina", "/待办")
        assert rig.fake.problems == []


async def test_forged_or_foreign_callbacks_are_refused(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    async with served(tmp_path, db_url, clock, {}) as rig:
        other_corp = type(rig.wecom)(rig.client, clock, "ww-other-corp", rig.fake.agent_id)
        assert (await other_corp.post("lina", {"MsgType": "text", "Content": "/待办", "MsgId": 1}))[0] == 403
        other_app = type(rig.wecom)(rig.client, clock, rig.fake.corp_id, 1000003)
        assert (await other_app.post("lina", {"MsgType": "text", "Content": "/待办", "MsgId": 1}))[0] == 403
        wrong_key = type(rig.wecom)(rig.client, clock, rig.fake.corp_id, rig.fake.agent_id, aes_key="B" * 43)
        assert (await wrong_key.post("lina", {"MsgType": "text", "Content": "/待办", "MsgId": 1}))[0] == 403


async def test_wechat_senders_are_never_staff(tmp_path: Path, clock: FakeClock) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'i.db'}"
    async with served(tmp_path, db_url, clock, {}) as rig:
        settings, integrations = rig.rt.settings, rig.rt.integrations
        assert "wechat" not in identity_channels(settings, integrations)
        async with rig.rt.db.session() as s:
            with pytest.raises(DirectoryError, match="只服务市民"):
                await link_identity(s, "MJ002", "wechat", "o-lina", by="admin", channels=frozenset({"wechat"}))
        with pytest.raises(ValueError, match="always citizens"):
            StaticRoles("wechat:o-admin=admin")
        # Even a resolver told otherwise, and an OpenID equal to a staff member's address, is a citizen.
        resolver = DirectoryIdentity(rig.rt.db, staff_channels=frozenset({"wechat", "web"}))
        actor = await resolver.whois("wechat", "demo-lina")
        assert actor.roles == frozenset({Role.CITIZEN}) and actor.person_id is None
        assert "需要" in await rig.official.say("demo-lina", "/派单 GD2026092900001 梅江区住房和城乡建设局")


def test_which_outbox_rows_become_cards() -> None:
    def row(kind: str, text: str, ref: str = "FW-2026-001") -> Pending:
        return Pending(1, "lina", kind, ref, text)

    assert is_card(row("document", "您有一份待办公文：FW-2026-001《关于汛期值班的通知》（加急，核稿）。"))
    assert is_card(row("document", "张伟 将 FW-2026-001《通知》（核稿）转交给您办理。"))
    assert is_card(row("doc_reminder", "提醒：FW-2026-001《通知》（核稿）已超过办理时限 10月9日 17:00，请尽快办理。"))
    assert not is_card(row("document", "FW-2026-001《通知》已签发，文号 梅江府办〔2026〕1号，并加盖电子印章。"))
    assert not is_card(row("doc_returned", "您拟稿的 FW-2026-001《通知》被 李娜 退回"))
    assert not is_card(row("ticket_dispatched", "您有一份待办公文", ref="GD2026092900001"))
    card = approval_card(Pending(7, "lina", "document", "FW-2026-001", "您有一份待办公文：…"))
    assert card["task_id"] == "gc-FW-2026-001-7"
    assert [command_of(b["key"]) for b in card["button_list"]] == [
        "/同意 FW-2026-001",
        "/退回 FW-2026-001",
        "/公文 FW-2026-001",
    ]
    assert command_of("gc:approve:FW-2026-001 ; /发文 x") is None and command_of("other:approve:FW-2026-001") is None
