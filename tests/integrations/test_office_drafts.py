"""What a drafting request names: a document's title, a notice's content (the dialogues are in
test_office_dialogue.py)."""

from __future__ import annotations

import pytest

from integrations.office_drafts import answers, notice_content, title_in


@pytest.mark.parametrize(
    ("said", "title"),
    [
        ("帮我拟个公文，关于春节值班安排", "关于春节值班安排"),
        ("帮我拟个关于春节值班安排的公文", "关于春节值班安排"),
        ("起草一份关于汛期值班的通知", "关于汛期值班的通知"),
        ("起草《关于防台风工作的通知》，正文：各单位做好防台风准备", "关于防台风工作的通知"),
        ("整份新嘅发文，关于垃圾分类宣传嘅文", "关于垃圾分类宣传"),
        ("我想发个文，标题是关于调整办公时间的通知", "关于调整办公时间的通知"),
        ("帮我拟份稿", ""),
        ("我要起草一份发文，特急", ""),
    ],
)
def test_the_title_of_a_drafting_request(said: str, title: str) -> None:
    assert title_in(said) == title


@pytest.mark.parametrize(
    ("said", "taken"),
    [
        ("关于节前安全检查的通知", True),
        ("关于申请专项经费的请示", True),
        ("取消", True),
        ("有咩要我批嘅", False),
        ("FW-2026-001去到边", False),
        ("我今日有冇会？", False),
    ],
)
def test_a_question_is_no_title(said: str, taken: bool) -> None:
    assert answers({"step": "title"}, said) is taken


@pytest.mark.parametrize(
    ("said", "content"),
    [
        ("发个通知畀住建局，听日下午三点开安全生产会", "听日下午三点开安全生产会"),
        ("帮我发一条通知，各股室下午四点前报送值班表", "各股室下午四点前报送值班表"),
        ("发通知给城管局，内容：周末加强巡查，注意安全", "周末加强巡查，注意安全"),
        ("我要发通知", ""),
        ("帮我通知一下城管局", ""),
    ],
)
def test_the_content_of_a_notice_request(said: str, content: str) -> None:
    assert notice_content(said) == content
