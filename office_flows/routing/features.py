"""Text features for routing: character n-grams and jieba words, both TF-IDF weighted.

Functions here are module-level so that fitted pipelines pickle by reference.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_jieba_ready = False


def normalise(text: str) -> str:
    """NFKC, lower case, one space for any whitespace, every run of digits as one ``0``."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _DIGITS.sub("0", _SPACE.sub(" ", text)).strip()


def word_tokens(text: str) -> list[str]:
    """jieba words of normalised text, without spaces and punctuation."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba_ready = True
    return [w for w in jieba.lcut(text) if w.strip() and not _is_punct(w)]


def _is_punct(word: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in word)


def char_tfidf(ngram_range: tuple[int, int] = (1, 4), *, min_df: int = 2) -> Any:
    return _tfidf(analyzer="char", ngram_range=ngram_range, min_df=min_df)


def word_tfidf(ngram_range: tuple[int, int] = (1, 2), *, min_df: int = 2) -> Any:
    return _tfidf(
        analyzer="word",
        tokenizer=word_tokens,
        token_pattern=None,
        lowercase=False,
        ngram_range=ngram_range,
        min_df=min_df,
    )


def _tfidf(**options: Any) -> Any:
    """Sublinear TF-IDF over normalised text, float32 to halve the memory of the matrices."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(preprocessor=normalise, sublinear_tf=True, dtype=np.float32, **options)
