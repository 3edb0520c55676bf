"""Features of one (question, candidate entry) pair for the learned relevance stage.

Everything here is computed from the retrieval scores and from the KB's own texts, never from a list of
words written for particular questions:

- the retrieval evidence: fused score, best BM25 share, best raw e5 cosine, the entry's rank and its
  gaps to the best and to the next candidate, how crowded the top of the list is;
- coverage: how much of the question's information (IDF-weighted tokens after dialect normalisation,
  and its characters) the entry's texts contain, whether its most informative token is covered, and
  how much of the entry's own name the question asks for;
- what the question is: its length, its number of tokens, the share of its information made of words
  that no text of the KB contains (社保卡 in a KB without it);
- the entry's shape: a text shared with other entries, FAQ or item, which field matched (name, alias,
  department profile, FAQ question, similar question).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.policy import QuestionShape
from knowledge_base.retriever import EntryHit, SearchSnapshot
from knowledge_base.tokenize import tokens

FIELDS = ("name", "alias", "profile", "question", "similar")

FEATURES: tuple[str, ...] = (
    "fused",
    "fused_gap_top",
    "fused_gap_next",
    "rank",
    "lexical",
    "lexical_gap_top",
    "cosine",
    "cosine_gap_top",
    "idf_coverage",
    "key_covered",
    "char_coverage",
    "name_coverage",
    "q_unknown_share",
    "q_chars",
    "q_tokens",
    "top_fused",
    "n_close",
    "shared_match",
    "is_faq",
    *(f"field_{f}" for f in FIELDS),
)

# Characters that carry no content in a question (particles, pronouns, question words).
_FUNCTION_CHARS = frozenset(
    "的了吗呢吧啊呀么我你他她它们要想请问下怎样何哪里在是有没不一个些什这那就还可以能会给去来办理"
)
_CLOSE = 0.03  # fused-score distance that counts as "as close as the best"


@dataclass(frozen=True)
class QuestionProfile:
    """The parts of a normalised question that the features compare with entries."""

    query: str
    tokens: tuple[str, ...]
    idf: tuple[float, ...]
    chars: frozenset[str]
    unknown_share: float
    # Tokens that some text of the KB contains.
    known: frozenset[str] = frozenset()

    @property
    def key_token(self) -> str | None:
        """The key object: the most informative word of two or more characters that the KB knows (an
        unknown word is measured by ``unknown_share`` instead: 我爸 or 之前 would otherwise win)."""
        best: tuple[float, str] | None = None
        for tok, w in zip(self.tokens, self.idf, strict=True):
            if len(tok) >= 2 and tok in self.known and (best is None or w > best[0]):
                best = (w, tok)
        return best[1] if best else None


def _content_chars(text: str) -> frozenset[str]:
    return frozenset(c for c in text if "\u4e00" <= c <= "\u9fff" and c not in _FUNCTION_CHARS)


def question_profile(snap: SearchSnapshot, query: str) -> QuestionProfile:
    toks = tuple(dict.fromkeys(tokens(query)))
    oov = snap.bm25.oov_idf
    idf = tuple(snap.bm25.idf.get(t, oov if len(t) > 1 else oov / 4) for t in toks)
    total = sum(idf)
    unknown = sum(w for t, w in zip(toks, idf, strict=True) if t not in snap.bm25.idf)
    known = frozenset(t for t in toks if t in snap.bm25.idf)
    return QuestionProfile(query, toks, idf, _content_chars(query), unknown / total if total else 0.0, known)


@dataclass(frozen=True)
class EntryTerms:
    tokens: frozenset[str]
    chars: frozenset[str]
    text: str  # all texts joined, for substring checks
    name_tokens: tuple[str, ...]


def entry_terms(snap: SearchSnapshot, key: tuple[str, int]) -> EntryTerms:
    """Token and character sets of an entry's indexed texts (cached on the snapshot)."""
    cache: dict[tuple[str, int], EntryTerms] = snap.derived.setdefault("entry_terms", {})
    got = cache.get(key)
    if got is None:
        texts = [snap.texts[i] for i in snap.entry_texts.get(key, ()) if i in snap.texts]
        joined = " ".join(t.text for t in texts)
        name = next((t.text for t in texts if t.field in ("name", "question")), texts[0].text if texts else "")
        got = EntryTerms(
            frozenset(tok for t in texts for tok in tokens(t.text)),
            _content_chars(joined),
            joined,
            tuple(dict.fromkeys(tokens(name))),
        )
        cache[key] = got
    return got


