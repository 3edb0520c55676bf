"""Log masking covers phones in every common form and 15/18-digit IDs; failed statements carry no row."""

from __future__ import annotations

import pytest

from kernel.logging_setup import mask_sensitive


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("来电 +8613812345678 反映", "1234"),
        ("来电 +86 138 1234 5678 反映", "1234"),
        ("来电 86-138-1234-5678", "1234"),
        ("电话 138-1234-5678", "1234"),
        ("电话 138 1234 5678", "1234"),
        ("电话 １３８１２３４５６７８", "1234"),
        ("身份证 440102199001011234", "19900101"),
        ("旧身份证 440102900101123", "900101"),
        ("身份证 ４４０１０２１９９００１０１１２３４", "19900101"),
    ],
)
def test_phones_and_ids_in_every_form_are_masked(text, hidden):
    assert hidden not in mask_sensitive(text)


def test_ordinary_numbers_stay():
    assert mask_sensitive("工单 GD2026092900001 期限 15 个工作日") == "工单 GD2026092900001 期限 15 个工作日"


def test_failed_statements_do_not_carry_their_parameters(tmp_path):
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from kernel.db import Database

    async def run() -> str:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
        try:
            async with db.session() as s:
                await s.execute(text("CREATE TABLE t (phone TEXT UNIQUE)"))
            async with db.session() as s:
                await s.execute(text("INSERT INTO t VALUES (:p)"), {"p": "13812345678"})
            try:
                async with db.session() as s:
                    await s.execute(text("INSERT INTO t VALUES (:p)"), {"p": "13812345678"})
            except IntegrityError as exc:
                return str(exc)
            return ""
        finally:
            await db.dispose()

    message = asyncio.run(run())
    assert message and "13812345678" not in message
