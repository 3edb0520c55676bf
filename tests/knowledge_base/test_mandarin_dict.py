"""The default-dictionary view over jieba's one dictionary answers like a fresh default dictionary."""

from __future__ import annotations

import jieba

from knowledge_base import tokenize
from knowledge_base.lexicon import _mandarin_freq
from knowledge_base.mandarin_dict import default_segmenter
from knowledge_base.normalize import word_boundaries

# Words the default dictionary lacks (new keys, new prefixes), has with another frequency (图书馆), or has
# as a prefix only; added the way the KB adds its names.
KB_WORDS = ["港澳通行证续签", "图书馆", "居住证明开具", "灵活就业人员社保", "粤省事办理指南"]
TEXTS = [
    "港澳通行证续签要带什么材料",
    "我想去图书馆办借书证",
    "居住证明开具需要多久",
    "灵活就业人员社保怎么交",
    "粤省事办理指南在哪里看",
    "举报了之后多久有回复",
]


def test_view_matches_a_fresh_default_dictionary_after_kb_words() -> None:
    fresh = jieba.Tokenizer()
    fresh.initialize()
    tokenize.add_words(KB_WORDS)
    view = default_segmenter()
    assert view is not jieba.dt and view.total == fresh.total
    keys = {w[: i + 1] for w in KB_WORDS for i in range(len(w))} | {"社保", "图", "不存在的词语"}
    for key in keys:
        assert (key in view.FREQ) == (key in fresh.FREQ), key
        assert view.FREQ.get(key) == fresh.FREQ.get(key), key
        assert _mandarin_freq().get(key, 0) == fresh.FREQ.get(key, 0), key
    for text in TEXTS:
        assert list(view.tokenize(text, HMM=False)) == list(fresh.tokenize(text, HMM=False)), text
        assert word_boundaries(text) == {b for _w, s, e in fresh.tokenize(text, HMM=False) for b in (s, e)} | {
            0,
            len(text),
        }
    # ... while the KB's own segmenter does use the added words.
    assert "港澳通行证续签" in jieba.lcut("港澳通行证续签要带什么材料")
    assert "港澳通行证续签" not in [w for w, _s, _e in view.tokenize("港澳通行证续签要带什么材料", HMM=False)]
