"""The serving process caps glibc's malloc arenas, unless the operator chose a number."""

from __future__ import annotations

import ctypes.util
import platform

import pytest

from govchat.process_memory import limit_malloc_arenas


def test_operator_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt(M_ARENA_MAX) is glibc's")
def test_cap_is_applied_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert ctypes.util.find_library("c")
    assert limit_malloc_arenas(8) is True  # 8 per core is glibc's own default ceiling on 64-bit: harmless here
