"""Demo is a mode, not the default of a production set-up (issue 15, item 2)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govchat.cli import main
from govchat.runtime import build_runtime
from kernel.config import ConfigError, load_settings
from knowledge_base.models import ServiceItem
from office_flows.directory.demo import load_demo_directory
from office_flows.directory.models import ChatIdentity, Person

PEOPLE = "工号,姓名,部门编码,职务,角色,手机,聊天账号\nP1,张一,,科员,staff,,matrix:@p1:hs\n"


async def _count(rt, model) -> int:  # type: ignore[no-untyped-def]
    async with rt.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_production_loads_no_demo_people_or_kb(settings, clock):
    prod = dataclasses.replace(settings, mode="production", demo_data=True)
    rt = await build_runtime(prod, clock=clock, load_model=False)
    try:
        assert await _count(rt, Person) == 0 and await _count(rt, ServiceItem) == 0
    finally:
        await rt.close()


def test_demo_mode_refuses_a_public_address_without_the_override():
    with pytest.raises(ConfigError, match="GOVCHAT_MODE=production"):
        load_settings(environ={"GOVCHAT_HOST": "0.0.0.0"}).check_exposure()
    load_settings(environ={"GOVCHAT_HOST": "0.0.0.0", "GOVCHAT_MODE": "production"}).check_exposure()
    load_settings(environ={"GOVCHAT_HOST": "0.0.0.0", "GOVCHAT_ALLOW_PUBLIC_DEMO": "1"}).check_exposure()
    load_settings(environ={"GOVCHAT_HOST": "127.0.0.1"}).check_exposure()
    load_settings(environ={"GOVCHAT_HOST": "::1"}).check_exposure()


def test_serve_refuses_demo_mode_on_a_public_address(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GOVCHAT_DATA_DIR", str(tmp_path / "data"))
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "演示模式不能在非本机地址" in capsys.readouterr().err


def test_directory_import_never_loads_demo_people(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("GOVCHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GOVCHAT_NLU", "0")
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert main(["directory", "import", "--people", str(people)]) == 0  # demo mode, fresh database
    import asyncio

    async def check() -> None:
        rt = await build_runtime(
            load_settings(environ={"GOVCHAT_DATA_DIR": str(tmp_path / "data")}), load_model=False, seed_demo=False
        )
        try:
            async with rt.db.session() as s:
                codes = list(await s.scalars(select(Person.code)))
            assert codes == ["P1"]
        finally:
            await rt.close()

    asyncio.run(check())


def test_import_and_link_refuse_unauthenticated_channels(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("GOVCHAT_DATA_DIR", str(tmp_path / "data"))
    people = tmp_path / "people.csv"
    for spec in ("*:admin", "rest:admin", "web:demo-admin"):
        people.write_text(PEOPLE.replace("matrix:@p1:hs", spec), encoding="utf-8")
        assert main(["directory", "import", "--people", str(people)]) == 1
        assert "渠道" in capsys.readouterr().out
    people.write_text(PEOPLE, encoding="utf-8")
    assert main(["directory", "import", "--people", str(people)]) == 0
    assert main(["directory", "link", "P1", "*", "admin"]) == 1
    assert main(["directory", "link", "P1", "rest", "admin"]) == 1
    assert main(["directory", "link", "P1", "matrix", "@p1b:hs"]) == 0
    monkeypatch.setenv(
        "GOVCHAT_REST_INTEGRATIONS", "oa=oa:bearer:0123456789abcdef0123:staff,app=app:bearer:abcdef0123456789abcd"
    )
    assert main(["directory", "link", "P1", "oa", "p1"]) == 0  # an integration allowed to assert staff
    assert main(["directory", "link", "P1", "app", "p1"]) == 1  # one that is not


async def test_demo_data_can_be_removed(settings, clock, monkeypatch):
    rt = await build_runtime(settings, clock=clock, load_model=False)
    try:
        async with rt.db.session() as s:
            await load_demo_directory(s)
        assert (await rt.bot.services.identity.whois("web", "demo-zhongli")).person_id is not None
    finally:
        await rt.close()
    monkeypatch.setenv("GOVCHAT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    import asyncio

    assert await asyncio.to_thread(main, ["demo", "remove"]) == 0
    rt = await build_runtime(settings, clock=clock, load_model=False)
    try:
        assert (await rt.bot.services.identity.whois("web", "demo-zhongli")).person_id is None
        assert await _count(rt, ChatIdentity) == 0
        async with rt.db.session() as s:
            assert await s.scalar(select(func.count()).select_from(Person).where(Person.active.is_(True))) == 0
    finally:
        await rt.close()


def test_config_masks_secrets(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GOVCHAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GOVCHAT_MATRIX_PASSWORD", "hunter2-matrix")
    monkeypatch.setenv("GOVCHAT_API_TOKENS", "tok-secret-1=MJ010")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://gov:pg-secret@db:5432/govchat")
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out and "tok-secret" not in out and "pg-secret" not in out
    assert "postgresql+asyncpg://gov:***@db:5432/govchat" in out


async def test_data_folder_and_database_are_private(sqlite_settings, clock):
    rt = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    try:
        assert sqlite_settings.data_dir.stat().st_mode & 0o777 == 0o700
        db_file = sqlite_settings.data_dir / "govchat.db"
        db_file = db_file if db_file.exists() else next(sqlite_settings.data_dir.glob("*.db"))
        assert db_file.stat().st_mode & 0o777 == 0o600
    finally:
        await rt.close()


async def test_first_admin_password_goes_to_the_terminal_not_the_log(sqlite_settings, clock, monkeypatch, capsys):
    from govchat import cli

    shown: list[str] = []
    rt = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    try:
        monkeypatch.setattr(cli, "show_on_terminal", lambda text: shown.append(text) or False)
        await cli._first_admin(rt)
    finally:
        await rt.close()
    out = capsys.readouterr()
    password = shown[0].split("密码 ", 1)[1].split("\n", 1)[0]
    assert password and password not in out.err + out.out
    assert "reset-password" in out.err
