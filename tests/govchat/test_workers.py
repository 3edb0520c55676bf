"""Two worker processes on one PostgreSQL: one Matrix syncer that another replaces when it is killed, and
requests alternating between the workers with sessions, dialogue state, the outbox and the KB in step."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from nio import MessageDirection, RoomMessagesResponse, RoomMessageText

from govchat.cli import main
from tests.support.env import ROOT, free_port, pg_admin
from tests.support.matrix_people import Speaker
from tests.support.synapse_fixture import SynapseServer
from tests.support.worker import COMPLAINT, WorkerProcess

CHEAP = {"password_time_cost": 1, "password_memory_kib": 64}
TOKENS = "t-disp=MJ010,t-cg=MJ091,t-ed=MJ012"


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    name = f"gc_{uuid.uuid4().hex[:12]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    yield f"{pg_server}/{name}"
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_two(tmp_path: Path, settings: dict[str, Any]) -> list[WorkerProcess]:
    """Worker 1 first (it migrates and seeds), then worker 2, as govchat serve --workers does."""
    one = WorkerProcess("w1", tmp_path / "w1", settings).start().wait_ready()
    two = WorkerProcess("w2", tmp_path / "w2", settings).start().wait_ready()
    return [one, two]


def wait_for_leader(workers: list[WorkerProcess], timeout: float = 30) -> WorkerProcess:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        roles = {w.name: (w.health() or {}).get("matrix") for w in workers}
        leaders = [w for w in workers if roles[w.name] == "leader"]
        assert len(leaders) <= 1, f"two Matrix leaders at once: {roles}"
        if leaders:
            return leaders[0]
        time.sleep(0.3)
    raise TimeoutError("no worker became the Matrix leader")


async def bot_messages(citizen: Speaker, room: str, bot_id: str) -> list[str]:
    """Everything the bot has said in ``room``, oldest first (from the homeserver's own history)."""
    resp = await citizen.client.room_messages(
        room, citizen.client.next_batch, direction=MessageDirection.back, limit=200
    )
    assert isinstance(resp, RoomMessagesResponse), resp
    return [e.body for e in reversed(resp.chunk) if isinstance(e, RoomMessageText) and e.sender == bot_id]


async def test_killing_the_matrix_leader_mid_conversation_loses_and_doubles_nothing(
    tmp_path: Path, pg_url: str, synapse: SynapseServer
) -> None:
    bot = synapse.register()
    matrix = {
        "matrix_homeserver": synapse.url,
        "matrix_user_id": bot.user_id,
        "matrix_password": bot.password,
        "matrix_lease_seconds": 4.0,
    }
    workers = start_two(tmp_path, {"database_url": pg_url, "demo_data": False, **CHEAP, **matrix})
    citizen = await Speaker(synapse.url, synapse.register()).open()
    try:
        first = wait_for_leader(workers)
        room = await citizen.dm_with(bot.user_id)
        await citizen.say(room, COMPLAINT)
        await citizen.expect(room, "具体地点")
        await citizen.say(room, "梅江区江南路28号")
        first.kill()  # at once, perhaps while it answers: whatever it had begun is the next leader's
        (second,) = [w for w in workers if w is not first]
        await citizen.expect(room, "什么时候开始", timeout=60)  # continued on the other worker
        assert wait_for_leader([second]) is second
        assert await citizen.quiet_for(2) == []  # answered once
        await citizen.say(room, "上个月开始")
        await citizen.expect(room, "手机号码")
        await citizen.say(room, "13912345678")
        await citizen.expect(room, "请核对")
        await citizen.say(room, "确认")
        done = await citizen.expect(room, "已为您登记工单")
        assert await citizen.quiet_for(2) == []

        said = await bot_messages(citizen, room, bot.user_id)
        prompts = ["具体地点", "什么时候开始", "手机号码", "请核对", "已为您登记工单"]
        # Every prompt exactly once and in order: a message answered twice would ask a question again or skip one.
        assert [p for s in said for p in prompts if p in s] == prompts, said
        assert re.search(r"GD\d{13}", done)
    finally:
        await citizen.close()
        for w in workers:
            w.stop()


async def test_requests_alternate_between_workers_sessions_outbox_and_kb_stay_consistent(
    tmp_path: Path, pg_url: str
) -> None:
    settings = {"database_url": pg_url, "api_tokens": TOKENS, "index_sync_seconds": 0.5, **CHEAP}
    one, two = start_two(tmp_path, settings)  # demo mode: the demo directory and KB are seeded once
    jar = aiohttp.CookieJar(unsafe=True)  # one browser: its signed identity cookie goes to both workers
    try:
        async with aiohttp.ClientSession(cookie_jar=jar) as browser, aiohttp.ClientSession() as api:

            async def say(w: WorkerProcess, text: str) -> str:
                async with browser.post(f"{w.url}/webhooks/rest/webhook", json={"sender": "me", "message": text}) as r:
                    assert r.status == 200, await r.text()
                    return "\n".join(m.get("text", "") for m in await r.json())

            async def call(w: WorkerProcess, token: str, method: str, path: str, body: Any = None) -> Any:
                headers = {"Authorization": f"Bearer {token}"}
                async with api.request(method, f"{w.url}{path}", json=body, headers=headers) as r:
                    assert r.status in (200, 201), (path, r.status, await r.text())
                    return await r.json()

            # A ticket dialogue whose turns land on alternate workers: the session and its state are shared.
            assert "具体地点" in await say(one, COMPLAINT)
            assert "什么时候开始" in await say(two, "梅江区江南路28号")
            assert "手机号码" in await say(one, "上个月开始")
            assert "请核对" in await say(two, "13912345678")
            code = re.search(r"GD\d{13}", await say(one, "确认"))
            assert code, "the ticket was registered"

            # The departments work it through the API of either worker; the citizen's notice is in the outbox.
            path = f"/api/tickets/{code.group(0)}"
            await call(two, "t-disp", "POST", f"{path}/dispatch", {"department": "MJ-CGJ"})
            await call(one, "t-cg", "POST", f"{path}/sign")
            await call(two, "t-cg", "POST", f"{path}/reply", {"result": "已责令工地夜间停工"})
            async with browser.get(f"{one.url}/webhooks/rest/outbox") as r:
                notices = await r.json()
            assert [m for m in notices if code.group(0) in m["text"]], notices
            async with browser.get(f"{two.url}/webhooks/rest/outbox") as r:
                assert await r.json() == []  # handed out by worker 1: not handed out twice at once
            async with browser.post(
                f"{two.url}/webhooks/rest/outbox/ack", json={"ids": [m["id"] for m in notices]}
            ) as r:
                assert await r.json() == {"acknowledged": len(notices)}  # acknowledged on the other worker

            # A KB edit published on worker 1 answers on worker 2 within seconds (its index follows the KB version).
            question = "多进程部署的测试问题怎么回答"
            assert "多进程部署的标准答案" not in await say(two, question)
            faq = await call(
                one, "t-ed", "POST", "/api/kb/faq", {"question": question, "answer": "多进程部署的标准答案"}
            )
            for to in ("review", "published"):
                await call(one, "t-ed", "POST", f"/api/kb/faq/{faq['id']}/status", {"to": to})
            version = (one.health() or {})["kb_version"]
            deadline = time.monotonic() + 10
            while (two.health() or {}).get("kb_version") != version and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert "多进程部署的标准答案" in await say(two, question)
    finally:
        for w in (one, two):
            w.stop()


def test_several_workers_need_postgresql(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GOVCHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["serve", "--workers", "2"]) == 2
    assert "多个工作进程需要 PostgreSQL" in capsys.readouterr().err


def _listeners(port: int) -> int:
    out = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
    return len([line for line in out.splitlines() if line.strip()])


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _until(condition: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}; log: {log.read_text(errors='replace')[-3000:]}"
        time.sleep(0.3)


@pytest.mark.slow
def test_serve_workers_runs_n_processes_on_one_port_and_restarts_a_dead_one(
    tmp_path: Path, pg_url: str, model_path: Path
) -> None:
    """The real ``govchat serve --workers 2``: two processes listen on one port, a killed one is replaced,
    SIGTERM stops them all."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCHAT_")}
    env.update(
        DATABASE_URL=pg_url,
        GOVCHAT_DATA_DIR=str(tmp_path / "data"),
        GOVCHAT_NLU="0",
        GOVCHAT_EMBEDDING_MODEL=str(model_path),
        GOVCHAT_PASSWORD_TIME_COST="1",
        GOVCHAT_PASSWORD_MEMORY_KIB="64",
    )
    log = tmp_path / "pool.log"
    command = [sys.executable, "-m", "govchat.cli", "serve", "--port", str(port), "--workers", "2", "--no-matrix"]
    with log.open("wb") as out:
        pool = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    seen: set[int] = set()
    try:
        _until(lambda: _listeners(port) == 2, 300, "two workers listening", log)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
            assert json.loads(resp.read())["status"] == "ok"
        workers = _children(pool.pid)
        seen.update(workers)
        assert len(workers) == 2, workers  # no Rasa here (GOVCHAT_NLU=0): only the workers
        os.kill(workers[0], signal.SIGKILL)
        _until(lambda: workers[0] not in _children(pool.pid) and len(_children(pool.pid)) == 2, 60, "restart", log)
        _until(lambda: _listeners(port) == 2, 300, "the new worker listening", log)
        assert re.search(r"工作进程 \d 已退出", log.read_text())
        seen.update(_children(pool.pid))
        pool.send_signal(signal.SIGTERM)
        assert pool.wait(timeout=60) == 0
        assert _listeners(port) == 0
    finally:
        if pool.poll() is None:
            pool.kill()
            pool.wait()
        for pid in seen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
