"""A terminal Matrix client for trying the bot: type a line, see the bot's replies.

    .venv/bin/python scripts/matrix_chat.py citizen      # an account made by scripts/matrix_try.py

Opens (or reuses) a direct room with the bot as that account. /quit ends; replies are printed as
their plain-text bodies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.matrix_people import Speaker  # noqa: E402
from tests.support.synapse_fixture import MatrixUser  # noqa: E402


async def chat(url: str, me: MatrixUser, bot_id: str, folder: Path) -> None:
    speaker = await Speaker(url, me).open()
    rooms_file = folder / "rooms.json"
    rooms: dict[str, str] = json.loads(rooms_file.read_text()) if rooms_file.is_file() else {}
    room = rooms.get(me.user_id)
    if room is None:
        print("正在和机器人建立私聊…", flush=True)
        room = await speaker.dm_with(bot_id, timeout=60)
        rooms[me.user_id] = room
        rooms_file.write_text(json.dumps(rooms, indent=1))
    print(f"已连接（{me.user_id}）。输入消息回车发送，/quit 退出。", flush=True)
    printer = asyncio.create_task(print_replies(speaker, room))
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line or line.strip() == "/quit":
                await asyncio.sleep(2)  # replies still on their way (piped input ends at once)
                return
            if line.strip():
                await speaker.say(room, line.strip())
    finally:
        printer.cancel()
        await speaker.close()


async def print_replies(speaker: Speaker, room: str) -> None:
    """Print the bot's messages in this room as they arrive."""
    while True:
        await speaker.pump(wait_ms=1000)
        for r, _, body in speaker.inbox:
            if r == room:
                print(f"\n🤖 {body}\n", flush=True)
        speaker.inbox.clear()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("account", help="citizen、zhangwei、zhongli、zhuli、wangqiang")
    ap.add_argument("--data-dir", default=os.environ.get("GOVCHAT_DATA_DIR", "data"))
    ap.add_argument("--homeserver", default="http://127.0.0.1:8008")
    args = ap.parse_args()
    folder = Path(args.data_dir).resolve() / "synapse-try"
    users = json.loads((folder / "accounts.json").read_text()) if (folder / "accounts.json").is_file() else {}
    if args.account not in users:
        print(f"找不到账号 {args.account}：请先运行 scripts/matrix_try.py", file=sys.stderr)
        return 2
    me = MatrixUser(**users[args.account])
    asyncio.run(chat(args.homeserver, me, users["govchat"]["user_id"], folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
