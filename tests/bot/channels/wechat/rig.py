"""A served app with both WeChat channels configured against the local fake platform (tests/support)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.channels.wechat.wiring import WECHAT, WechatChannels
from govchat.app import create_app
from govchat.runtime import Runtime, build_runtime, link_channels
from kernel.clock import FakeClock
from kernel.config import load_settings
from nlu.service import NluService
from office_flows.directory.store import link_identity
from tests.conftest import CHEAP_PASSWORDS
from tests.support.dialogue import verify_dialog
from tests.support.nlu_double import RecordedParser, nlu_result
from tests.support.office_rig import seed_demo
from tests.support.wechat_client import AES_KEY, TOKEN, WECOM_AES_KEY, WECOM_TOKEN, OfficialPlatform, WeComPlatform
from tests.support.wechat_fake import FakeWeixin, running


@dataclass
class Rig:
    rt: Runtime
    client: TestClient[Any, Any]
    fake: FakeWeixin
    official: OfficialPlatform
    wecom: WeComPlatform

    @property
    def channels(self) -> WechatChannels:
        return self.client.app[WECHAT]

    async def deliver(self) -> int:
        """One round of every channel's outbox delivery (what the background loops do every few seconds)."""
        return sum([await d.deliver_once() for d in self.channels.deliveries])


async def card_for_lina(rig: Rig) -> dict[str, Any]:
    """李娜 (MJ002) linked to WeCom UserID ``lina``, a document FW-2026-001 waiting for her: its approval card."""
    async with rig.rt.db.session() as s:
        channels = link_channels(rig.rt.settings, rig.rt.integrations)
        await link_identity(s, "MJ002", "wecom", "lina", by="admin", channels=channels)
    await verify_dialog(
        rig.rt, [("demo-zhangwei", "/发文 关于汛期值班的通知 各单位请做好汛期值班", "FW-2026-001")], channel="web"
    )
    await rig.deliver()
    (card,) = rig.fake.cards_to("lina")
    return card


@asynccontextmanager
async def served(
    tmp_path: Path,
    db_url: str,
    clock: FakeClock,
    recorded: dict[str, Any],
    *,
    safe_mode: bool = True,
    nlu_fallback_conf: float = 0.95,
    **extra: Any,
) -> AsyncIterator[Rig]:
    fake = FakeWeixin()
    async with running(fake) as base:
        args = (db_url, clock, recorded, fake, base, safe_mode, nlu_fallback_conf)
        async with _instance(tmp_path, *args, seed=True, **extra) as rig:
            yield rig


@asynccontextmanager
async def two_workers(
    tmp_path: Path, db_url: str, clock: FakeClock, recorded: dict[str, Any], **extra: Any
) -> AsyncIterator[tuple[Rig, Rig]]:
    """Two app instances (two runtimes, as two ``govchat serve`` workers) on one database and one platform."""
    fake = FakeWeixin()
    async with running(fake) as base:
        args = (db_url, clock, recorded, fake, base, True, 0.95)
        async with (
            _instance(tmp_path / "w1", *args, seed=True, **extra) as one,
            _instance(tmp_path / "w2", *args, seed=False, **extra) as two,
        ):
            two.official._ids = one.official._ids  # one platform numbers the messages, whichever worker gets them
            two.wecom._ids = one.wecom._ids
            yield one, two


@asynccontextmanager
async def _instance(
    tmp_path: Path,
    db_url: str,
    clock: FakeClock,
    recorded: dict[str, Any],
    fake: FakeWeixin,
    base: str,
    safe_mode: bool,
    nlu_fallback_conf: float,
    *,
    seed: bool,
    **extra: Any,
) -> AsyncIterator[Rig]:
    settings = load_settings(
        environ={},
        data_dir=str(tmp_path / "data"),
        database_url=db_url,
        demo_data=False,
        wechat_token=TOKEN,
        wechat_app_id=fake.app_id,
        wechat_app_secret=fake.app_secret,
        wechat_aes_key=AES_KEY if safe_mode else "",
        wechat_api_base=base,
        wecom_corp_id=fake.corp_id,
        wecom_agent_id=fake.agent_id,
        wecom_secret=fake.corp_secret,
        wecom_token=WECOM_TOKEN,
        wecom_aes_key=WECOM_AES_KEY,
        wecom_api_base=base,
        **CHEAP_PASSWORDS,
        **extra,
    )
    rt = await build_runtime(settings, clock=clock, load_model=False)
    if seed:
        await seed_demo(rt.db, clock)
    rt.bot.services.nlu = NluService(
        RecordedParser(recorded, fallback=nlu_result("nlu_fallback", nlu_fallback_conf)), clock
    )
    async with TestClient(TestServer(create_app(rt, background=False))) as client:
        yield Rig(
            rt,
            client,
            fake,
            OfficialPlatform(client, clock, fake.app_id, aes_key=AES_KEY if safe_mode else ""),
            WeComPlatform(client, clock, fake.corp_id, fake.agent_id),
        )
