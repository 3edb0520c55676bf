#!/usr/bin/env bash
# Creates .venv and installs govchat with its dependencies; re-runs only when pyproject.toml changed.
# torch is installed first and pinned to the CPU build so that no resolver pulls CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."

TORCH_VERSION="${GOVCHAT_TORCH_VERSION:-2.13.0}"
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "需要 Python 3.11 或更新版本（找不到 python3）。" >&2
  exit 1
fi
"$PYTHON" - <<'PY' || { echo "需要 Python 3.11 或更新版本：$("$PYTHON" --version 2>&1)" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv（$("$PYTHON" --version)）"
  "$PYTHON" -m venv .venv
fi

# The console's chart library (ECharts) comes from the npm registry and is served by the app.
if [ ! -d admin/static/node_modules ] && command -v npm >/dev/null 2>&1; then
  echo "==> 安装管理后台图表库（npm）"
  (cd admin/static && npm install --no-audit --no-fund --silent)
fi
# Browser tests drive Debian's chromium (never `playwright install`: browsers cannot be downloaded).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "==> 安装 chromium（浏览器测试用）"
  # Not fatal: without it the browser tests say what is missing (and fail in CI).
  apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; } \
    || echo "⚠ 未能安装 chromium：浏览器测试将无法运行（请手动 apt-get install chromium）" >&2
fi
# Without a CJK font the screenshots of the (Chinese) console pages show empty boxes.
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh)" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "==> 安装中文字体（浏览器测试截图用）"
  apt-get install -y fonts-noto-cjk >/dev/null || echo "⚠ 未能安装中文字体：截图中的中文将显示为方框" >&2
fi

stamp=".venv/.govchat-install-stamp"
want="$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "==> 安装依赖（首次约需几分钟）"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==${TORCH_VERSION}"
# Constrain torch so that sentence-transformers can never replace the CPU build.
echo "torch==${TORCH_VERSION}" > .venv/govchat-constraints.txt
.venv/bin/python -m pip install --quiet -c .venv/govchat-constraints.txt -e ".[dev]"
echo "$want" > "$stamp"
echo "==> 依赖安装完成"
