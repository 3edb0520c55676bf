"""An upgrade that ships different dialect lists: shipped rows follow them, editors' rows stay."""

from __future__ import annotations

from sqlalchemy import select

from kernel.db import Database
from knowledge_base import store
from knowledge_base.models import DialectWord


async def test_shipped_rows_follow_the_release_and_editors_rows_stay(database: Database) -> None:
    old_release = [
        ("hakka", "图书", "私塾", "msgchi"),  # dropped by the new release (it damaged 图书馆)
        ("hakka", "食饭", "吃饭", "core"),
        ("cantonese", "几耐", "多久", "msgchi"),  # translation changes, source moves to core
        ("cantonese", "边度", "哪里", "core"),  # an editor switched this one off
    ]
    async with database.session() as s:
        await store.seed_dialect_words(s, old_release)
        s.add(DialectWord(dialect="hakka", word="𠊎", mandarin="我", source="editor"))
    async with database.session() as s:
        row = await s.scalar(select(DialectWord).where(DialectWord.word == "边度"))
        assert row is not None
        row.enabled = False

    new_release = [
        ("hakka", "食饭", "吃饭", "core"),
        ("cantonese", "几耐", "多长时间", "core"),
        ("cantonese", "边度", "哪里", "core"),
        ("cantonese", "细路", "小孩", "core"),
        ("hakka", "𠊎", "我们", "core"),  # the editor's row for this word wins
    ]
    async with database.session() as s:
        assert await store.sync_shipped_dialect_words(s, new_release) == (1, 1, 1)
    async with database.session() as s:
        rows = {(r.dialect, r.word): r for r in (await s.scalars(select(DialectWord))).all()}
    assert set(rows) == {
        ("hakka", "食饭"),
        ("cantonese", "几耐"),
        ("cantonese", "边度"),
        ("cantonese", "细路"),
        ("hakka", "𠊎"),
    }
    assert (rows["cantonese", "几耐"].mandarin, rows["cantonese", "几耐"].source) == ("多长时间", "core")
    assert rows["cantonese", "边度"].enabled is False  # the editor's decision survives
    assert (rows["hakka", "𠊎"].mandarin, rows["hakka", "𠊎"].source) == ("我", "editor")
    async with database.session() as s:  # a second start with the same release changes nothing
        assert await store.sync_shipped_dialect_words(s, new_release) == (0, 0, 0)
