"""Helpers shared by the ``govchat`` subcommand modules."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from kernel.config import Settings, load_settings
from kernel.logging_setup import progress_line


def progress(msg: str) -> None:
    progress_line(msg)


def settings_of(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
    return load_settings(config_file=args.config, **overrides)


async def with_runtime(
    args: argparse.Namespace,
    body: Callable[[Any], Awaitable[int]],
    *,
    load_model: bool = True,
    seed_demo: bool = True,
) -> int:
    """Build the runtime (storage, KB, bot) from the command's settings, run ``body``, close it.

    ``seed_demo=False`` (directory commands): a fresh database never gets demo people this way."""
    from govchat.runtime import build_runtime

    runtime = await build_runtime(settings_of(args), load_model=load_model, progress=progress, seed_demo=seed_demo)
    try:
        return await body(runtime)
    finally:
        await runtime.close()
