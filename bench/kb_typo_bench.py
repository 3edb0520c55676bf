"""Typos of the KB's own words (knowledge_base.typos): every setting of the repair on the same index in one run.

    .venv/bin/python -m bench.kb_typo_bench --eval bench/data/kb_eval_demo_typo_dev.jsonl bench/data/kb_eval_demo.jsonl
    .venv/bin/python -m bench.kb_typo_bench --gd DATA_DIR --eval bench/data/kb_eval_gd_dev.jsonl

Without ``--gd`` the demo district is built in a temporary folder (its KB, the e5 encoder, a ranker trained on
it); with it, a folder where the Guangdong catalogue was imported and a ranker trained (bench/README.md). For
each setting (no repair; the shortest word repaired 2 or 3 characters; with or without the accent confusions)
the learned pipeline answers every question of every set, and the bench says how many questions the repair
changed, the figures, and the repair's own time per question (median of ``--runs``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import machine_speed, write_result

ROOT = Path(__file__).resolve().parent.parent
# (shortest word, accent confusions, two-character words only if real words, their right character's
# highest jieba frequency)
SETTINGS: dict[str, tuple[int, bool, bool, int | None] | None] = {
    "off": None,
    "min2": (2, False, False, None),
    "min2_real": (2, False, True, None),
    "min2_real_anchor": (2, False, True, 20_000),
    "min3": (3, False, False, None),
    "min2_real_blur": (2, True, True, None),
    "min2_real_anchor_blur": (2, True, True, 20_000),
    "min3_blur": (3, True, False, None),
}
FIGURES = ("hit@1", "hit@3", "mrr", "unanswerable_answered", "answerable_declined", "answered_directly")


async def _demo_runtime(folder: Path) -> Any:
    from govchat.runtime import build_runtime, load_encoder
    from kernel.clock import FakeClock
    from kernel.config import load_settings
    from knowledge_base.ranker.train import train_ranker

    clock = FakeClock(datetime(2026, 12, 7, 2, 0, tzinfo=UTC))
    settings = load_settings(environ={}, data_dir=str(folder), demo_data=True)
    rt = await build_runtime(settings, clock=clock, encoder=load_encoder(settings))
    snap = rt.index.snapshot
    assert snap is not None
    await rt.index.install_ranker(train_ranker(snap, stamp="typo-bench", trained_at=clock.now().isoformat()))
    return rt


async def _gd_runtime(folder: Path) -> Any:
    from govchat.runtime import build_runtime
    from kernel.config import load_settings

    return await build_runtime(load_settings(data_dir=str(folder), demo_data=False))


def _repair_ms(snap: Any, questions: list[str], runs: int) -> float:
    """The repair's own time per question, median of ``runs`` passes (microseconds would round to nothing)."""
    from knowledge_base.normalize import normalize

    normalised = [normalize(q, snap.question_map(q)) for q in questions]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for q in normalised:
            snap.repair(q)
        times.append((time.perf_counter() - started) * 1000 / max(len(normalised), 1))
    return round(statistics.median(times), 3)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from knowledge_base.evaluation import evaluate, read_eval_file
    from knowledge_base.typos import kb_repair

    with tempfile.TemporaryDirectory() as tmp:
        rt = await (_gd_runtime(Path(args.gd)) if args.gd else _demo_runtime(Path(tmp)))
        try:
            snap = rt.index.snapshot
            sets = {Path(f).name: read_eval_file(Path(f)) for f in args.eval}
            out: dict[str, Any] = {"kb": "gd catalogue" if args.gd else "demo district", "machine": machine_speed()}
            base: dict[str, list[str]] = {}
            for name in args.settings:
                setting = SETTINGS[name]
                snap.repair = (
                    None
                    if setting is None
                    else kb_repair(
                        snap.bm25.idf,
                        min_len=setting[0],
                        blur=setting[1],
                        short_real=setting[2],
                        anchor_max_freq=setting[3],
                    )
                )
                row: dict[str, Any] = {}
                for set_name, cases in sets.items():
                    normalised = [snap.normalise(c["question"]) for c in cases]
                    if setting is None:
                        base[set_name] = normalised
                    changed = sum(a != b for a, b in zip(normalised, base[set_name], strict=True))
                    r = evaluate(rt.kb, cases, mode="learned", misses=0)
                    row[set_name] = {
                        "questions_changed": changed,
                        **{f: r[f] for f in FIGURES},
                        "by_style": {s: {f: v[f] for f in ("hit@1", "hit@3")} for s, v in r["by_style"].items()},
                    }
                    if args.show and setting is not None:
                        for a, b in zip(base[set_name], normalised, strict=True):
                            if a != b:
                                print(f"{name} {set_name}: {a} → {b}")
                if setting is not None:
                    questions = [c["question"] for s in sets.values() for c in s]
                    row["repair_ms_per_question"] = _repair_ms(snap, questions, 5)
                out[name] = row
                brief = {
                    k: (v["hit@1"], v["hit@3"], v["questions_changed"]) for k, v in row.items() if isinstance(v, dict)
                }
                print(name, brief)
            return out
        finally:
            await rt.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--gd", default="", help="a data folder with the Guangdong catalogue imported and a ranker")
    ap.add_argument("--eval", nargs="+", required=True)
    ap.add_argument("--show", action="store_true", help="print every question the repair changes")
    ap.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    result = asyncio.run(run(args))
    if args.out:
        write_result(result, args.out)


if __name__ == "__main__":
    main()
