"""The Rasa virtual environment: Python 3.10 with rasa[jieba]==3.6.21, kept apart from the app.

Rasa pins aiohttp<3.10, numpy<1.25 and SQLAlchemy<1.5, which clash with the app, so it
lives in its own venv (by default under ~/.cache/govchat, shared by checkouts of the
same machine) and the app talks to it over HTTP on loopback.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

RASA_REQUIREMENT = "rasa[jieba]==3.6.21"
Progress = Callable[[str], None]


class RasaEnvError(RuntimeError):
    """The Rasa environment cannot be made; the message says what to install."""


def find_python310(configured: str = "") -> str:
    """A Python 3.10 interpreter: the configured one, python3.10 on PATH, or one from pyenv."""
    candidates = [configured] if configured else []
    candidates.append(shutil.which("python3.10") or "")
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.10.*/bin/python3.10"), reverse=True)
    for path in candidates:
        if path and Path(path).is_file() and _is_310(path):
            return path
    raise RasaEnvError(
        "Rasa 需要 Python 3.10，但本机没有找到。请安装后重试，例如：\n"
        "  sudo apt-get install python3.10 python3.10-venv   或   pyenv install 3.10.13\n"
        "也可以用 GOVCHAT_RASA_PYTHON=/path/to/python3.10 指定；或用 RASA_URL 连接已有的 Rasa 服务。"
    )


def _is_310(python: str) -> bool:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.stdout.strip() == "True"


def rasa_executable(venv: Path) -> Path:
    return venv / "bin" / "rasa"


def ensure_rasa_env(venv: Path, *, python: str = "", progress: Progress = print) -> Path:
    """Create the venv and install Rasa if it is not there yet; returns the rasa executable."""
    exe = rasa_executable(venv)
    marker = venv / ".govchat-rasa"
    if exe.is_file() and marker.is_file() and marker.read_text().strip() == RASA_REQUIREMENT:
        return exe
    py = find_python310(python)
    progress(f"创建 Rasa 虚拟环境 {venv}（Python 3.10，首次约需 2–5 分钟，约 2.7 GB）…")
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([py, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    result = subprocess.run([*pip, RASA_REQUIREMENT], capture_output=True, text=True)
    if result.returncode != 0:
        raise RasaEnvError(f"安装 {RASA_REQUIREMENT} 失败：\n{result.stderr[-2000:]}")
    marker.write_text(RASA_REQUIREMENT)
    progress("Rasa 安装完成")
    return exe