def _covered(token: str, terms: EntryTerms) -> bool:
    return token in terms.tokens or token in terms.text


def features(snap: SearchSnapshot, profile: QuestionProfile, hits: Sequence[EntryHit]) -> np.ndarray:
    """One row of FEATURES per hit (hits ranked by fused score, best first)."""
    out = np.zeros((len(hits), len(FEATURES)), dtype=np.float32)
    if not hits:
        return out
    top_fused = hits[0].fused
    top_lex = max(h.lexical for h in hits)
    top_cos = max(h.cosine for h in hits)
    n_close = sum(1 for h in hits if top_fused - h.fused <= _CLOSE)
    total_idf = sum(profile.idf)
    key = profile.key_token
    idf_of = dict(zip(profile.tokens, profile.idf, strict=True))
    for row, h in enumerate(hits):
        terms = entry_terms(snap, h.key)
        covered = sum(w for t, w in zip(profile.tokens, profile.idf, strict=True) if _covered(t, terms))
        name_idf = [idf_of.get(t, snap.bm25.idf.get(t, snap.bm25.oov_idf)) for t in terms.name_tokens]
        name_hit = sum(w for t, w in zip(terms.name_tokens, name_idf, strict=True) if t in profile.query)
        matched = snap.texts.get(h.matched_id)
        field = matched.field if matched is not None else ""
        nxt = hits[row + 1].fused if row + 1 < len(hits) else h.fused - 0.1
        values = {
            "fused": h.fused,
            "fused_gap_top": top_fused - h.fused,
            "fused_gap_next": h.fused - nxt,
            "rank": row + 1,
            "lexical": h.lexical,
            "lexical_gap_top": top_lex - h.lexical,
            "cosine": h.cosine,
            "cosine_gap_top": top_cos - h.cosine,
            "idf_coverage": covered / total_idf if total_idf else 0.0,
            "key_covered": float(key is not None and _covered(key, terms)),
            "char_coverage": len(profile.chars & terms.chars) / len(profile.chars) if profile.chars else 0.0,
            "name_coverage": name_hit / sum(name_idf) if name_idf and sum(name_idf) else 0.0,
            "q_unknown_share": profile.unknown_share,
            "q_chars": len(profile.query),
            "q_tokens": len(profile.tokens),
            "top_fused": top_fused,
            "n_close": n_close,
            "shared_match": float(h.matched_text in snap.shared_texts),
            "is_faq": float(h.kind == "faq"),
            **{f"field_{f}": float(field == f) for f in FIELDS},
        }
        out[row] = [values[name] for name in FEATURES]
    return out


def question_shape(
    snap: SearchSnapshot, profile: QuestionProfile, ranked: Sequence[EntryHit], choices: int = 3
) -> QuestionShape:
    """One-word questions and whether the best entry / the offered choices cover the key object."""
    key = profile.key_token
    words = [t for t in profile.tokens if len(t) >= 2]
    # 社保, 补贴, 公积金: one word of content (search-mode sub-words of it do not count).
    longest = max(words, key=len, default="")
    one_word = bool(words) and all(w in longest for w in words) and len(profile.query) <= len(longest) + 1

    def covers(h: EntryHit) -> bool:
        return key is not None and _covered(key, entry_terms(snap, h.key))

    return QuestionShape(
        one_word=one_word,
        top_covers_key=bool(ranked) and covers(ranked[0]),
        choices_cover_key=any(covers(h) for h in ranked[:choices]),
        knows_a_word=any(len(t) >= 2 for t in profile.known),
    )
