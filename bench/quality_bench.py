"""Quality inspection: precision and recall of the must-fix findings on the team's labelled cases, and the time
to inspect a month of tickets.

1. ``data/quality_labelled.jsonl`` (230 cases, frozen by commit before the rules were run on them): tickets and
   handoff conversations, each labelled with the must-fix rules a reviewer holds to be right. Precision = must-fix
   findings whose rule is in the case's label / all must-fix findings; recall = labelled rules found / labelled.
   Reported for the ``test`` split (never used to choose anything), the ``dev`` split and per rule.
2. Time: ``--tickets`` (10,000, a month's volume) closed tickets with replies and ratings (rows of
   ``tests/support/tickets_data.py``, all answered), inserted into a fresh SQLite database,
   inspected end to end by ``QualityService.run_all`` (facts from the tables, rules, bigram model score, results
   written); median of ``--runs`` runs, each on a fresh copy, the machine's speed alongside.

``python -m bench.quality_bench`` → ``results/quality.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.common import machine_speed, write_result
from kernel.clock import SHANGHAI, FakeClock
from office_flows.quality import rules as R
from office_flows.quality.models import MUST, Inspection
from office_flows.quality.service import QualityService

HERE = Path(__file__).parent
DATA = HERE / "data" / "quality_labelled.jsonl"


def _at(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw).replace(tzinfo=SHANGHAI) if raw else None


def facts_of(case: dict[str, Any]) -> R.TicketFacts | R.ConversationFacts:
    if case["type"] == "ticket":
        t = case["ticket"]
        rating = t.get("rating")
        return R.TicketFacts(
            code=case["id"],
            kind=t["kind"],
            content=t["content"],
            address=t["address"],
            phone=t["phone"],
            anonymous=t["anonymous"],
            category=t["category"],
            department=t["department"],
            result=t["result"],
            created=_at(t["created"]),  # type: ignore[arg-type]
            now=_at(case["now"]),  # type: ignore[arg-type]
            dispatched=_at(t["dispatched"]),
            signed=_at(t["signed"]),
            deadline=_at(t["deadline"]),
            answered=_at(t["answered"]),
            ratings=(R.Rating(rating["level"], _at(rating["at"])),) if rating else (),  # type: ignore[arg-type]
            callback_due=_at(t.get("callback_due")),
            callback_at=_at(t.get("callback_at")),
        )
    c = case["conversation"]
    lines = tuple(R.Line(m["author"], m["text"], _at(m["at"])) for m in c["messages"])  # type: ignore[arg-type]
    ended = _at(c["ended"])
    return R.ConversationFacts(case["id"], _at(c["created"]), _at(c["taken"]), ended, lines, ended)  # type: ignore[arg-type]


def evaluate(cases: list[dict[str, Any]], rules: dict[str, R.RuleConfig]) -> dict[str, Any]:
    tp = fp = fn = 0
    per: dict[str, Counter[str]] = {}
    wrong: list[dict[str, Any]] = []
    for case in cases:
        facts = facts_of(case)
        ctx = R.Context(rules)
        hits = R.inspect_ticket(facts, ctx) if isinstance(facts, R.TicketFacts) else R.inspect_conversation(facts, ctx)
        found = {h.rule for h in hits if h.severity == MUST}
        gold = set(case["must_fix"])
        for rule in found | gold:
            c = per.setdefault(rule, Counter())
            if rule in found and rule in gold:
                c["tp"] += 1
                tp += 1
            elif rule in found:
                c["fp"] += 1
                fp += 1
                wrong.append({"id": case["id"], "rule": rule, "kind": "false finding"})
            else:
                c["fn"] += 1
                fn += 1
                wrong.append({"id": case["id"], "rule": rule, "kind": "missed"})

    def pr(c: Counter[str]) -> dict[str, Any]:
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else None
        return {"precision": None if p is None else round(p, 3), "recall": None if r is None else round(r, 3), **c}

    return {
        "cases": len(cases),
        "must_fix": pr(Counter(tp=tp, fp=fp, fn=fn)),
        "per_rule": {rule: pr(c) for rule, c in sorted(per.items())},
        "errors": wrong,
    }


REPLIES = [
    "经现场核查，已责令施工单位停止夜间施工，依据《噪声污染防治法》。联系电话 0753-2183456。",
    "已安排维修人员更换路灯，目前已恢复照明。",
    "您反映的问题已转交相关部门处理。",
    "经核实，物业调价未公示，已依据《物业服务收费管理办法》责令恢复原价。咨询电话 0753-2245566。",
]


async def _timed_run(n: int, seed: int) -> tuple[float, int]:
    from govchat.runtime import open_database
    from kernel.config import Settings
    from office_flows.tickets.models import Ticket, TicketRating
    from tests.support.tickets_data import NOW, ticket_rows

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        db = await open_database(settings)
        try:
            tickets, ratings = ticket_rows(n, rng, NOW)
            for t in tickets:  # every ticket closed: a month's volume of answered tickets
                if t["answered_at"] is None:
                    t["answered_at"] = min(t["dispatched_at"] + timedelta(days=rng.uniform(1, 10)), NOW)
                    t["status"], t["next_escalation_at"] = "answered", None
                    t["on_time"] = t["answered_at"] <= t["deadline_at"]
                t["result"] = rng.choice(REPLIES)
                t["category"] = "城乡建设"
                t["updated_at"] = t["answered_at"] or t["created_at"]
            async with db.session() as s:
                for i in range(0, len(tickets), 5000):
                    await s.execute(insert(Ticket), tickets[i : i + 5000])
                for i in range(0, len(ratings), 5000):
                    await s.execute(insert(TicketRating), ratings[i : i + 5000])
            service = QualityService(db, FakeClock(NOW + timedelta(days=1)))
            start = time.perf_counter()
            done = await service.run_all(NOW + timedelta(days=1))
            seconds = time.perf_counter() - start
            async with db.session() as s:
                stored = int(await s.scalar(select(func.count()).select_from(Inspection)) or 0)
            assert stored == done, (stored, done)
            return seconds, done
        finally:
            await db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tickets", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "results" / "quality.json"))
    args = ap.parse_args()
    cases = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    rules = R.load_rules()
    quality = {
        "test": evaluate([c for c in cases if c["split"] == "test"], rules),
        "dev": evaluate([c for c in cases if c["split"] == "dev"], rules),
        "all": evaluate(cases, rules),
    }
    timings = [asyncio.run(_timed_run(args.tickets, seed)) for seed in range(args.runs)]
    seconds = [t for t, _ in timings]
    write_result(
        {
            "labelled": str(DATA.relative_to(HERE.parent)),
            "quality": quality,
            "timing": {
                "closed_tickets_inspected": timings[0][1],
                "seconds_median": round(statistics.median(seconds), 2),
                "seconds_runs": [round(t, 2) for t in seconds],
                "database": "SQLite (fresh file per run)",
                "model_score": "bigram cosine (no encoder)",
            },
            "machine": machine_speed(),
        },
        args.out,
    )


if __name__ == "__main__":
    main()
