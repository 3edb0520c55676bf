"""Try the Matrix channel on this machine: a local Synapse, the product, and demo accounts.

    .venv/bin/python scripts/matrix_try.py            # keeps running; Ctrl-C stops both
    .venv/bin/python scripts/matrix_chat.py citizen   # in another terminal: talk to the bot

Synapse (from PyPI, in its own venv, loopback only) keeps its data in DATA_DIR/synapse-try, so rooms,
accounts and the bot's sync position survive a restart of either process. Accounts: the bot
(@govchat:localhost), a citizen, and four civil servants linked to people of the demo directory:
张伟 (staff), 钟丽 (12345 dispatcher), 朱立 (handler at 城管局, which receives citizen complaints) and 王强
(department head), so the whole ticket loop (complaint → dispatch → sign → 退单/answer → rating)
can be played. Their passwords are in DATA_DIR/synapse-try/accounts.json for any Matrix client pointed at
the printed homeserver URL.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.synapse_fixture import SynapseServer, ensure_synapse_venv  # noqa: E402

# account → the demo directory person it speaks as ("" = a citizen)
ACCOUNTS = {
    "govchat": "",
    "citizen": "",
    "zhangwei": "MJ001",
    "zhongli": "MJ010",  # 12345 dispatcher: /工单队列, /派单 GD… 城管局, /审核退单, /协办
    "zhuli": "MJ091",  # handler at 城管局, which receives most citizen complaints: /签收, /退单, /回复
    "wangqiang": "MJ003",
}


def accounts(server: SynapseServer, folder: Path) -> dict[str, dict[str, str]]:
    """Registered once; later starts read them back (Synapse keeps them in its database)."""
    path = folder / "accounts.json"
    known: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.is_file() else {}
    for name in ACCOUNTS:
        if name not in known:
            user = server.register(name)
            known[name] = {"user_id": user.user_id, "password": user.password, "access_token": user.access_token}
    path.write_text(json.dumps(known, indent=1))
    return known


def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("govchat serve 已退出，请查看上面的日志")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"govchat serve 在 {timeout:.0f} 秒内没有就绪")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=os.environ.get("GOVCHAT_DATA_DIR", "data"))
    ap.add_argument("--synapse-port", type=int, default=8008)
    ap.add_argument("--port", type=int, default=int(os.environ.get("GOVCHAT_PORT", "8080")))
    args = ap.parse_args()
    data = Path(args.data_dir).resolve()
    folder = data / "synapse-try"
    print("==> 准备 Synapse（首次需从 PyPI 安装，约 1 分钟）…", flush=True)
    server = SynapseServer(folder, port=args.synapse_port)
    server.start(ensure_synapse_venv())
    serve = None
    try:
        users = accounts(server, folder)
        bot = users["govchat"]
        env = dict(os.environ) | {
            "GOVCHAT_DATA_DIR": str(data),
            "GOVCHAT_PORT": str(args.port),
            "GOVCHAT_MATRIX_HOMESERVER": server.url,
            "GOVCHAT_MATRIX_USER_ID": bot["user_id"],
            "GOVCHAT_MATRIX_PASSWORD": bot["password"],
        }
        govchat = [sys.executable, "-m", "govchat.cli"]
        serve = subprocess.Popen([*govchat, "serve"], env=env)
        wait_for_http(f"http://127.0.0.1:{args.port}/", serve)
        for name, person in ACCOUNTS.items():
            if person:
                link = [*govchat, "directory", "link", person, "matrix", users[name]["user_id"]]
                subprocess.run(link, env=env, check=False, capture_output=True)
        print(f"\n==> Matrix 试用环境就绪：homeserver {server.url}")
        for name, person in ACCOUNTS.items():
            role = "机器人" if name == "govchat" else (f"工号 {person}" if person else "群众")
            print(f"    {users[name]['user_id']:<28} {role}")
        print(f"    密码见 {folder / 'accounts.json'}")
        print(
            "==> 另开一个终端对话，例如：.venv/bin/python scripts/matrix_chat.py citizen（或 zhangwei、zhongli、zhuli）"
        )
        print("==> 按 Ctrl-C 停止", flush=True)
        serve.wait()
        return serve.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        if serve is not None and serve.poll() is None:
            serve.terminate()
            serve.wait(timeout=30)
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
