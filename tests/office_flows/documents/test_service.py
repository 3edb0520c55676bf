"""Document approval scenarios on SQLite and PostgreSQL: countersign with a return and a resubmission,
加签 coming back, 转交, a delegate acting for a leader on leave, conditions, chain versions, the seal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kernel.clock import FakeClock
from kernel.db import Database
from kernel.outbox import OutboxMessage
from office_flows.common import OfficeError
from office_flows.directory.models import Delegation
from office_flows.directory.store import person_by
from office_flows.documents.chains import ChainError, save_chain
from office_flows.documents.models import DocEvent, Document
from office_flows.office import Office
from tests.support.office_rig import office_for, seed_demo, who


@pytest.fixture
async def office(database: Database, clock: FakeClock, tmp_path: Path) -> Office:
    await seed_demo(database, clock)
    return office_for(database, clock, tmp_path)


async def act(office: Office, name: str, verb: str, *args: str, **kw: bool) -> str:
    actor = await who(office.db, name)
    method = getattr(office.documents, verb)
    return str((await method(actor, *args, **kw)).message)


async def refused(office: Office, name: str, verb: str, *args: str) -> str:
    with pytest.raises(OfficeError) as exc:
        await act(office, name, verb, *args)
    return str(exc.value)


async def holders(office: Office, doc_id: str) -> list[str]:
    out = (await office.documents.query(await who(office.db, "张伟"), doc_id)).data["holders"]
    return sorted(h["name"] for h in out)


async def draft(office: Office, urgency: str = "平件") -> str:
    out = await office.documents.register(
        await who(office.db, "张伟"), "FW", "关于做好汛期值班工作的通知", "各单位：请做好汛期值班。", urgency=urgency
    )
    return out.ref


async def test_countersign_return_revise_and_issue(office: Office, clock: FakeClock) -> None:
    doc = await draft(office)
    assert doc == "FW-2026-001"
    assert await holders(office, doc) == ["李娜"]
    assert "会签" in await act(office, "李娜", "approve", doc, "核稿无误")
    assert await holders(office, doc) == ["刘洋", "赖建国", "黄志强"]
    assert "还需" in await act(office, "刘洋", "approve", doc, "同意")
    assert "不能重复办理" in await refused(office, "刘洋", "approve", doc)
    assert "不是当前办理人" in await refused(office, "张伟", "approve", doc)
    assert "退回拟稿人张伟" in await act(office, "赖建国", "reject", doc, "请补充值班电话")
    assert "退回拟稿人修改" in await refused(office, "黄志强", "approve", doc)
    assert "只有拟稿人" in await refused(office, "李娜", "resubmit", doc)
    assert "第 2 轮" in await act(office, "张伟", "resubmit", doc, "各单位：请做好汛期值班，值班电话 12345。")
    await act(office, "李娜", "approve", doc)
    for name in ("刘洋", "赖建国", "黄志强"):
        await act(office, name, "approve", doc)
    assert await holders(office, doc) == ["王强"]
    out = await act(office, "王强", "approve", doc, "印发")
    assert "梅江府办〔2026〕1号" in out
    assert "已签发" in await refused(office, "王强", "approve", doc)
    assert (await office.documents.verify(doc)).ok
    async with office.db.session() as s:
        events = [e.action for e in await s.scalars(select(DocEvent).order_by(DocEvent.id))]
        await s.execute(update(Document).where(Document.doc_id == doc).values(body="各单位：请放假。"))
    assert events.count("approve") == 7 and events.count("return") == 1 and "seal" in events
    v = await office.documents.verify(doc)
    assert not v.ok and "改动" in v.reason
    async with office.db.session() as s:
        notes = list(await s.scalars(select(OutboxMessage.text).where(OutboxMessage.ref == doc)))
    assert any("请补充值班电话" in n for n in notes)  # the drafter was told why


async def test_consult_returns_to_owner_and_transfer_moves(office: Office) -> None:
    doc = await draft(office)
    assert "任务回到您这里" in await act(office, "李娜", "consult", doc, "王强", "请把关")
    assert [t.doc_id for t in await office.documents.todo(await who(office.db, "李娜"))] == []
    assert "等对方回复" in await refused(office, "李娜", "approve", doc)
    assert "回到李娜处" in await act(office, "王强", "approve", doc, "措辞可以")
    assert "会签" in await act(office, "李娜", "approve", doc)
    assert "不再回到您这里" in await act(office, "刘洋", "transfer", doc, "张伟")
    assert "（转交），不能重复办理" in await refused(office, "刘洋", "approve", doc)
    assert await holders(office, doc) == ["张伟", "赖建国", "黄志强"]
    await act(office, "张伟", "approve", doc)
    assert "不能转交或加签给自己" in await refused(office, "赖建国", "transfer", doc, "赖建国")
    assert "没有找到" in await refused(office, "赖建国", "transfer", doc, "查无此人")


async def test_delegate_acts_for_leader_on_leave(office: Office, clock: FakeClock) -> None:
    async with office.db.session() as s:
        boss, deputy = await person_by(s, name="王强"), await person_by(s, name="李娜")
        assert boss and deputy
        s.add(
            Delegation(
                person_id=boss.id,
                delegate_id=deputy.id,
                starts_at=clock.now(),
                ends_at=clock.now() + timedelta(days=3),
                reason="休假",
            )
        )
    doc = await draft(office)
    for name in ("李娜", "刘洋", "赖建国", "黄志强"):
        await act(office, name, "approve", doc)
    todo = await office.documents.todo(await who(office.db, "李娜"))
    assert [(t.doc_id, t.on_behalf_of) for t in todo] == [(doc, "王强")]
    assert "已签发" in await act(office, "李娜", "approve", doc, "代签")
    async with office.db.session() as s:
        last = await s.scalar(select(DocEvent).where(DocEvent.action == "approve").order_by(DocEvent.id.desc()))
    assert last is not None and last.actor == "李娜（代王强）"


async def test_condition_and_versioned_chain(office: Office, clock: FakeClock) -> None:
    urgent = await draft(office, "特急")
    old = await draft(office)
    async with office.db.session() as s:
        chain, created = await save_chain(
            s,
            {
                "department": "MJ-BGS",
                "kind": "FW",
                "steps": [{"name": "签发", "mode": "single", "assignees": ["head"]}],
            },
            by="t",
            now=clock.now(),
        )
        assert created and chain.version == 2
        with pytest.raises(ChainError):
            await save_chain(s, {"department": "MJ-BGS", "kind": "FW", "steps": []}, by="t", now=clock.now())
    new = await draft(office)
    assert await holders(office, new) == ["王强"]  # the new version
    assert await holders(office, old) == ["李娜"]  # in flight: keeps version 1
    for name in ("李娜", "刘洋", "赖建国", "黄志强"):
        await act(office, name, "approve", urgent)
    assert await holders(office, urgent) == ["陈静"]  # 特急 adds 区领导阅签


async def test_refusals(office: Office) -> None:
    zhang = await who(office.db, "张伟")
    with pytest.raises(OfficeError, match="非涉密"):
        await office.documents.register(zhang, "FW", "标题", "正文", security="机密")
    with pytest.raises(OfficeError, match="紧急程度"):
        await office.documents.register(zhang, "FW", "标题", "正文", urgency="很急")
    with pytest.raises(OfficeError, match="没有找到公文"):
        await office.documents.approve(zhang, "FW-2026-999")
    citizen = await who(office.db, "someone-else")
    with pytest.raises(OfficeError, match="仅限机关工作人员"):
        await office.documents.todo(citizen)
    with pytest.raises(OfficeError, match="尚未配置"):
        await office.documents.register(await who(office.db, "钟丽"), "SW", "标题", "正文")
    doc = await draft(office)
    assert "理由" in await refused(office, "李娜", "reject", doc, "")
