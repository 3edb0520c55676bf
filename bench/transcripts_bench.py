"""Bot transcripts: the time to inspect a month of bot conversations, and what recording costs a turn.

1. Inspection: ``--conversations`` (10,000) idle-closed conversations of 3–9 turns each (a third with a loop,
   an unanswered request for a person, a decline or a failure reply; the rest clean), inserted into a fresh
   SQLite file and inspected end to end by ``QualityService.run_all`` (due conversations found, turns read,
   rules, results and findings written). Baseline in the same run, on the same file before the inspection:
   reading every conversation and its turns in the same batches of 500 (the floor any inspection pays).
2. Recording: ``TranscriptStore.record`` for ``--turns`` (2,000) turns of 200 citizens, one transaction each
   (what the bot adds after each reply); ms per turn.

Median of ``--runs`` runs, each on a fresh database, the machine's speed alongside.
``python -m bench.transcripts_bench`` → ``results/transcripts.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.common import machine_speed, write_result
from kernel.clock import FakeClock
from kernel.db import Database
from office_flows.quality.models import BOT, Finding, Inspection
from office_flows.quality.service import QualityService
from office_flows.transcripts import store as transcripts
from office_flows.transcripts.models import BotConversation, BotTurn
from office_flows.transcripts.store import TranscriptStore, TurnRecord

HERE = Path(__file__).parent
BATCH = 500
CLEAN = [
    ("你好", "您好！我是梅江区 12345 政务服务智能助手。", "", False),
    ("办居住证要带咩材料", "请带身份证到政务服务中心办理。", "answer", False),
    ("营业执照喺边度办", "请到区市场监督管理局窗口办理。", "answer", False),
    ("社保卡点补办", "您想咨询的是不是以下内容？请回复序号：1. 社保卡补办", "choices", False),
    ("1", "社保卡补办：携带身份证到社保窗口。", "answer", False),
    ("多谢", "不客气！还有其他问题随时问我。", "", False),
]
DECLINE = "抱歉，这个问题我暂时没有找到准确的答案。回复“登记工单”或回复“人工”转人工客服。"


def _conversation(rng: random.Random, kind: int) -> list[tuple[str, str, str, bool]]:
    said = rng.sample(CLEAN, rng.randint(3, 6))  # no two clean turns alike in a row
    if kind == 0:  # a loop
        said += [("？？？", "我没有看懂这条消息。", "", False)] * 3
    elif kind == 1:  # asked for a person, declined
        said.append(("垃圾机器人，我要搵真人", DECLINE, "decline", False))
    elif kind == 2:  # the failure reply
        said.append(("查下我张工单", "抱歉，系统处理您的消息时出了点问题", "", True))
    return said


async def _fill(db: Database, n: int, rng: random.Random, clock: FakeClock) -> int:
    start = clock.now() - timedelta(days=1)
    convos: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        said = _conversation(rng, i % 9)  # kinds 0–2: a third of the conversations have a problem
        at = start + timedelta(seconds=i)
        convos.append(
            {
                "id": i,
                "channel": "web",
                "user_key": transcripts.user_key("web", f"citizen-{i}"),
                "started_at": at,
                "last_at": at,
                "turns": len(said),
                "failures": sum(1 for s in said if s[3]),
            }
        )
        for seq, (text, reply, kb, failure) in enumerate(said, start=1):
            turns.append(
                {
                    "conversation_id": i,
                    "seq": seq,
                    "at": at,
                    "text": text,
                    "replies": [reply],
                    "handler": "understand_and_route",
                    "intent": "",
                    "kb": kb,
                    "failure": failure,
                    "handoff": False,
                }
            )
    async with db.session() as s:
        await s.execute(insert(BotConversation), convos)
        for i in range(0, len(turns), 5000):
            await s.execute(insert(BotTurn), turns[i : i + 5000])
    return len(turns)


async def _read_all(db: Database) -> int:
    """The baseline: every conversation and its turns, read in the inspection's batches."""
    read, last = 0, 0
    while True:
        async with db.session() as s:
            q = select(BotConversation).where(BotConversation.id > last).order_by(BotConversation.id).limit(BATCH)
            batch = list(await s.scalars(q))
            if not batch:
                return read
            got = await transcripts.turns_of(s, [c.id for c in batch])
            read += sum(len(v) for v in got.values())
            last = batch[-1].id


async def _timed_run(n: int, turns: int, seed: int) -> dict[str, Any]:
    from govchat.runtime import open_database
    from kernel.config import Settings

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = await open_database(Settings(data_dir=Path(tmp)))
        try:
            clock = FakeClock()
            stored_turns = await _fill(db, n, rng, clock)
            t = time.perf_counter()
            read = await _read_all(db)
            baseline = time.perf_counter() - t
            assert read == stored_turns
            service = QualityService(db, clock)
            t = time.perf_counter()
            done = await service.run_all(clock.now())
            seconds = time.perf_counter() - t
            async with db.session() as s:
                stored = int(await s.scalar(select(func.count()).where(Inspection.subject == BOT)) or 0)
                found = int(await s.scalar(select(func.count()).select_from(Finding)) or 0)
            assert stored == done == n, (stored, done, n)
            recorder = TranscriptStore(db, clock)
            t = time.perf_counter()
            for i in range(turns):
                await recorder.record(TurnRecord("web", f"rec-{i % 200}", "办居住证要带咩材料", ["请带身份证…"]))
            record_ms = (time.perf_counter() - t) * 1000 / turns
            return {
                "seconds": seconds,
                "baseline_seconds": baseline,
                "turns": stored_turns,
                "findings": found,
                "record_ms": record_ms,
            }
        finally:
            await db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--conversations", type=int, default=10_000)
    ap.add_argument("--turns", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "results" / "transcripts.json"))
    args = ap.parse_args()
    before = machine_speed()
    runs = [asyncio.run(_timed_run(args.conversations, args.turns, seed)) for seed in range(args.runs)]
    med = statistics.median(r["seconds"] for r in runs)
    base = statistics.median(r["baseline_seconds"] for r in runs)
    write_result(
        {
            "conversations": args.conversations,
            "turns_per_run": [r["turns"] for r in runs],
            "findings_per_run": [r["findings"] for r in runs],
            "inspection_seconds_median": round(med, 2),
            "inspection_seconds_runs": [round(r["seconds"], 2) for r in runs],
            "baseline_read_seconds_median": round(base, 2),
            "baseline_read_seconds_runs": [round(r["baseline_seconds"], 2) for r in runs],
            "inspection_over_read": round(med / base, 1) if base else None,
            "record_ms_per_turn_median": round(statistics.median(r["record_ms"] for r in runs), 2),
            "record_ms_runs": [round(r["record_ms"], 2) for r in runs],
            "database": "SQLite (fresh file per run)",
            "machine_before": before,
            "machine_after": machine_speed(),
        },
        args.out,
    )


if __name__ == "__main__":
    main()
