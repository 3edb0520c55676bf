"""The traced (TorchScript) paths of the e5 encoder against sentence-transformers' own (the real model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge_base.encoder import SentenceTransformerEncoder
from knowledge_base.traced_encoder import compile_traced

QUESTIONS = [
    "身份证丢了怎么补办",
    "新生儿怎么上户口",
    "灵活就业人员如何参加养老保险",
    "开一家餐馆需要办哪些证",
    "公积金提取要带什么材料",
    "低保申请条件是什么，收入多少以下可以申请？需要村委会证明吗",
]


@pytest.fixture(scope="module")
def int8_encoder(model_path: Path) -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(str(model_path), threads=1, runtime="torchscript-int8")


def test_a_question_through_the_trace_gets_the_batch_path_vector(encoder: Any, model_path: Path) -> None:
    assert encoder.name == str(model_path)  # same vectors: an index built before the trace stays valid
    batch = encoder.encode(QUESTIONS)  # sentence-transformers, padded batch
    single = np.vstack([encoder.encode([q]) for q in QUESTIONS])  # the trace, one text each
    assert single.shape == (len(QUESTIONS), 384)
    assert np.allclose(single, batch, atol=1e-5)


def test_int8_vectors_follow_the_float32_model(encoder: Any, int8_encoder: Any, model_path: Path) -> None:
    assert int8_encoder.name == str(model_path) + "+int8"  # an index of float32 vectors is re-embedded
    a, b = int8_encoder.encode(QUESTIONS), encoder.encode(QUESTIONS)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.97
    assert ((a @ b.T).argmax(axis=1) == np.arange(len(QUESTIONS))).all()  # each nearest its own float32 vector


def test_an_int8_vector_does_not_depend_on_its_company(int8_encoder: Any) -> None:
    together = int8_encoder.encode(QUESTIONS)
    alone = np.vstack([int8_encoder.encode([q]) for q in reversed(QUESTIONS)])[::-1]
    assert np.array_equal(together, alone)  # dynamic quantisation would otherwise scale by the batch


@pytest.mark.parametrize("which", ["encoder", "int8_encoder"])
def test_a_paraphrase_is_closer_than_another_service(which: str, request: pytest.FixtureRequest) -> None:
    enc = request.getfixturevalue(which)
    texts = ("身份证丢了怎么办", "遗失居民身份证如何补领", "结婚登记需要什么材料")
    q, para, other = (enc.encode([t])[0] for t in texts)
    assert q @ para > q @ other


def test_eager_is_sentence_transformers_alone(encoder: Any, model_path: Path) -> None:
    eager = SentenceTransformerEncoder(str(model_path), threads=1, runtime="eager")
    assert eager.name == encoder.name
    assert np.allclose(eager.encode(QUESTIONS[:1]), encoder.encode(QUESTIONS[:1]), atol=1e-5)


def test_other_layouts_keep_the_sentence_transformers_path() -> None:
    class Module:
        def get_config_dict(self) -> dict[str, Any]:
            return {"pooling_mode": "max"}

    transformer = type("Transformer", (Module,), {})()
    pooling = type("Pooling", (Module,), {})()
    dense = type("Dense", (Module,), {})()
    assert compile_traced([transformer, pooling, dense], "") is None
    assert compile_traced([transformer, pooling], "") is None  # max pooling
