"""The sentence encoder as office flows use it; the composition root passes the KB's encoder.

Office flows must not import the knowledge base, so they name what they need here
(``knowledge_base.encoder.Encoder`` satisfies it).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class TextEncoder(Protocol):
    name: str

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...
