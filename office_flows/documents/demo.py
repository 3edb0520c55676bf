"""Documents under way on the demo district's first start (``govchat serve``, ``make run``): approving from a
phone can be tried at once, as the dashboard has its months of tickets. Each is registered and approved through
the real service and the demo approval chains (``demo_chains.json``), so every to-do, reminder and history entry
is what a real one would be. Written by the team; no demo document is loaded in production."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from kernel.db import Database
from office_flows.common import OfficeError
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.documents.models import Document
from office_flows.documents.service import DocumentService


@dataclass(frozen=True)
class DemoDocument:
    drafter: str  # the web chat account of a demo person (office_flows/directory/demo_people.csv)
    kind: str
    title: str
    body: str
    urgency: str = "平件"
    approved_by: tuple[str, ...] = ()  # who approves it at once, in turn: it waits at the step after


DEMO_DOCUMENTS = (
    # 李娜 checks it (核稿)
    DemoDocument(
        "demo-zhangwei",
        "FW",
        "关于做好2026年冬季森林防火工作的通知",
        "各镇（街道）、区直各单位：入冬以来气候干燥，森林火险等级持续偏高。请严格落实野外用火管理，加强重点时段"
        "巡山护林，做好扑火队伍和物资准备，发现火情立即报告。",
    ),
    # checked by 李娜; countersigned next by 刘洋, 赖建国 and 黄志强 (会签)
    DemoDocument(
        "demo-zhangwei",
        "FW",
        "关于开展岁末年初安全生产大检查的通知",
        "各有关单位：为防范遏制岁末年初各类事故，定于12月中旬至明年1月底开展安全生产大检查，重点检查人员密集场所、"
        "燃气、建筑施工和道路交通，请于每月25日前报送检查情况。",
        urgency="加急",
        approved_by=("demo-lina",),
    ),
    # received from the city: 王强 assigns it (拟办)
    DemoDocument(
        "demo-liuyang",
        "SW",
        "市政府办公室关于做好2027年元旦春节期间有关工作的通知",
        "梅州市人民政府办公室来文：请各区做好节日期间值班值守、市场保供稳价、安全生产和困难群众走访慰问工作，"
        "值班表于12月25日前报市政府办公室。",
    ),
    # the hotline centre's monthly bulletin: 赖建国 checks it (科室审核)
    DemoDocument(
        "demo-zhongli",
        "FW",
        "关于12345热线2026年11月运行情况的通报",
        "11月全区12345热线共受理诉求1,126件，按时办结率92%，满意率93%。城管、住建类诉求占比最高，"
        "卫生健康局按时办结率偏低，请相关单位对照整改。",
    ),
)


async def documents_are_empty(db: Database) -> bool:
    async with db.session() as s:
        return not await s.scalar(select(func.count()).select_from(Document))


async def load_demo_documents(documents: DocumentService, identity: DirectoryIdentity) -> int:
    """Register and advance the demo documents; how many were loaded (none when the demo people are missing:
    a custom directory)."""
    loaded = 0
    for doc in DEMO_DOCUMENTS:
        try:
            out = await documents.register(
                await identity.whois("web", doc.drafter), doc.kind, doc.title, doc.body, urgency=doc.urgency
            )
            for account in doc.approved_by:
                await documents.approve(await identity.whois("web", account), out.ref, "同意")
        except OfficeError:
            continue
        loaded += 1
    return loaded
