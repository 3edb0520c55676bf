"""Real matrix-nio clients that talk to the bot through a homeserver (tests and the benchmark)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from nio import AsyncClient, AsyncClientConfig, RoomCreateResponse, RoomMessageText

from bot.channels.matrix.channel import MatrixChannel, MatrixConfig
from bot.channels.matrix.runner import nio_client
from govchat.runtime import Runtime
from tests.support.synapse_fixture import MatrixUser, SynapseServer


class Speaker:
    """A person in a Matrix client: opens a DM with the bot, sends, and waits for the bot's replies."""

    def __init__(self, url: str, user: MatrixUser) -> None:
        self.user = user
        self.client = AsyncClient(url, user.user_id, config=AsyncClientConfig(store_sync_tokens=False))
        self.inbox: list[tuple[str, str, str]] = []  # (room, sender, body) seen so far

    async def open(self) -> Speaker:
        self.client.restore_login(self.user.user_id, "TESTDEV", self.user.access_token)
        await self.client.sync(timeout=0, full_state=True)
        return self

    async def close(self) -> None:
        await self.client.close()

    async def dm_with(self, bot_id: str, timeout: float = 30) -> str:
        return await self.room_with(bot_id, timeout=timeout, direct=True)

    async def room_with(self, bot_id: str, *others: str, timeout: float = 30, direct: bool = False) -> str:
        """A new room with the bot (and ``others`` invited), once the bot has joined it."""
        resp = await self.client.room_create(is_direct=direct, invite=[bot_id, *others])
        assert isinstance(resp, RoomCreateResponse), resp
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            members = await self.client.joined_members(resp.room_id)
            if any(m.user_id == bot_id for m in getattr(members, "members", [])):
                return str(resp.room_id)
            await asyncio.sleep(0.2)
        raise TimeoutError(f"{bot_id} did not join {resp.room_id}")

    async def say(self, room: str, text: str) -> None:
        await self.client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": text})

    async def pump(self, wait_ms: int = 500) -> None:
        resp = await self.client.sync(timeout=wait_ms, since=self.client.next_batch)
        for room_id in getattr(getattr(resp, "rooms", None), "invite", {}):
            await self.client.join(room_id)  # a chat the bot opened (a client shows it; the try-it tools join it)
        for room_id, info in getattr(getattr(resp, "rooms", None), "join", {}).items():
            for e in info.timeline.events:
                if isinstance(e, RoomMessageText) and e.sender != self.user.user_id:
                    self.inbox.append((room_id, e.sender, e.body))

    async def expect(self, room: str, contains: str, timeout: float = 30) -> str:
        """Wait for (and consume) the next message in ``room`` containing ``contains``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, (r, _, body) in enumerate(self.inbox):
                if r == room and contains in body:
                    del self.inbox[: i + 1]
                    return body
            await self.pump()
        raise TimeoutError(f"no message containing {contains!r} in {room}; saw {self.inbox!r}")

    async def quiet_for(self, seconds: float) -> list[str]:
        """Every message that arrives in the next ``seconds``."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await self.pump(wait_ms=200)
        got = [b for _, _, b in self.inbox]
        self.inbox.clear()
        return got


def bot_config(server: SynapseServer, bot: MatrixUser, **kw: object) -> MatrixConfig:
    return MatrixConfig(
        homeserver=server.url,
        user_id=bot.user_id,
        password=bot.password,
        sync_timeout_ms=5000,
        **kw,  # type: ignore[arg-type]
    )


@asynccontextmanager
async def running_bot(rt: Runtime, cfg: MatrixConfig) -> AsyncIterator[MatrixChannel]:
    channel = MatrixChannel(nio_client(cfg), cfg, rt.db, rt.bot.process, rt.clock.now)
    await channel.start()
    await asyncio.wait_for(channel.ready.wait(), 30)
    try:
        yield channel
    finally:
        await channel.stop()
