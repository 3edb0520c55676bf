"""CoalescingEncoder: concurrent single questions share model passes; each caller gets its own row."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge_base.batching import CoalescingEncoder


class SlowEncoder:
    """Encodes a text as [len(text), first char code]; each pass takes a while, like a model."""

    name = "slow"
    dim = 2

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail_on = fail_on
        self._lock = threading.Lock()

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        with self._lock:
            self.calls.append(list(texts))
        time.sleep(0.05)
        if self.fail_on in texts:
            raise RuntimeError("model failed")
        return np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32)


def test_concurrent_questions_share_passes_and_get_their_own_rows() -> None:
    inner = SlowEncoder()
    enc = CoalescingEncoder(inner)
    texts = [chr(0x4E00 + i) * (i + 1) for i in range(24)]
    with ThreadPoolExecutor(24) as pool:
        rows = list(pool.map(lambda t: enc.encode([t]), texts))
    for text, row in zip(texts, rows, strict=True):
        assert row.shape == (1, 2)
        assert row[0].tolist() == [len(text), ord(text[0])]
    assert enc.batches == len(inner.calls) < len(texts)  # 24 questions, far fewer passes
    assert sorted(t for call in inner.calls for t in call) == sorted(texts)


def test_a_lone_question_is_encoded_at_once_and_bulk_calls_pass_through() -> None:
    inner = SlowEncoder()
    enc = CoalescingEncoder(inner)
    assert enc.encode(["一"])[0].tolist() == [1, ord("一")]
    assert enc.encode(["一二", "三"]).shape == (2, 2)
    assert inner.calls == [["一"], ["一二", "三"]]
    assert (enc.name, enc.dim) == ("slow", 2)


def test_a_failed_pass_fails_every_caller_in_it_and_the_encoder_recovers() -> None:
    inner = SlowEncoder(fail_on="坏")
    enc = CoalescingEncoder(inner)
    gate = threading.Barrier(2)

    def ask(text: str) -> str:
        gate.wait()
        try:
            enc.encode([text])
        except RuntimeError as exc:
            return str(exc)
        return "ok"

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(ask, ["坏", "好"]))
    assert "model failed" in outcomes
    # Whoever shared the failing pass failed with it; nobody hangs, and the next question works.
    assert enc.encode(["好"])[0].tolist() == [1, ord("好")]
    with pytest.raises(RuntimeError):
        enc.encode(["坏"])
