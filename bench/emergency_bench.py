"""Emergency recognition: recall, precision, per kind and per style, and the classifier's latency.

    python -m bench.emergency_bench                 # frozen eval set → bench/results/emergency.json
    python -m bench.emergency_bench --tune          # choose threshold and model weight on the training set

The evaluation set (``bench/data/emergency_eval.jsonl``) was written and committed before the classifier
existed and is only read here; everything tunable is chosen with ``--tune`` by cross-validation on the
training/dev set (``nlu/data/emergency_train.jsonl``), which ships with the product.
Needs no reference data from ../shared.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import machine_speed, percentile, write_result
from nlu.emergency import EmergencyClassifier, Tuning, decide, normalise, repair, rules
from nlu.emergency_model import NONE, TRAIN_FILE, EmergencyModel, load_background, load_examples

ROOT = Path(__file__).resolve().parent
EVAL = ROOT / "data" / "emergency_eval.jsonl"
EVERYDAY = ROOT / "data" / "everyday_talk_eval.jsonl"  # frozen: everyday talk, none of it an emergency
OUT = ROOT / "results" / "emergency.json"


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def score(rows: list[dict[str, Any]], predicted: list[tuple[bool, str | None]]) -> dict[str, Any]:
    """Recall and precision overall, recall per kind, both per style, and the kind accuracy."""
    tp = sum(1 for r, (e, _) in zip(rows, predicted, strict=True) if r["emergency"] and e)
    fp = sum(1 for r, (e, _) in zip(rows, predicted, strict=True) if not r["emergency"] and e)
    fn = sum(1 for r, (e, _) in zip(rows, predicted, strict=True) if r["emergency"] and not e)
    kind_ok = sum(1 for r, (e, k) in zip(rows, predicted, strict=True) if r["emergency"] and e and k == r["kind"])
    per_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "found": 0, "kind_right": 0})
    per_near: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "false_alarms": 0})
    per_style: dict[str, dict[str, int]] = defaultdict(lambda: {"emergencies": 0, "found": 0, "lookalikes": 0, "fp": 0})
    for r, (e, k) in zip(rows, predicted, strict=True):
        st = per_style[r["style"]]
        if r["emergency"]:
            pk = per_kind[r["kind"]]
            pk["n"] += 1
            pk["found"] += int(e)
            pk["kind_right"] += int(e and k == r["kind"])
            st["emergencies"] += 1
            st["found"] += int(e)
        else:
            pn = per_near[r.get("near") or "other"]
            pn["n"] += 1
            pn["false_alarms"] += int(e)
            st["lookalikes"] += 1
            st["fp"] += int(e)
    return {
        "emergencies": tp + fn,
        "lookalikes": sum(1 for r in rows if not r["emergency"]),
        "recall": _ratio(tp, tp + fn),
        "precision": _ratio(tp, tp + fp),
        "false_alarms": fp,
        "missed": fn,
        "kind_accuracy_on_found": _ratio(kind_ok, tp),
        "per_kind": {
            k: {**v, "recall": _ratio(v["found"], v["n"]), "kind_accuracy": _ratio(v["kind_right"], v["found"])}
            for k, v in sorted(per_kind.items())
        },
        "lookalikes_per_near_kind": {k: dict(v) for k, v in sorted(per_near.items())},
        "per_style": {
            k: {
                **v,
                "recall": _ratio(v["found"], v["emergencies"]),
                "precision": _ratio(v["found"], v["found"] + v["fp"]),
            }
            for k, v in sorted(per_style.items())
        },
    }


def latency(clf: EmergencyClassifier, texts: list[str], runs: int) -> dict[str, float]:
    """p50/p95 of one classify() call in ms, each the median over ``runs`` passes over the texts."""
    p50s, p95s = [], []
    for _ in range(runs):
        times = []
        for t in texts:
            start = time.perf_counter()
            clf.classify(t)
            times.append((time.perf_counter() - start) * 1000)
        p50s.append(percentile(times, 0.5))
        p95s.append(percentile(times, 0.95))
    return {"p50_ms": round(statistics.median(p50s), 4), "p95_ms": round(statistics.median(p95s), 4)}


def evaluate(runs: int, out: Path) -> dict[str, Any]:
    rows = load(EVAL)
    start = time.perf_counter()
    model = EmergencyModel.train_default()
    train_s = time.perf_counter() - start
    combined = EmergencyClassifier(model)
    rules_only = EmergencyClassifier(None)
    result: dict[str, Any] = {
        "eval_set": str(EVAL.relative_to(ROOT.parent)),
        "train_set": "nlu/data/emergency_train.jsonl",
    }
    result["training_examples"] = len(load_examples())
    result["background_examples"] = len(load_background())
    result["model_training_s"] = round(train_s, 3)
    result["tuning"] = vars(combined.tuning)
    verdicts = [combined.classify(r["text"]) for r in rows]
    result["combined"] = score(rows, [(v.emergency, v.kind) for v in verdicts])
    result["rules_only"] = score(
        rows, [(v.emergency, v.kind) for v in map(rules_only.classify, (r["text"] for r in rows))]
    )
    result["model_only"] = score(
        rows, [(p >= 0.5, k) for p, k in (model.predict(repair(normalise(r["text"]))) for r in rows)]
    )
    result["everyday_talk"] = everyday_false_alarms(combined)
    without = EmergencyClassifier(EmergencyModel.train(load_examples()), combined.tuning)
    result["everyday_talk_model_without_background"] = everyday_false_alarms(without)
    result["errors"] = [
        {"text": r["text"], "expected": r["kind"] if r["emergency"] else None, "got": v.kind, "score": v.score}
        for r, v in zip(rows, verdicts, strict=True)
        if r["emergency"] != v.emergency or (v.emergency and v.kind != r["kind"])
    ]
    result["latency"] = latency(combined, [r["text"] for r in rows], runs)
    result["latency"]["runs"] = runs
    result["machine"] = machine_speed()
    write_result(result, out)
    return result


def everyday_false_alarms(clf: EmergencyClassifier) -> dict[str, Any]:
    """How many sentences of the frozen everyday-talk set (none an emergency) are flagged, and which."""
    texts = [r["text"] for r in load(EVERYDAY)]
    flagged = [(t, v.kind) for t in texts if (v := clf.classify(t)).emergency]
    return {"sentences": len(texts), "false_alarms": len(flagged), "flagged": flagged}


def _figures(s: dict[str, Any]) -> str:
    return f"recall {s['recall']} precision {s['precision']} missed {s['missed']} fp {s['false_alarms']}"


def tune(folds: int, seed: int) -> None:
    """Cross-validated model probabilities on the training set, then a grid over the tuning knobs."""
    rows = load(TRAIN_FILE)
    background = load_background()  # always in training, as in the product; only the file's rows are scored
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    probs: dict[int, tuple[float, str | None]] = {}
    for f in range(folds):
        held = set(order[f::folds])
        model = EmergencyModel.train(
            [(r["text"], r["kind"] if r["emergency"] else NONE) for i, r in enumerate(rows) if i not in held]
            + background
        )
        for i in held:
            probs[i] = model.predict(repair(normalise(rows[i]["text"])))
    ruled = [rules(repair(normalise(r["text"]))) for r in rows]
    best: list[tuple[float, Tuning, dict[str, Any]]] = []
    for threshold in (0.7, 0.8, 0.9, 1.0, 1.1, 1.2):
        for weight in (0.0, 1.0, 1.5, 2.0, 2.5, 3.0):
            for alone in (0.7, 0.8, 0.9, 0.95):
                for alone_damp in (0.5, 1.0, 9.0):
                    t = Tuning(threshold, weight, alone, alone_damp)
                    predicted = [decide(rr, *probs[i], t)[:2] for i, rr in enumerate(ruled)]
                    s = score(rows, predicted)
                    # Recall first (a missed fire costs more than a false alarm), precision second.
                    best.append((2 * (s["recall"] or 0) + (s["precision"] or 0), t, s))
    shipped = Tuning()
    s = score(rows, [decide(rr, *probs[i], shipped)[:2] for i, rr in enumerate(ruled)])
    print(f"shipped {shipped}: {_figures(s)}")
    for i, rr in enumerate(ruled):
        got, _kind, value = decide(rr, *probs[i], shipped)
        if got != rows[i]["emergency"]:
            print(f"  {'missed' if rows[i]['emergency'] else 'false alarm'} ({value:.2f}): {rows[i]['text']}")
    best.sort(key=lambda b: -b[0])
    for value, t, s in best[:8]:
        print(f"{value:.4f} {t} {_figures(s)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="latency passes; the median p50/p95 is reported")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--tune", action="store_true", help="cross-validate on the training set instead")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    if args.tune:
        tune(args.folds, args.seed)
    else:
        evaluate(args.runs, Path(args.out))


if __name__ == "__main__":
    main()
