"""The chat layer's conversation tables replayed through the platforms: the office tables (documents,
meetings, notices, free text) by civil servants on WeCom, every demo person linked by a WeCom UserID; the
ticket intake and lookups by a citizen on the official account."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govchat.runtime import link_channels
from kernel.clock import FakeClock
from office_flows.directory.demo import demo_people
from office_flows.directory.store import link_identity
from tests.bot.channels.wechat.rig import Rig, served
from tests.integrations import test_nlu_dialogue as nlu_dialogue
from tests.integrations import test_office_dialogue as office
from tests.support.kb_rig import publish_item
from tests.support.office_rig import SENDERS
from tests.support.wechat_client import verify_passive_dialog


async def link_everyone(rig: Rig) -> dict[str, str]:
    """Every demo person gets a WeCom UserID (wx-<their web address>); returns the table's names → UserIDs."""
    async with rig.rt.db.session() as s:
        people = await demo_people(s)
        for p in people:
            await link_identity(
                s, p.code, "wecom", f"wx-{p.address}", by="admin", channels=link_channels(rig.rt.settings, {})
            )
    web_to_wecom = {p.address: f"wx-{p.address}" for p in people}
    names = {name: web_to_wecom[address] for name, address in SENDERS.items()}
    return {**names, **web_to_wecom}


@pytest.mark.parametrize("table", ["DOCUMENTS", "MEETINGS", "NOTICES", "FREE_TEXT"])
async def test_office_tables_on_wecom(tmp_path: Path, clock: FakeClock, table: str) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'o.db'}"
    async with served(tmp_path, db_url, clock, office.RECORDED, nlu_fallback_conf=0.93) as rig:
        names = await link_everyone(rig)
        await verify_passive_dialog(rig.wecom.say, getattr(office, table), names=names, where="wecom")
        assert rig.fake.problems == []


CITIZEN_DIALOGUES = [d for d in nlu_dialogue.DIALOGUES if d[1].startswith("citizen")]


@pytest.mark.parametrize(("name", "sender", "turns"), CITIZEN_DIALOGUES, ids=[d[0] for d in CITIZEN_DIALOGUES])
async def test_citizen_dialogues_on_the_official_account(
    tmp_path: Path, clock: FakeClock, name: str, sender: str, turns: list[Any]
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    async with served(tmp_path, db_url, clock, nlu_dialogue.RECORDED, nlu_fallback_conf=0.2) as rig:
        await publish_item(rig.rt)
        openid = f"o-{sender}"  # an OpenID
        await verify_passive_dialog(rig.official.say, turns, sender=openid)
