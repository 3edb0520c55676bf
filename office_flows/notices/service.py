"""Notices: publish to departments and people, read receipts, remind the unread, show the publisher who read."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import SHANGHAI, Clock
from kernel.db import Database, claim
from kernel.identity import Actor
from office_flows.common import OfficeError, Outcome, find_person, person_required
from office_flows.counters import next_value
from office_flows.directory.models import Department, Person
from office_flows.directory.notify import notify_person
from office_flows.directory.store import people_of
from office_flows.notices.models import Notice, Receipt


async def _remind(s: AsyncSession, n: Notice, person_id: int, now: datetime) -> None:
    await notify_person(
        s,
        person_id,
        f"提醒：通知 {n.notice_id}《{n.title}》您尚未阅读，请回复“/通知 {n.notice_id}”查看。",
        kind="notice_reminder",
        ref=n.notice_id,
        now=now,
    )


def _when(t: datetime) -> str:
    return t.astimezone(SHANGHAI).strftime("%m月%d日 %H:%M")


class NoticeService:
    def __init__(self, db: Database, clock: Clock, remind_after: timedelta = timedelta(days=1)) -> None:
        self.db = db
        self.clock = clock
        self.remind_after = remind_after  # the unread get one automatic reminder this long after publishing

    async def publish(self, actor: Actor, targets: list[str], title: str, body: str) -> Outcome:
        """``targets``: department codes or names, or people's names; everyone is notified once."""
        pid = person_required(actor)
        if not targets:
            raise OfficeError("请写明通知对象（部门或人员），例如：/发通知 区政府办公室、赖建国 标题 正文")
        if not title.strip() or not body.strip():
            raise OfficeError("请写明通知标题和正文。")
        now = self.clock.now()
        async with self.db.session() as s:
            people = await self._resolve(s, targets)
            people.discard(pid)
            if not people:
                raise OfficeError("通知对象中没有其他人员。")
            year = now.astimezone(SHANGHAI).year
            n = Notice(
                notice_id=f"TZ-{year}-{await next_value(s, 'TZ', year):03d}",
                title=title.strip(),
                body=body.strip(),
                publisher_id=pid,
                published_at=now,
                remind_at=now + self.remind_after,
            )
            s.add(n)
            await s.flush()
            for person in sorted(people):
                s.add(Receipt(notice_id=n.id, person_id=person))
                await notify_person(
                    s,
                    person,
                    f"通知公告 {n.notice_id}《{n.title}》（{actor.display}发布）。"
                    f"回复“/通知 {n.notice_id}”查看全文并签收。",
                    kind="notice",
                    ref=n.notice_id,
                    now=now,
                )
            return Outcome(f"已发布通知 {n.notice_id}《{n.title}》，送达 {len(people)} 人。", n.notice_id)

    async def read(self, actor: Actor, notice_id: str) -> Outcome:
        """Show the notice; the first reading by a recipient is their read receipt."""
        pid = person_required(actor)
        now = self.clock.now()
        async with self.db.session() as s:
            n = await self._notice(s, notice_id)
            r = await s.scalar(select(Receipt).where(Receipt.notice_id == n.id, Receipt.person_id == pid))
            if r is None and n.publisher_id != pid:
                raise OfficeError(f"通知 {n.notice_id} 不是发给您的。", 403)
            if r is not None and r.read_at is None:
                await claim(s, Receipt, r.id, Receipt.read_at.is_(None), read_at=now)
            publisher = await s.get(Person, n.publisher_id)
            return Outcome(
                f"{n.notice_id}《{n.title}》\n发布：{publisher.name if publisher else ''} "
                f"{_when(n.published_at)}\n{n.body}" + ("\n（已签收）" if r is not None else ""),
                n.notice_id,
            )

    async def receipts(self, actor: Actor, notice_id: str) -> Outcome:
        async with self.db.session() as s:
            n = await self._own(s, actor, notice_id)
            read, unread = await self._split(s, n)
        return Outcome(
            f"{n.notice_id}《{n.title}》签收情况：已读 {len(read)} 人，未读 {len(unread)} 人。\n"
            f"已读：{'、'.join(read) or '无'}\n未读：{'、'.join(unread) or '无'}",
            n.notice_id,
            {"read": read, "unread": unread},
        )

    async def remind_unread(self, actor: Actor, notice_id: str) -> Outcome:
        now = self.clock.now()
        async with self.db.session() as s:
            n = await self._own(s, actor, notice_id)
            rows = list(await s.scalars(select(Receipt).where(Receipt.notice_id == n.id, Receipt.read_at.is_(None))))
            for r in rows:
                r.reminded_at = now
                await _remind(s, n, r.person_id, now)
        return Outcome(f"已提醒 {len(rows)} 位未读人员。" if rows else "所有人都已阅读，无需提醒。", n.notice_id)

    async def unread_for(self, actor: Actor) -> Outcome:
        pid = person_required(actor)
        async with self.db.session() as s:
            rows = list(
                await s.scalars(
                    select(Notice)
                    .join(Receipt, Receipt.notice_id == Notice.id)
                    .where(Receipt.person_id == pid, Receipt.read_at.is_(None))
                    .order_by(Notice.id)
                )
            )
        if not rows:
            return Outcome("您没有未读通知。")
        return Outcome("您的未读通知：\n" + "\n".join(f"· {n.notice_id}《{n.title}》" for n in rows))

    async def fire_due(self, now: datetime) -> int:
        """The automatic reminder to the unread, once per receipt (claimed with a conditional UPDATE)."""
        sent = 0
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(Receipt, Notice)
                    .join(Notice, Notice.id == Receipt.notice_id)
                    .where(Notice.remind_at <= now, Receipt.read_at.is_(None), Receipt.reminded_at.is_(None))
                    .limit(500)
                )
            ).all()
            for r, n in rows:
                unread = and_(Receipt.reminded_at.is_(None), Receipt.read_at.is_(None))
                if await claim(s, Receipt, r.id, unread, reminded_at=now):
                    await _remind(s, n, r.person_id, now)
                    sent += 1
        return sent

    async def _resolve(self, s: AsyncSession, targets: list[str]) -> set[int]:
        out: set[int] = set()
        for t in targets:
            dept = await s.scalar(select(Department).where((Department.code == t) | (Department.name == t)))
            if dept is not None:
                out |= {p.id for p in await people_of(s, dept.code)}
                continue
            try:
                out.add((await find_person(s, t)).id)
            except OfficeError as exc:
                if exc.status != 404:
                    raise
                raise OfficeError(f"没有找到部门或人员“{t}”。", 404) from None
        return out

    async def _notice(self, s: AsyncSession, notice_id: str) -> Notice:
        n = await s.scalar(select(Notice).where(Notice.notice_id == notice_id.upper()))
        if n is None:
            raise OfficeError(f"没有找到通知 {notice_id}，请核对编号（如 TZ-2026-001）。", 404)
        return n

    async def _own(self, s: AsyncSession, actor: Actor, notice_id: str) -> Notice:
        pid = person_required(actor)
        n = await self._notice(s, notice_id)
        if n.publisher_id != pid:
            raise OfficeError(f"只有发布人可以查看和催办通知 {n.notice_id} 的签收情况。", 403)
        return n

    async def _split(self, s: AsyncSession, n: Notice) -> tuple[list[str], list[str]]:
        rows = (
            await s.execute(
                select(Person.name, Receipt.read_at)
                .join(Receipt, Receipt.person_id == Person.id)
                .where(Receipt.notice_id == n.id)
                .order_by(Person.id)
            )
        ).all()
        return [nm for nm, at in rows if at is not None], [nm for nm, at in rows if at is None]
