"""Logging that never writes a citizen's phone or ID-card number in clear."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime

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


class JsonFormatter(logging.Formatter):
    """One JSON object per line (GOVCHAT_LOG_FORMAT=json), masked like the text lines."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_sensitive(record.getMessage()),
        }
        if record.exc_info:
            out["exception"] = mask_sensitive(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


# Libraries that talk at start or per event at INFO/DEBUG: quiet (WARNING and up) unless debugging.
CHATTY = (
    "jieba",  # cache chatter at DEBUG, through its own handler too
    "alembic",  # "Context impl SQLiteImpl", "Running upgrade …" at every start
    "apscheduler",  # every tick at INFO; the tick itself logs what it fires or fails
    "nio",  # every Matrix event at INFO
    "faiss.loader",  # each CPU variant its wheel does not ship
    "sentence_transformers",
    "transformers",
    "urllib3",
    "asyncio",
)


class _AtLeastWarning(logging.Filter):
    """jieba sets its logger to DEBUG when imported, after we set it: a filter on the logger persists."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


_QUIET = _AtLeastWarning()
PROGRESS = logging.getLogger("govchat.progress")
_json_progress = False


def configure_logging(level: str = "INFO", fmt: str = "text", debug: bool = False) -> None:
    """Root handler on stderr (text or JSON, both masked). ``debug``: every library's lines at DEBUG."""
    global _json_progress
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else level.upper())
    _json_progress = fmt == "json"
    if not debug:
        # Model loading draws tqdm bars ("Loading weights") on stderr: none at a quiet start.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TQDM_DISABLE", "1")
        # transformers logs through its own handler; its load-time warnings about config keys are not ours.
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    for name in CHATTY:
        logger = logging.getLogger(name)
        logger.setLevel(logging.NOTSET if debug else logging.WARNING)
        logger.removeFilter(_QUIET)
        if not debug:
            logger.addFilter(_QUIET)


def progress_line(message: str) -> None:
    """The product's own progress at start and in commands: plain lines on stderr for a person, or JSON
    log records when logs are JSON (so a log collector reads every line)."""
    if _json_progress:
        PROGRESS.info(message)
    else:
        print(message, file=sys.stderr, flush=True)
