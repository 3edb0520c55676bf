"""A FAISS inner-product index keyed by database ids, persisted with its model and KB version.

Files live in ``<index_dir>/<model slug>/``: each build is a folder holding
``vectors.faiss`` and ``meta.json``; ``CURRENT`` names the live one and is
replaced atomically, so a reader never sees half a build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def model_slug(model_name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", model_name.strip("/"))[-60:]
    return f"{base}-{hashlib.sha1(model_name.encode()).hexdigest()[:8]}"


@dataclass
class VectorIndex:
    model_name: str
    dim: int
    index: faiss.IndexIDMap2
    hashes: dict[int, str]
    kb_version: int = 0

    @classmethod
    def empty(cls, model_name: str, dim: int) -> VectorIndex:
        return cls(model_name, dim, faiss.IndexIDMap2(faiss.IndexFlatIP(dim)), {})

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def copy(self) -> VectorIndex:
        clone = faiss.clone_index(self.index)
        assert isinstance(clone, faiss.IndexIDMap2)
        return VectorIndex(self.model_name, self.dim, clone, dict(self.hashes), self.kb_version)

    def add(self, ids: list[int], vectors: np.ndarray, hashes: list[str]) -> None:
        if not ids:
            return
        self.index.add_with_ids(vectors.astype(np.float32), np.asarray(ids, dtype=np.int64))
        self.hashes.update(zip(ids, hashes, strict=True))

    def remove(self, ids: list[int]) -> None:
        if not ids:
            return
        # faiss wraps the id array into an IDSelectorBatch; its stubs only know the selector.
        self.index.remove_ids(np.asarray(ids, dtype=np.int64))  # type: ignore[arg-type]
        for i in ids:
            self.hashes.pop(i, None)

    def vectors_by_hash(self, ids: list[int]) -> dict[str, np.ndarray]:
        present = [i for i in ids if i in self.hashes]
        if not present:
            return {}
        vecs = self.index.reconstruct_batch(np.asarray(present, dtype=np.int64))
        return {self.hashes[i]: vecs[row] for row, i in enumerate(present)}

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if len(self) == 0:
            return []
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), min(k, len(self)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def scores_for(self, query: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Exact similarity of the query to given ids (candidates found only lexically)."""
        present = [i for i in ids if i in self.hashes]
        if not present:
            return {}
        vecs = self.index.reconstruct_batch(np.asarray(present, dtype=np.int64))
        sims = vecs @ query.astype(np.float32)
        return dict(zip(present, (float(s) for s in sims), strict=True))

    # --- persistence -------------------------------------------------------------------------

    def save(self, root: Path) -> Path:
        """Write a new build folder and switch CURRENT to it atomically; returns the folder."""
        base = root / model_slug(self.model_name)
        base.mkdir(parents=True, exist_ok=True)
        build = base / f"build-{self.kb_version}-{uuid.uuid4().hex[:8]}"
        tmp = base / f".tmp-{build.name}"
        tmp.mkdir()
        faiss.write_index(self.index, str(tmp / "vectors.faiss"))
        meta = {
            "model": self.model_name,
            "dim": self.dim,
            "kb_version": self.kb_version,
            "hashes": {str(k): v for k, v in self.hashes.items()},
        }
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, build)
        pointer = base / f".CURRENT-{uuid.uuid4().hex[:8]}"
        pointer.write_text(build.name, encoding="utf-8")
        os.replace(pointer, base / "CURRENT")
        for old in base.glob("build-*"):
            if old != build:
                shutil.rmtree(old, ignore_errors=True)
        return build

    @classmethod
    def load(cls, root: Path, model_name: str) -> VectorIndex | None:
        base = root / model_slug(model_name)
        try:
            build = base / (base / "CURRENT").read_text(encoding="utf-8").strip()
            meta = json.loads((build / "meta.json").read_text(encoding="utf-8"))
            index = faiss.read_index(str(build / "vectors.faiss"))
        except (OSError, ValueError, RuntimeError):
            return None
        if meta.get("model") != model_name or not isinstance(index, faiss.IndexIDMap2):
            return None
        hashes = {int(k): v for k, v in meta["hashes"].items()}
        return cls(model_name, int(meta["dim"]), index, hashes, int(meta.get("kb_version", 0)))
