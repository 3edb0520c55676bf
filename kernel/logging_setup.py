"""Logging that never writes a citizen's phone or ID-card number in clear."""

from __future__ import annotations

import logging
import re

# 18-digit resident ID (last char may be X) and the old 15-digit one; mainland mobiles written plain, with
# +86/86, dashes or spaces (138-0013-8000, +86 138 0013 8000); landlines like 0753-2188888. Full-width
# digits (１３８…) are folded to ASCII first, so they are caught too.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_OLD_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{6}(\d{3})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d+])((?:\+?86[- ]?)?1[3-9]\d)([- ]?)\d{4}([- ]?)(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")


def mask_sensitive(text: str) -> str:
    """Mask ID-card, mobile and landline numbers, keeping a few digits to stay traceable."""
    text = text.translate(_FULL_WIDTH_DIGITS)
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _OLD_ID_CARD.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}{m.group(4)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_sensitive(super().format(record))


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # jieba prints its own cache chatter at INFO/DEBUG.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    # APScheduler logs every tick at INFO; the tick itself logs what it fires or fails.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # matrix-nio logs every event it sees at INFO; faiss logs each CPU variant its wheel does not ship.
    logging.getLogger("nio").setLevel(logging.WARNING)
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
