"""A quiet start (issue 19, item 3): `govchat serve` prints only the product's own progress lines, in Chinese,
until it is ready; no jieba DEBUG or Alembic INFO lines unless --debug / GOVCHAT_DEBUG. JSON logs keep the
masking of phones and ID numbers."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kernel.logging_setup import configure_logging
from tests.support.env import ROOT, free_port

CJK = re.compile(r"[\u4e00-\u9fff]")
NOISE = ("DEBUG", " INFO ", "Building prefix dict", "Loading model", "Context impl", "Running upgrade", "alembic")


def _env(tmp_path: Path, model_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCHAT_")}
    env.update(
        GOVCHAT_DATA_DIR=str(tmp_path / "data"),
        GOVCHAT_NLU="0",
        GOVCHAT_EMBEDDING_MODEL=str(model_path),
        GOVCHAT_PORT=str(free_port()),
        PYTHONPATH=str(ROOT),
        JIEBA_CACHE_DIR=str(tmp_path),
        **extra,
    )
    return env


def _serve_until_ready(env: dict[str, str], *flags: str) -> str:
    """Start the real `govchat serve`, read stderr until it says it is ready, stop it; the captured text."""
    cmd = [sys.executable, "-m", "govchat.cli", *flags, "serve", "--no-demo"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 240
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if "按 Ctrl+C 停止" in line or time.monotonic() > deadline:
                break
    finally:
        proc.terminate()
        proc.wait(30)
    return "\n".join(lines)


def test_serve_prints_only_its_own_progress_in_chinese(tmp_path: Path, model_path: Path) -> None:
    out = _serve_until_ready(_env(tmp_path, model_path))
    assert "已就绪" in out, out
    assert "知识库索引就绪" in out
    foreign = [
        line for line in filter(str.strip, out.splitlines()) if any(n in line for n in NOISE) or not CJK.search(line)
    ]
    assert foreign == [], out


def test_debug_shows_the_libraries_lines(tmp_path: Path) -> None:
    env = _env(tmp_path, tmp_path)
    quiet = subprocess.run(
        [sys.executable, "-m", "govchat.cli", "migrate"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert quiet.returncode == 0 and quiet.stderr.strip() == "数据库已迁移到最新版本", quiet.stderr
    env["GOVCHAT_DATA_DIR"] = str(tmp_path / "data2")
    loud = subprocess.run(
        [sys.executable, "-m", "govchat.cli", "--debug", "migrate"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert loud.returncode == 0 and "Running upgrade" in loud.stderr and "alembic" in loud.stderr


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], level = saved
    root.setLevel(level)
    configure_logging("INFO")


def test_json_logs_are_masked(restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    logging.getLogger("govchat.test").info("来电 %s，身份证 %s", "13912345678", "44140219900101123X")
    try:
        raise ValueError("手机 13800138000")
    except ValueError:
        logging.getLogger("govchat.test").exception("处理失败")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["level"] == "INFO" and lines[0]["logger"] == "govchat.test"
    assert lines[0]["message"] == "来电 139****5678，身份证 441402********123X"
    assert "138****8000" in lines[1]["exception"] and "13800138000" not in lines[1]["exception"]
    assert lines[0]["time"].endswith("+00:00")
