"""Process-wide memory settings of a serving process: glibc's malloc arenas.

glibc gives each thread that meets a locked arena a new one (up to 8 per core) and keeps what it freed there:
a server's threads (aiohttp's executor, the encoder, the scheduler, torch) each grow their own. Measured on
the full catalogue (bench/README.md, issue 17 round 3): after 8 concurrent clients a server held 1,235 MB
with glibc's default and 1,164 MB with two arenas, at the same latency.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

SERVE_MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt parameter number (malloc.h)


def limit_malloc_arenas(arenas: int = SERVE_MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process; an operator's MALLOC_ARENA_MAX wins. True when applied.

    Call it before threads start: arenas already created stay. Not glibc (musl, macOS): nothing happens.
    """
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, arenas))
