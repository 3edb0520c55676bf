"""The Matrix transport: sync loop → ``Incoming("matrix", sender, text)`` → ``Bot.process`` → replies.

The sync token is stored after each batch has been answered, so a restart resumes exactly
where the last answered batch ended: nothing is replayed and nothing sent meanwhile is lost.
The very first sync (no stored token) only records the position; older history is never answered.

With several workers only the holder of the Matrix lease runs this channel (runner.py). A worker that takes
over resumes from the stored token, so it may see the tail of a batch its predecessor had begun: each message
event is taken up in ``matrix_events`` first, its answers are stored before they are sent, and they are sent
with transaction ids made from the event id. A resumed event already answered is skipped, one whose answers
were stored but perhaps not all sent is sent again under the same ids (the homeserver keeps one of each).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nio import (
    InviteMemberEvent,
    LoginError,
    MegolmEvent,
    RoomCreateError,
    RoomMessageText,
    RoomPreset,
    RoomSendError,
    SyncError,
    UploadFilterResponse,
)

from bot.channels.matrix.render import addressed_text, content_of, plain_notice
from bot.channels.matrix.store import FENCED, REPLIED, SENT, Fence, MatrixStore
from bot.messages import Incoming, Reply
from kernel.db import Database
from kernel.outbox import take_pending, unclaim

log = logging.getLogger(__name__)
CHANNEL = "matrix"
ENCRYPTED = (
    "抱歉，这是一个端到端加密的房间，我目前无法读取加密消息。"
    "请与我新建一个未加密的私聊（创建时关闭“加密”），或在未加密的房间里 @我。"
)


def sync_filter(user_id: str) -> dict[str, Any]:
    """What the bot's sync asks for. Typing notices, read receipts and presence mean nothing to the bot;
    without them a citizen's typing does not wake the bot's sync (and cost a response) on every burst.
    Nor do its own messages: the echo of each reply would cost one sync response more per answer. Its own
    membership still arrives as room state (tests/integration/test_matrix_synapse.py counts on it)."""
    return {
        "presence": {"not_types": ["*"]},
        "room": {"ephemeral": {"not_types": ["*"]}, "timeline": {"not_senders": [user_id]}},
    }


class MatrixLoginFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    password: str = ""
    access_token: str = ""
    device_id: str = ""
    allowed_inviters: str = ""  # servers and user ids, comma separated; empty = the bot's own server
    command_prefix: str = "!gc"
    operators_room: str = ""
    sync_timeout_ms: int = 30_000
    outbox_seconds: float = 1.0
    max_backoff: float = 60.0
    typing_after: float = 0.3  # seconds of work before a typing notice is shown

    def may_invite(self, inviter: str) -> bool:
        allowed = {a.strip() for a in self.allowed_inviters.split(",") if a.strip()}
        if not allowed:
            allowed = {self.user_id.split(":", 1)[1]} if ":" in self.user_id else set()
        server = inviter.split(":", 1)[1] if ":" in inviter else ""
        return inviter in allowed or server in allowed


Process = Callable[[Incoming], Awaitable[list[Reply]]]
KEEP_EVENTS = timedelta(days=7)  # message events taken up are remembered this long (a resume never goes further)


class MatrixChannel:
    def __init__(
        self,
        client: Any,  # nio.AsyncClient, or the recording double in tests
        config: MatrixConfig,
        db: Database,
        process: Process,
        now: Callable[[], datetime],
        *,
        worker: str = "",
        fence: Fence | None = None,
    ) -> None:
        self.client = client
        self.worker = worker  # this process's name, recorded with the events it takes up
        self.fence = fence  # with several workers: the sync token is stored only while we hold the lease
        self.config = config
        self.store = MatrixStore(db, config.user_id)
        self.db = db
        self.process = process
        self.now = now
        self.next_batch: str | None = None
        self._seen: set[str] = set()
        self._warned_encrypted: set[str] = set()
        self._joined_at_ms: dict[str, int] = {}
        self._known_dms: dict[str, str] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._tails: dict[str, asyncio.Task[None]] = {}  # the last queued work per room (keeps rooms in order)
        self._commit: asyncio.Task[None] | None = None  # stores the newest token once its batch is answered
        self.ready = asyncio.Event()  # set after the first successful sync
        self._filter: str | dict[str, Any] | None = None  # the uploaded filter's id once made
        self._pruned_at: datetime | None = None

    # --- lifecycle ---

    async def login(self) -> None:
        cfg = self.config
        device = cfg.device_id or await self.store.get("device_id") or ""
        if cfg.access_token:
            self.client.restore_login(cfg.user_id, device, cfg.access_token)
            who = await self.client.whoami()
            if getattr(who, "device_id", None):
                self.client.device_id = who.device_id
        else:
            if device:
                self.client.device_id = device
            resp = await self.client.login(cfg.password, device_name="govchat")
            if isinstance(resp, LoginError):
                raise MatrixLoginFailed(f"Matrix 登录失败：{resp.message}")
        if self.client.device_id:
            await self.store.put("device_id", self.client.device_id)
        self.next_batch = await self.store.get("next_batch")

    async def start(self) -> None:
        await self.login()
        self._tasks = [asyncio.create_task(self._sync_forever()), asyncio.create_task(self._outbox_forever())]

    async def stop(self, grace: float = 10.0) -> None:
        """Stop syncing, let messages already taken finish (up to ``grace`` seconds), then close."""
        if self._tasks:
            self._tasks[0].cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tasks[0]
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.drain(), grace)
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks = []
        await self.client.close()

    # --- sync ---

    async def _sync_forever(self) -> None:
        failures = 0
        while True:
            try:
                await self.sync_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # network errors, homeserver restarts: back off and retry
                failures += 1
                delay = min(self.config.max_backoff, 0.5 * 2**failures)
                log.warning("Matrix sync failed (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)

    async def _make_filter(self) -> str | dict[str, Any]:
        """Uploaded once per start and named by its id: Synapse parses and validates a filter given inline
        on every sync. If the upload fails, the definition goes inline (and the upload is tried next start)."""
        definition = sync_filter(self.config.user_id)
        resp = await self.client.upload_filter(presence=definition["presence"], room=definition["room"])
        if isinstance(resp, UploadFilterResponse):
            return str(resp.filter_id)
        log.warning("Matrix filter upload failed (%s); sending the filter with each sync", resp)
        return definition

    async def sync_once(self) -> None:
        """One sync: hand each room's events to that room's queue and go on syncing.

        Rooms are answered concurrently, each in order. A batch's token is stored only once the batch
        and every earlier one are answered, so a crash replays unanswered messages and never skips one.
        """
        first = self.next_batch is None
        if self._filter is None:
            self._filter = await self._make_filter()
        resp = await self.client.sync(
            timeout=0 if first else self.config.sync_timeout_ms,
            since=self.next_batch,
            full_state=first,
            sync_filter=self._filter,
        )
        if isinstance(resp, SyncError):
            raise ConnectionError(f"sync error {resp.status_code}: {resp.message}")
        for room_id, info in resp.rooms.invite.items():
            await self._on_invite(room_id, info.invite_state)
        batch: list[asyncio.Task[None]] = []
        if not first:
            for room_id, info in resp.rooms.join.items():
                events = [e for e in info.timeline.events if e.sender != self.config.user_id]
                if not events:
                    continue  # the echo of the bot's own replies: nothing to answer
                task = asyncio.create_task(self._after(self._tails.get(room_id), self._on_room(room_id, events)))
                self._tails[room_id] = task
                batch.append(task)
        self.next_batch = resp.next_batch
        # A batch with nothing to answer (an invite only, or the bot's own events from a homeserver that
        # ignores the filter) needs no write: replaying it after a crash would answer nothing.
        if first or batch or resp.rooms.invite:
            self._commit = asyncio.create_task(self._store_after(self._commit, batch, resp.next_batch))
        if first:
            assert self._commit is not None
            await self._commit
        self.ready.set()

    @staticmethod
    async def _after(previous: asyncio.Task[None] | None, work: Awaitable[None]) -> None:
        if previous is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(previous)
        await work

    async def _store_after(
        self, previous: asyncio.Task[None] | None, batch: list[asyncio.Task[None]], token: str
    ) -> None:
        if previous is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(previous)
        for result in await asyncio.gather(*batch, return_exceptions=True):
            if isinstance(result, Exception):
                log.error("answering a Matrix message failed", exc_info=result)
        if not await self.store.put("next_batch", token, self.fence):
            log.warning("Matrix lease lost: sync position not stored (the new leader resumes from its own)")
        now = self.now()
        if self._pruned_at is None or now - self._pruned_at > timedelta(hours=1):
            self._pruned_at = now
            await self.store.prune_events(now - KEEP_EVENTS)

    async def drain(self) -> None:
        """Wait until everything synced so far is answered and its token stored."""
        if self._commit is not None:
            await asyncio.shield(self._commit)

    async def _on_invite(self, room_id: str, state: list[Any]) -> None:
        inviter = next(
            (e.sender for e in state if isinstance(e, InviteMemberEvent) and e.state_key == self.config.user_id), ""
        )
        if not self.config.may_invite(inviter):
            log.info("declining invite to %s from %s", room_id, inviter)
            await self.client.room_leave(room_id)
            return
        self._joined_at_ms[room_id] = int(self.now().timestamp() * 1000)
        await self.client.join(room_id)
        direct = any(
            isinstance(e, InviteMemberEvent) and e.state_key == self.config.user_id and e.content.get("is_direct")
            for e in state
        )
        if direct and inviter:  # the person opened a direct chat with the bot: their notifications go here
            await self._remember_dm(inviter, room_id)

    async def _on_room(self, room_id: str, events: list[Any]) -> None:
        for event in events:  # one room in order; rooms run concurrently
            if event.event_id in self._seen:  # the bot's own events never get here (sync_once)
                continue
            self._seen.add(event.event_id)
            if event.server_timestamp < self._joined_at_ms.get(room_id, 0) - 60_000:
                continue  # history from before the bot was invited
            if isinstance(event, MegolmEvent):
                if room_id not in self._warned_encrypted:
                    self._warned_encrypted.add(room_id)
                    await self.send(room_id, plain_notice(ENCRYPTED))
                continue
            if isinstance(event, RoomMessageText):
                await self._on_text(room_id, event)
        if len(self._seen) > 50_000:
            self._seen.clear()

    def _is_dm(self, room_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        return room is not None and room.member_count == 2 and room_id != self.config.operators_room

    async def _remember_dm(self, user_id: str, room_id: str) -> None:
        """The direct chat a person last wrote in is where their notifications go (one conversation per
        person: a room the bot opened earlier gives way to the one the person actually uses)."""
        if self._known_dms.get(user_id) == room_id:
            return
        if await self.store.dm_room(user_id) != room_id:
            await self.store.remember_dm(user_id, room_id)
        self._known_dms[user_id] = room_id

    def _is_direct(self, room_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        if room_id == self.config.operators_room:
            return True  # operators talk to the bot without addressing it
        return room is not None and room.member_count <= 2

    async def _on_text(self, room_id: str, event: RoomMessageText) -> None:
        text: str | None = event.body
        if self._is_dm(room_id):
            await self._remember_dm(event.sender, room_id)
        elif not self._is_direct(room_id):
            text = addressed_text(
                event.body, event.source.get("content", {}), self.config.user_id, self.config.command_prefix
            )
            if text is None:
                return
        record = await self.store.take_event(event.event_id, room_id, self.worker, self.now(), self.fence)
        if record.state in (SENT, FENCED):
            return  # answered by a worker before us (a resumed batch), or ours no longer (the lease was lost)
        if record.state == REPLIED:
            await self._send_answers(room_id, event.event_id, record.replies)
            return
        typing = asyncio.create_task(self._typing_later(room_id))
        try:
            replies = await self.process(Incoming(CHANNEL, event.sender, text or ""))
            contents = [content_of(reply) for reply in replies]
            if contents:
                await self.store.event_replied(event.event_id, contents)
            await self._send_answers(room_id, event.event_id, contents)
        finally:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing
            if not typing.cancelled() and typing.exception() is None:
                await self.client.room_typing(room_id, False)

    async def _send_answers(self, room_id: str, event_id: str, contents: list[dict[str, Any]]) -> None:
        """Send the answers to one event, each under a transaction id of its own made from the event id."""
        for i, content in enumerate(contents):
            await self.send(room_id, content, tx_id=f"govchat-{event_id}-{i}")
        await self.store.event_sent(event_id)

    async def _typing_later(self, room_id: str) -> None:
        """Show "typing…" only when an answer takes longer than a blink (saves two requests per message)."""
        await asyncio.sleep(self.config.typing_after)
        await self.client.room_typing(room_id, True, timeout=15_000)

    # --- sending ---

    async def send(self, room_id: str, content: dict[str, Any], attempts: int = 6, tx_id: str | None = None) -> bool:
        """Send, waiting out M_LIMIT_EXCEEDED as the homeserver asks.

        ``tx_id``: the same id for a retried send, so the homeserver keeps one event (outbox rows use
        their row id: a row sent, then given back because the answer was lost, is not shown twice)."""
        for _ in range(attempts):
            resp = await self.client.room_send(
                room_id, "m.room.message", content, tx_id=tx_id, ignore_unverified_devices=True
            )
            if not isinstance(resp, RoomSendError):
                return True
            if resp.status_code == "M_LIMIT_EXCEEDED":
                await asyncio.sleep((resp.retry_after_ms or 1000) / 1000)
                continue
            log.warning("Matrix send to %s failed: %s %s", room_id, resp.status_code, resp.message)
            return False
        return False

    async def room_for(self, address: str) -> str | None:
        """A room id as is; a user id → the DM room with them (created and remembered on first use)."""
        if address.startswith("!"):
            return address
        room = await self.store.dm_room(address)
        if room is not None and not self._left(room, address):
            return room
        resp = await self.client.room_create(is_direct=True, invite=[address], preset=RoomPreset.trusted_private_chat)
        if isinstance(resp, RoomCreateError):
            log.warning("cannot open a direct room with %s: %s", address, resp.message)
            return None
        await self.store.remember_dm(address, resp.room_id)
        return str(resp.room_id)

    def _left(self, room_id: str, user_id: str) -> bool:
        """The person is known to have left the room (a room the bot has not synced yet counts as kept)."""
        room = self.client.rooms.get(room_id)
        if room is None:
            return False
        return user_id not in room.users and user_id not in getattr(room, "invited_users", {})

    # --- the notification outbox ---

    async def deliver_outbox(self) -> int:
        async with self.db.session() as s:
            rows = [(r.id, r.address, r.text) for r in await take_pending(s, [CHANNEL], self.now(), any_prefix="@")]
        failed = []
        for row_id, address, text in rows:
            room = await self.room_for(address)
            if room is None or not await self.send(room, content_of(Reply(text)), tx_id=f"govchat-outbox-{row_id}"):
                failed.append(row_id)
        if failed:  # give the rows back so the next round retries them
            async with self.db.session() as s:
                await unclaim(s, failed)
        return len(rows) - len(failed)

    async def _outbox_forever(self) -> None:
        while True:
            try:
                await self.deliver_outbox()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Matrix outbox delivery failed")
            await asyncio.sleep(self.config.outbox_seconds)
