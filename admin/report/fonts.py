"""A CJK font for charts and PDF: Noto Sans CJK (fonts-noto-cjk) or whatever fontconfig has for Chinese."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

KNOWN = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
]


class NoChineseFont(RuntimeError):
    """No font with Chinese glyphs is installed."""


@dataclass(frozen=True)
class CjkFont:
    path: Path
    face: int  # the face within a .ttc collection (Simplified Chinese where there is one)
    bold: Path | None


def _sc_face(path: Path) -> int:
    if path.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection

    names = [f["name"].getDebugName(1) or "" for f in TTCollection(str(path)).fonts]
    for i, name in enumerate(names):
        if name.endswith(" SC") or "SC" in name.split():
            return i
    return 0


@functools.cache
def cjk_font() -> CjkFont:
    found = next((Path(p) for p in KNOWN if Path(p).is_file()), None)
    if found is None and shutil.which("fc-match"):
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
        found = Path(out) if out and Path(out).is_file() else None
    if found is None:
        raise NoChineseFont("没有找到中文字体，无法生成报告。请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）。")
    bold = found.with_name(found.name.replace("Regular", "Bold"))
    return CjkFont(found, _sc_face(found), bold if bold.is_file() and bold != found else None)
