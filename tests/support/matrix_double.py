"""A recording double of nio.AsyncClient: a tiny in-memory homeserver timeline.

Events fed with ``feed_text`` get a position; ``sync(since="sN")`` returns what came after
position N, like a homeserver's sync token, so restart tests can check replay and loss.
Everything the bot sends is recorded in ``sent`` as (room_id, content).
"""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace
from typing import Any

from nio import InviteMemberEvent, MatrixRoom, MegolmEvent, RoomMessageText, RoomSendError, UploadFilterResponse

from kernel.clock import SystemClock


class FakeNioClient:
    def __init__(self, user_id: str = "@govchat:localhost") -> None:
        self.user_id = user_id
        self.device_id = ""
        self.access_token = ""
        self.sync_filter: str | dict[str, Any] | None = None
        self.filters: list[dict[str, Any]] = []  # uploaded definitions; a filter's id is its index
        self.rooms: dict[str, MatrixRoom] = {}
        self.timeline: list[tuple[str, Any]] = []  # (room_id, event), the "server" history
        self.invites: list[tuple[str, str]] = []  # (room_id, inviter) not yet seen by a sync
        self.direct_invites = False  # invites arrive as direct chats (m.room.member is_direct)
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.tx_ids: list[str | None] = []
        self.typing: list[tuple[str, bool]] = []
        self.joined: list[str] = []
        self.left: list[str] = []
        self.created: list[str] = []
        self.send_errors: list[RoomSendError] = []  # returned (and consumed) before real sends
        self.sync_errors = 0  # this many syncs raise before working
        self.logins = 0
        self._n = 0
        self._fed = asyncio.Event()

    # --- scripting the "server" ---

    def add_room(self, room_id: str, *members: str) -> MatrixRoom:
        room = MatrixRoom(room_id, self.user_id)
        for m in (self.user_id, *members):
            room.add_member(m, None, None)
        self.rooms[room_id] = room
        return room

    def _event_source(self, sender: str, content: dict[str, Any], etype: str = "m.room.message") -> dict[str, Any]:
        self._n += 1
        ts = int(SystemClock().now().timestamp() * 1000) + self._n
        return {"type": etype, "event_id": f"$e{self._n}", "sender": sender, "origin_server_ts": ts, "content": content}

    def feed_text(self, room_id: str, sender: str, body: str, **content: Any) -> None:
        self.timeline.append(
            (
                room_id,
                RoomMessageText.from_dict(self._event_source(sender, {"msgtype": "m.text", "body": body, **content})),
            )
        )
        self._fed.set()

    def feed_encrypted(self, room_id: str, sender: str) -> None:
        src = self._event_source(
            sender,
            {
                "algorithm": "m.megolm.v1.aes-sha2",
                "ciphertext": "x",
                "sender_key": "k",
                "session_id": "s",
                "device_id": "D",
            },
            "m.room.encrypted",
        )
        self.timeline.append((room_id, MegolmEvent.from_dict(src)))
        self._fed.set()

    def invite(self, room_id: str, inviter: str) -> None:
        self.invites.append((room_id, inviter))
        self._fed.set()

    def replies_to(self, room_id: str) -> list[str]:
        return [c["body"] for r, c in self.sent if r == room_id]

    # --- the nio surface the channel uses ---

    def restore_login(self, user_id: str, device_id: str, access_token: str) -> None:
        self.user_id, self.device_id, self.access_token = user_id, device_id, access_token

    async def whoami(self) -> Any:
        return SimpleNamespace(user_id=self.user_id, device_id=self.device_id or "DEV1")

    async def login(self, password: str, device_name: str = "") -> Any:
        self.logins += 1
        self.device_id = self.device_id or "DEV1"
        return SimpleNamespace(device_id=self.device_id, access_token="tok")

    async def upload_filter(self, **definition: Any) -> UploadFilterResponse:
        self.filters.append(definition)
        return UploadFilterResponse(filter_id=str(len(self.filters) - 1))

    async def sync(
        self,
        timeout: int | None = 0,
        since: str | None = None,
        full_state: bool | None = None,
        sync_filter: str | dict[str, Any] | None = None,
    ) -> Any:
        self.sync_filter = sync_filter
        if self.sync_errors:
            self.sync_errors -= 1
            raise ConnectionError("homeserver unreachable")
        start = int(since[1:]) if since else 0
        if start >= len(self.timeline) and not self.invites and timeout:
            self._fed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._fed.wait(), timeout=min(timeout / 1000, 0.05))
        invites = {}
        for room_id, inviter in self.invites:
            state = [
                InviteMemberEvent.from_dict(
                    {
                        "type": "m.room.member",
                        "sender": inviter,
                        "state_key": self.user_id,
                        "content": {"membership": "invite", **({"is_direct": True} if self.direct_invites else {})},
                    }
                )
            ]
            invites[room_id] = SimpleNamespace(invite_state=state)
        self.invites = []
        join: dict[str, Any] = {}
        for room_id, event in self.timeline[start:]:
            join.setdefault(room_id, SimpleNamespace(timeline=SimpleNamespace(events=[]))).timeline.events.append(event)
        return SimpleNamespace(next_batch=f"s{len(self.timeline)}", rooms=SimpleNamespace(invite=invites, join=join))

    async def join(self, room_id: str) -> Any:
        self.joined.append(room_id)
        if room_id not in self.rooms:
            self.add_room(room_id)
        return SimpleNamespace(room_id=room_id)

    async def room_leave(self, room_id: str) -> Any:
        self.left.append(room_id)
        return SimpleNamespace()

    async def room_typing(self, room_id: str, typing_state: bool = True, timeout: int = 30000) -> Any:
        self.typing.append((room_id, typing_state))
        return SimpleNamespace()

    async def room_send(
        self,
        room_id: str,
        message_type: str,
        content: dict[str, Any],
        tx_id: str | None = None,
        ignore_unverified_devices: bool = False,
    ) -> Any:
        if self.send_errors:
            return self.send_errors.pop(0)
        self.tx_ids.append(tx_id)
        self.sent.append((room_id, content))
        return SimpleNamespace(event_id=f"$sent{len(self.sent)}")

    async def room_create(self, **kwargs: Any) -> Any:
        room_id = f"!dm{len(self.created) + 1}:localhost"
        self.created.append(room_id)
        self.add_room(room_id, *kwargs.get("invite", []))
        return SimpleNamespace(room_id=room_id)

    async def close(self) -> None:
        pass
