"""Logging: phone and ID numbers masked, chatty libraries quiet at INFO."""

from __future__ import annotations

import logging

import pytest

from kernel.logging_setup import MaskingFormatter, configure_logging, mask_sensitive


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证 44140219900101123X 已登记", "身份证 441402********123X 已登记"),
        ("电话13812345678请回电", "电话138****5678请回电"),
        ("座机 0753-2188888", "座机 0753-****8888"),
        ("工单 GD2026111800123", "工单 GD2026111800123"),  # ticket ids are not phone numbers
    ],
)
def test_mask_sensitive(text, masked):
    assert mask_sensitive(text) == masked


def test_log_records_are_masked():
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "来电 %s", ("13912345678",), None)
    assert "139****5678" in MaskingFormatter("%(message)s").format(record)


def test_chatty_libraries_are_quiet_at_info():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO")
        assert logging.getLogger("govchat").isEnabledFor(logging.INFO)
        for name in ("nio.rooms", "nio.client.base_client", "faiss.loader", "jieba", "apscheduler.scheduler"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
