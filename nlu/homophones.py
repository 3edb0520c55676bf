"""Homophone typos of the appeal verbs (我要头诉 → 我要投诉): the repairer itself is
:mod:`knowledge_base.homophones`, shared with the knowledge base and the emergency classifier."""

from __future__ import annotations

from knowledge_base.homophones import HomophoneRepair, jieba_cut

# The appeal verbs a citizen files with, after what says "I want to" (or at the start of a clause).
appeal_verbs = HomophoneRepair(
    ("投诉", "举报", "建议", "咨询", "求助", "表扬"),
    after=r"^|[，,。.!！?？\s]|要|想|来|去|系|係|帮我|我|佢|先|再|准备|打算",
    cut=jieba_cut,
)
