"""The WeChat channels built from settings: routes, API clients and outbox delivery loops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import web

from bot.bot import Bot
from bot.channels.wechat import official, wecom
from bot.channels.wechat.api import OfficialAccountApi, WeComApi, WeixinApi, official_token, wecom_token
from bot.channels.wechat.delivery import OutboxDelivery, Pending, Send
from bot.channels.wechat.passive import texts_of
from bot.channels.wechat.store import ChannelState
from bot.messages import Reply
from kernel.config import Settings


@dataclass
class WechatChannels:
    official: official.OfficialAccount | None = None
    wecom: wecom.WeComApp | None = None
    deliveries: list[OutboxDelivery] = field(default_factory=list)
    apis: list[WeixinApi] = field(default_factory=list)

    async def close(self) -> None:
        for api in self.apis:
            await api.close()


# The built channels on the app (their delivery loops, for tests and the health of a deployment).
WECHAT: web.AppKey[WechatChannels] = web.AppKey("wechat_channels")


def official_sender(api: OfficialAccountApi) -> Send:
    async def send(row: Pending) -> None:
        for text in texts_of([Reply(row.text)]):
            await api.send_text(row.address, text)

    return send


def wecom_sender(api: WeComApi) -> Send:
    async def send(row: Pending) -> None:
        if wecom.is_card(row):
            await api.send_card(row.address, wecom.approval_card(row))
            return
        for text in texts_of([Reply(row.text)]):
            await api.send_text(row.address, text)

    return send


def build(settings: Settings, bot: Bot) -> WechatChannels:
    out = WechatChannels()
    db, now = bot.services.db, bot.services.clock.now
    if settings.wechat_enabled:
        api = OfficialAccountApi(
            settings.wechat_api_base, official_token(settings.wechat_app_id, settings.wechat_app_secret), now
        )
        state = ChannelState(db, official.CHANNEL, now)
        delivery = OutboxDelivery(state, official_sender(api))
        config = official.OfficialConfig(
            token=settings.wechat_token,
            app_id=settings.wechat_app_id,
            encoding_aes_key=settings.wechat_aes_key,
            reply_budget=settings.wechat_reply_seconds,
        )
        out.official = official.OfficialAccount(config, bot.process, state, delivery)
        out.deliveries.append(delivery)
        out.apis.append(api)
    if settings.wecom_enabled:
        wapi = WeComApi(
            settings.wecom_api_base,
            wecom_token(settings.wecom_corp_id, settings.wecom_secret),
            now,
            settings.wecom_agent_id,
        )
        wconfig = wecom.WeComConfig(
            token=settings.wecom_token,
            encoding_aes_key=settings.wecom_aes_key,
            corp_id=settings.wecom_corp_id,
            agent_id=settings.wecom_agent_id,
            reply_budget=settings.wechat_reply_seconds,
        )
        wstate = ChannelState(db, wecom.CHANNEL, now)
        out.wecom = wecom.WeComApp(wconfig, bot.process, wstate)
        out.deliveries.append(OutboxDelivery(wstate, wecom_sender(wapi)))
        out.apis.append(wapi)
    return out


def setup(app: web.Application, channels: WechatChannels, *, background: bool = True) -> None:
    """Routes for the configured platforms; with ``background``, their outbox delivery loops."""
    app[WECHAT] = channels
    if channels.official is not None:
        official.setup(app, channels.official)
    if channels.wecom is not None:
        wecom.setup(app, channels.wecom)

    async def delivering(_app: web.Application) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(d.run_forever()) for d in channels.deliveries] if background else []
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for channel in (channels.official, channels.wecom):
            if channel is not None:
                await channel.passive.drain()
        await channels.close()

    app.cleanup_ctx.append(delivering)
