"""Training the learned stage on a snapshot of the loaded KB (``govchat kb train-ranker``)."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from knowledge_base.query import dense_query
from knowledge_base.ranker.features import FEATURES, features, question_profile
from knowledge_base.ranker.model import Ranker
from knowledge_base.ranker.pairs import TrainingQuestion, is_positive, training_questions
from knowledge_base.ranker.rerank import DEPTH
from knowledge_base.retriever import SearchSnapshot

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class TrainingSet:
    x: np.ndarray
    y: np.ndarray
    groups: np.ndarray  # question number of each row


def build_training_set(
    snap: SearchSnapshot, questions: list[TrainingQuestion], *, progress: Progress = _quiet, batch: int = 256
) -> TrainingSet:
    """Retrieve each question (its left-out texts excluded) and label its DEPTH best candidates."""
    _, dense_w = snap.params.weights("fused", snap.channels)
    rows: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    groups: list[np.ndarray] = []
    for start in range(0, len(questions), batch):
        chunk = questions[start : start + batch]
        queries = [snap.normalise(q.text) for q in chunk]
        dense_texts = [dense_query(q) for q in queries]
        vecs = [
            ch.encoder.encode(dense_texts, batch_size=64) if w > 0 else None
            for ch, w in zip(snap.dense, dense_w, strict=True)
        ]
        for n, (q, query) in enumerate(zip(chunk, queries, strict=True)):
            qvecs = [v[n] if v is not None else None for v in vecs]
            hits = snap.search_normalised(query, DEPTH, qvecs=qvecs, excluded=q.excluded)
            if not hits:
                continue
            rows.append(features(snap, question_profile(snap, query), hits))
            labels.append(np.array([is_positive(snap, q, h.key) for h in hits], dtype=np.int8))
            groups.append(np.full(len(hits), start + n, dtype=np.int32))
        progress(f"训练样本：{min(start + batch, len(questions))}/{len(questions)} 个问题")
    if not rows:
        return TrainingSet(np.zeros((0, len(FEATURES)), np.float32), np.zeros(0, np.int8), np.zeros(0, np.int32))
    return TrainingSet(np.concatenate(rows), np.concatenate(labels), np.concatenate(groups))


def train_ranker(
    snap: SearchSnapshot,
    *,
    stamp: str,
    trained_at: str,
    seed: int = 0,
    progress: Progress = _quiet,
    limit: int = 12000,
    batch: int = 256,
) -> Ranker:
    """Questions from the snapshot's own structure → labelled candidates → calibrated model."""
    started = time.perf_counter()
    questions = training_questions(snap, seed=seed, limit=limit)
    progress(f"由知识库结构生成 {len(questions)} 个训练问题（{sum(q.out_of_kb for q in questions)} 个库外问题）")
    data = build_training_set(snap, questions, progress=progress, batch=batch)
    if len(set(data.y.tolist())) < 2:
        raise ValueError("训练样本不足：知识库条目太少，无法训练相关性模型")
    progress(f"训练模型：{len(data.y)} 个候选（正例 {int(data.y.sum())}）…")
    ranker = Ranker.fit(data.x, data.y, data.groups, seed=seed)
    ranker.meta.update(
        kb_version=snap.kb_version,
        stamp=stamp,
        trained_at=trained_at,
        seconds=round(time.perf_counter() - started, 1),
        questions=len(questions),
        pairs=len(data.y),
        positives=int(data.y.sum()),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        depth=DEPTH,
    )
    return ranker
