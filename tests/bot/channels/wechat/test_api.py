"""The outbound API client against the local protocol-faithful platform: one token for everyone, renewed
before it ends, fetched again once when refused; errors as the platforms give them."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.channels.wechat.api import ApiError, OfficialAccountApi, Unreachable, WeComApi, official_token, wecom_token
from kernel.clock import FakeClock
from tests.support.wechat_fake import FakeWeixin, running


async def test_token_is_shared_renewed_and_refetched_once() -> None:
    fake, clock = FakeWeixin(followers={"o1"}), FakeClock()
    async with running(fake) as base:
        api = OfficialAccountApi(base, official_token(fake.app_id, fake.app_secret), clock.now)
        try:
            await asyncio.gather(*(api.send_text("o1", f"消息 {n}") for n in range(10)))
            assert fake.calls.count("token") == 1 and len(fake.texts_to("o1")) == 10  # one refresh at a time

            clock.advance(timedelta(seconds=7200 - 6 * 60))  # not yet within 5 minutes of the end
            await api.send_text("o1", "a")
            assert fake.calls.count("token") == 1
            clock.advance(timedelta(minutes=2))  # within 5 minutes of the end: renewed before it runs out
            await api.send_text("o1", "b")
            assert fake.calls.count("token") == 2

            fake.expire_tokens()  # the platform revoked it early: 42001, a new token, the call once more
            await api.send_text("o1", "c")
            assert fake.calls.count("token") == 3 and fake.texts_to("o1")[-1] == "c"
            assert fake.calls.count("custom/send") == 14
        finally:
            await api.close()
    assert fake.problems == []


async def test_errors_are_told_apart() -> None:
    fake, clock = FakeWeixin(), FakeClock()
    async with running(fake) as base:
        wrong = OfficialAccountApi(base, official_token(fake.app_id, "not-the-secret"), clock.now)
        with pytest.raises(ApiError) as err:
            await wrong.send_text("o1", "x")
        assert err.value.errcode == 40125
        fake.problems.clear()
        api = WeComApi(base, wecom_token(fake.corp_id, fake.corp_secret), clock.now, fake.agent_id)
        await api.send_text("lina", "您好")
        assert fake.texts_to("lina") == ["您好"]
        fake.down = True
        with pytest.raises(Unreachable):
            await api.send_text("lina", "again")
        await api.close()
        await wrong.close()
    nowhere = WeComApi(base, wecom_token("c", "s"), clock.now, 1)  # the server is gone: unreachable
    with pytest.raises(Unreachable):
        await nowhere.send_text("lina", "x")
    await nowhere.close()
    assert fake.problems == []
