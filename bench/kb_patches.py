"""Issue 17, round 3: the per-question patches of KB retrieval, each switched off on one index (dev split only).

    .venv/bin/python -m bench.kb_patches --data-dir DIR [--variants NAME ...] [--retrain] [--out FILE.json]

DIR holds the full catalogue imported (``govchat kb import --format gdzwfw``) and a ranker trained on it. Every
variant is measured in this one process on that one index: the query-side patches are switched through the
snapshot's fusion parameters, its dialect map and the text the dense encoder sees.
Service terms rewrite indexed texts too; the run checks that no indexed text of this catalogue changes without
them, so switching them off on the question side is the same as a re-index.

Per variant: every dev question is retrieved and featurised; the calibration is refitted out of fold (5 folds,
as ``bench/tune_ranker.py``) and the configured thresholds applied; with ``--retrain`` the KB-trained model is also
retrained on the variant's snapshot first (its features move with the patches). Against the baseline: the
questions that flip (hit@1, hit@3, wrong decisions) and a paired bootstrap 95 % interval of each difference.
The frozen sets and the test split are refused.

The look-alike variant penalty (变更/延续/补发/注销 and the region of the applicant) was measured by this script
on the commit that added it (its variants "- variant verbs penalty", "- region penalty" and "- variant penalty
(verbs and regions)" switched ``EntryInfo.actions`` per label) and removed after it (bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
from sklearn.model_selection import GroupKFold

from bench.common import write_result
from bench.tune_ranker import Scored, choose, fit_calibration, outcomes, with_probs
from knowledge_base import query as kbquery
from knowledge_base import retriever
from knowledge_base.evaluation import Outcome, by_style, read_eval_file, summarise
from knowledge_base.index_manager import build_dialect_map
from knowledge_base.normalize import DialectMap, normalize
from knowledge_base.policy import Decision, LearnedThresholds, distinct_hits
from knowledge_base.ranker import train as ranker_train
from knowledge_base.ranker.calibration import Calibration
from knowledge_base.ranker.features import features, question_profile, question_shape
from knowledge_base.ranker.model import Ranker
from knowledge_base.ranker.rerank import DEPTH
from knowledge_base.retriever import SearchSnapshot


@dataclass(frozen=True)
class Variant:
    """Which patches are on."""

    service_verbs: bool = True  # query.service_verbs / lexical_expansion (fourth pass)
    shared_penalty: bool = True  # text shared by several entries (third pass)
    aspects: bool = True  # aspect phrases stripped for the dense encoder (third pass)
    filler: bool = True  # polite openings stripped for the dense encoder (first tuning pass)
    service_terms: bool = True  # service_terms.csv (third pass)


VARIANTS: dict[str, Variant] = {
    "all patches (shipped)": Variant(),
    "- service verbs": Variant(service_verbs=False),
    "- shared-text penalty": Variant(shared_penalty=False),
    "- aspect phrases": Variant(aspects=False),
    "- aspect phrases and polite openings": Variant(aspects=False, filler=False),
    "- service terms": Variant(service_terms=False),
}
BASE = "all patches (shipped)"


def _no_aspects(query: str) -> str:
    return kbquery._FILLER.sub("", query) or query


def _identity(query: str) -> str:
    return query


@contextlib.contextmanager
def dense_text(v: Variant) -> Iterator[None]:
    """The text the dense encoder sees, in retrieval and in ranker training."""
    fn: Callable[[str], str] = kbquery.dense_query if v.aspects else (_no_aspects if v.filler else _identity)
    with mock.patch.object(retriever, "dense_query", fn), mock.patch.object(ranker_train, "dense_query", fn):
        yield


def variant_snapshot(snap: SearchSnapshot, v: Variant, no_terms: DialectMap) -> SearchSnapshot:
    p = snap.params
    params = replace(
        p,
        verb_expansion=v.service_verbs,
        shared_text_penalty=p.shared_text_penalty if v.shared_penalty else 0.0,
    )
    return replace(
        snap,
        params=params,
        dialect=snap.dialect if v.service_terms else no_terms,
        derived={"entry_terms": snap.derived.setdefault("entry_terms", {})},
    )


def score(snap: SearchSnapshot, ranker: Ranker, cases: list[dict[str, Any]]) -> list[Scored]:
    rows = []
    for case in cases:
        query = snap.normalise(case["question"])
        hits = snap.search_normalised(query, 10)
        profile = question_profile(snap, query)
        x = features(snap, profile, hits[:DEPTH])
        shape = question_shape(snap, profile, hits)
        rows.append(Scored(case.get("style", "mandarin"), case["task_code"], hits, shape, x, ranker.predict(x)))
    return rows


def out_of_fold(rows: list[Scored]) -> list[Scored]:
    groups = np.arange(len(rows))
    cal_of: dict[int, Calibration] = {}
    for train, test in GroupKFold(n_splits=5).split(groups, groups, groups):
        cal = fit_calibration(rows, train.tolist())
        cal_of.update({int(i): cal for i in test})
    return with_probs(rows, cal_of)


def per_question(outs: list[Outcome]) -> dict[str, np.ndarray]:
    """0/1 per question for every paired figure (NaN where the figure does not apply)."""
    nan = float("nan")

    def col(f: Callable[[Outcome], float | None]) -> np.ndarray:
        return np.array([nan if (x := f(o)) is None else float(x) for o in outs])

    def ans(f: Callable[[Outcome], bool]) -> Callable[[Outcome], float | None]:
        return lambda o: float(f(o)) if o.target is not None else None

    return {
        "hit@1": col(ans(lambda o: o.rank == 1)),
        "hit@3": col(ans(lambda o: o.rank is not None and o.rank <= 3)),
        "mrr": col(lambda o: (1 / o.rank if o.rank else 0.0) if o.target is not None else None),
        "unanswerable_answered": col(lambda o: float(o.decision is Decision.ANSWER) if o.target is None else None),
        "answerable_declined": col(ans(lambda o: o.decision is Decision.DECLINE)),
        # right outcome: the right item answered or among the choices; an out-of-catalogue question declined
        "right_outcome": col(
            lambda o: float(
                o.decision is Decision.DECLINE
                if o.target is None
                else o.decision is not Decision.DECLINE and o.target in o.offered
            )
        ),
    }


def paired(base: dict[str, np.ndarray], other: dict[str, np.ndarray], reps: int = 2000) -> dict[str, Any]:
    """Difference other − base per figure: questions better / worse and a paired bootstrap 95 % interval."""
    rng = np.random.default_rng(0)
    n = len(next(iter(base.values())))
    draws = rng.integers(0, n, size=(reps, n))
    out: dict[str, Any] = {}
    for name, b in base.items():
        o = other[name]
        ok = ~np.isnan(b)
        d = np.where(ok, o - b, 0.0)
        cnt = ok.astype(np.float64)
        boot = d[draws].sum(1) / np.maximum(cnt[draws].sum(1), 1)
        out[name] = {
            "diff": round(float(d.sum() / cnt.sum()), 4),
            "ci95": [round(float(np.percentile(boot, 2.5)), 4), round(float(np.percentile(boot, 97.5)), 4)],
            "up": int((d > 0).sum()),
            "down": int((d < 0).sum()),
        }
    return out


def _changed(items: list[tuple[str, Scored, Scored]], limit: int = 12) -> list[dict[str, Any]]:
    """Questions whose rank of the asked item moved (for the README)."""
    moved = [(q, _rank(b), _rank(o)) for q, b, o in items if b.target is not None and _rank(b) != _rank(o)]
    moved.sort(key=lambda m: (m[1] or 99) - (m[2] or 99))
    return [{"question": q, "rank_with": rb, "rank_without": ro} for q, rb, ro in moved[:limit]]


def _rank(r: Scored) -> int | None:
    codes = [h.source_code for h in distinct_hits(r.ranked)]
    return codes.index(r.target) + 1 if r.target in codes else None


async def load(data_dir: Path) -> tuple[Any, SearchSnapshot, DialectMap, int]:
    from govchat.runtime import build_runtime
    from kernel.config import load_settings
    from knowledge_base import store

    rt = await build_runtime(load_settings(data_dir=str(data_dir), demo_data=False))
    snap = rt.index.snapshot
    if snap is None or snap.ranker is None:
        raise SystemExit("no trained ranker in this data folder: run `govchat kb train-ranker` first")
    async with rt.index.db.session() as s:
        rows = await store.published_search_texts(s)
        pairs = await store.dialect_pairs(s)
        synonyms = await store.synonyms(s)
    no_terms = build_dialect_map(pairs, synonyms, service_terms=False)
    # Texts that would be indexed differently without the service terms (0 means a re-index changes nothing).
    changed = sum(normalize(r.text, no_terms) != snap.texts[r.id].text for r in rows if r.id in snap.texts)
    return rt, snap, no_terms, changed


def measure(
    snap: SearchSnapshot,
    v: Variant,
    no_terms: DialectMap,
    cases: list[dict[str, Any]],
    retrain: bool,
    fixed: LearnedThresholds,
) -> tuple[list[Scored], dict[str, Any]]:
    t0 = time.perf_counter()
    with dense_text(v):
        vs = variant_snapshot(snap, v, no_terms)
        ranker = snap.ranker
        info: dict[str, Any] = {}
        if retrain:
            ranker = ranker_train.train_ranker(vs, stamp="ablation", trained_at="ablation")
            info["retrained"] = {k: ranker.meta[k] for k in ("questions", "pairs", "positives", "seconds")}
        rows = score(vs, ranker, cases)
    oof = out_of_fold(rows)
    outs = outcomes(oof, fixed)
    rechosen, _ = choose(oof, max_declined=0.04, answer_room=0.0, max_unanswerable_answered=0.05, per_style=True)
    info.update(
        {
            "patches": v.__dict__,
            "thresholds": {"answer": fixed.answer, "suggest": fixed.suggest},
            "dev_out_of_fold": summarise(outs),
            "by_style": by_style(outs),
            "rechosen_thresholds": {"answer": rechosen.answer, "suggest": rechosen.suggest},
            "dev_out_of_fold_rechosen": summarise(outcomes(oof, rechosen)),
            "seconds": round(time.perf_counter() - t0, 1),
        }
    )
    return oof, info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="bench/data/kb_eval_gd_dev.jsonl")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS), help="names in VARIANTS (default: all)")
    ap.add_argument("--retrain", action="store_true", help="retrain the KB-trained model for every variant")
    ap.add_argument("--out", default="bench/results/kb_patches_dev.json")
    args = ap.parse_args()
    name = Path(args.data).name
    if "frozen" in name or "test" in name:
        raise SystemExit("the patches are judged on the dev split only")
    cases = read_eval_file(Path(args.data))
    from kernel.config import load_settings

    settings = load_settings(data_dir=args.data_dir, demo_data=False)
    # The shipped thresholds (GOVCHAT_RANKER_ANSWER / _SUGGEST; 0.75 / 0.23 when the patches were measured).
    fixed = LearnedThresholds(settings.ranker_answer, settings.ranker_suggest)

    async def run() -> dict[str, Any]:
        rt, snap, no_terms, changed = await load(Path(args.data_dir))
        try:
            results: dict[str, Any] = {}
            base_q: dict[str, np.ndarray] | None = None
            base_rows: list[Scored] | None = None
            for vname in [BASE, *[n for n in args.variants if n != BASE]]:
                oof, info = measure(snap, VARIANTS[vname], no_terms, cases, args.retrain, fixed)
                q = per_question(outcomes(oof, fixed))
                if base_q is None or base_rows is None:
                    base_q, base_rows = q, oof
                else:
                    info["against_shipped"] = paired(base_q, q)
                    info["rank_changes"] = _changed(
                        [(c["question"], b, o) for c, b, o in zip(cases, base_rows, oof, strict=True)]
                    )
                results[vname] = info
                s = info["dev_out_of_fold"]
                print(
                    f"{vname}: hit@1 {s['hit@1']} hit@3 {s['hit@3']} mrr {s['mrr']} "
                    f"una-answered {s['unanswerable_answered']} ans-declined {s['answerable_declined']} "
                    f"({info['seconds']} s)",
                    flush=True,
                )
            return {
                "data": args.data,
                "questions": len(cases),
                "retrained_per_variant": args.retrain,
                "texts_changed_without_service_terms": changed,
                "loadavg_1m": round(os.getloadavg()[0], 2),
                "variants": results,
            }
        finally:
            await rt.close()

    write_result(asyncio.run(run()), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
